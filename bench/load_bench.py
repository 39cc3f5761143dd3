"""Load benchmark of the partnership's sources on the embedded store.

Generates the synthetic full OGP export (``bench/generate_ogp.py``, 12 rounds of the real
subset: the size of OGP's whole export) and times, on a fresh embedded store in a
temporary folder: the bundled datasets, the real subset, the full export, then every
real source of ``../shared/data/ogp`` (the 2016 Explorer, its process data, the US tracker).

    python bench/load_bench.py [--rounds 12] [--no-full] [--statements] [--threads] [--no-overlap]
        [--no-workers] [--profile F] [--timeline]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import pstats
import re
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate_ogp import SUBSET, generate  # noqa: E402
from graph import index_workers, writer  # noqa: E402
from graph.constraints import ensure_schema  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from graph.store import Store  # noqa: E402
from graph.writer import WriteReport  # noqa: E402
from ogp_graph.loading import ensure_bundled_dataset, load_locations  # noqa: E402

OGP = ROOT.parent / "shared" / "data" / "ogp"
OTHERS = [
    OGP / "explorer-2016" / "ogp-explorer-commitments-2016.csv",
    OGP / "explorer-2016" / "ogp-process-database-2016-07.csv",
    OGP / "us-nap5-tracker",
]


#: statement name -> [count, seconds], filled when --statements is given
_STATEMENT_TIMES: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])


def _time_statements() -> None:
    """Count and time every statement the store runs, by name."""
    original = Store._run

    async def timed(self: Store, runner: Any, stmt: Any, params: dict[str, Any], *rest: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(self, runner, stmt, params, *rest)
        finally:
            entry = _STATEMENT_TIMES[stmt.name]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    Store._run = timed  # type: ignore[method-assign,assignment]


def _print_statements(top: int = 12) -> None:
    ranked = sorted(_STATEMENT_TIMES.items(), key=lambda item: -item[1][1])
    total = sum(seconds for _, seconds in _STATEMENT_TIMES.values())
    print(f"    statements: {total:.1f} s in all")
    for name, (count, seconds) in ranked[:top]:
        print(f"    {seconds:7.2f} s {int(count):6d}x  {name}")
    _STATEMENT_TIMES.clear()


def _thread_times() -> dict[str, float]:
    """CPU seconds of this process's threads, by name with digits dropped (Linux only)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = defaultdict(float)
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[re.sub(r"[0-9]+", "#", name)] += (int(fields[11]) + int(fields[12])) / ticks
    return found


def _children_cpu() -> float:
    """CPU seconds of this process's child processes, alive (the writer's index workers,
    :mod:`graph.index_workers`, kept between loads) or ended (Linux only)."""
    ticks, me, total = os.sysconf("SC_CLK_TCK"), str(os.getpid()), 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[1] == me:
            total += (int(fields[11]) + int(fields[12])) / ticks
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + ended.ru_utime + ended.ru_stime


def _python_name() -> str:
    """The name /proc gives Python's threads (the process's name: Python does not name them)."""
    stat = Path("/proc/thread-self/stat").read_text()
    return re.sub(r"[0-9]+", "#", stat[stat.index("(") + 1 : stat.rindex(")")])


def _store_cpu(before: dict[str, float], after: dict[str, float]) -> float:
    """CPU seconds of the store's JVM threads between two :func:`_thread_times`: those not
    named as Python's (the writer's worker thread ends with each write, its time with it, so
    Python's threads are measured as the process's CPU minus the JVM's)."""
    python = _python_name()
    return sum(after[name] - before.get(name, 0.0) for name in after if name != python)


def _print_threads(
    before: dict[str, float], after: dict[str, float], cpu: float, top: int = 8
) -> None:
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    python = _python_name()
    # the writer's worker threads are gone: Python's share is what the JVM's threads did not use
    spent[f"{python} (all threads)"] = cpu - _store_cpu(before, after)
    spent.pop(python, None)
    ranked = sorted(spent.items(), key=lambda item: -item[1])
    print("    CPU by thread: " + ", ".join(f"{n} {s:.1f} s" for n, s in ranked[:top]))


class _Timeline:
    """Samples, every ``period`` seconds, how much CPU Python's threads and the store's JVM
    threads used (from /proc), to tell where a load's wall time goes: Python busy, the store
    busy, both, or neither (waiting). The tick counters have 10 ms steps: periods of 0.2 s."""

    def __init__(self, period: float = 0.2) -> None:
        self.period = period
        self.samples: list[tuple[float, float, float]] = []  # (seconds, Python, JVM) CPU
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="timeline", daemon=True)

    def __enter__(self) -> _Timeline:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        before, then, cpu = _thread_times(), time.perf_counter(), time.process_time()
        while not self._stop.wait(self.period):
            after, now, cpu_now = _thread_times(), time.perf_counter(), time.process_time()
            jvm = _store_cpu(before, after)
            self.samples.append((now - then, cpu_now - cpu - jvm, jvm))
            before, then, cpu = after, now, cpu_now

    def strip(self) -> str:
        """One letter per sample: who was busy (at least half a core's worth)."""
        letters = {(True, True): "B", (True, False): "P", (False, True): "S", (False, False): "."}
        return "".join(
            letters[(python >= seconds / 2, jvm >= seconds / 2)]
            for seconds, python, jvm in self.samples
        )

    def summary(self) -> str:
        """Seconds of wall time by who was busy (at least half a core's worth in a sample)."""
        kinds = {"Python only": 0.0, "store only": 0.0, "both": 0.0, "neither": 0.0}
        for seconds, python, jvm in self.samples:
            py_busy, jvm_busy = python >= seconds / 2, jvm >= seconds / 2
            kind = (
                "both"
                if py_busy and jvm_busy
                else "Python only"
                if py_busy
                else "store only"
                if jvm_busy
                else "neither"
            )
            kinds[kind] += seconds
        wall = sum(s for s, _, _ in self.samples) or 1.0
        py = sum(p for _, p, _ in self.samples) / wall
        jvm = sum(j for _, _, j in self.samples) / wall
        return (
            f"    by {self.period:g} s (P Python, S the store, B both, . neither): "
            + self.strip()
            + "\n    wall time by who was busy: "
            + ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in kinds.items())
            + f"; cores used on average: Python {py:.2f}, the store's JVM {jvm:.2f}"
        )


def _nodes(reports: list[WriteReport]) -> int:
    return sum(sum(r.created.values()) + sum(r.updated.values()) for r in reports)


def _relationships(reports: list[WriteReport]) -> int:
    return sum(r.relationships_created for r in reports)


async def _timed(
    client: Store,
    label: str,
    locations: list[str],
    statements: bool,
    threads: bool,
    timeline: bool = False,
) -> float:
    by_thread, children = _thread_times(), _children_cpu()
    started, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
    # the sampler reads /proc for every thread each 0.2 s: only when asked
    sampled = _Timeline()
    with sampled if timeline else contextlib.nullcontext():
        reports = await load_locations(client, locations)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    main = time.thread_time() - main
    after = _thread_times()
    python = cpu - _store_cpu(by_thread, after)
    workers = _children_cpu() - children
    nodes, rels = _nodes(reports), _relationships(reports)
    print(
        f"{label}: {took:.1f} s, {cpu + workers:.1f} s of CPU (Python and the store's JVM "
        f"{cpu:.1f} s: {python:.1f} s in Python's threads, {main:.1f} s of it in the main "
        f"thread; the index workers {workers:.1f} s) "
        f"({nodes} nodes created or updated, {rels} new relationships: {(nodes + rels) / took:,.0f}"
        f" per second, {(nodes + rels) / (cpu + workers):,.0f} per CPU second)"
    )
    for report in reports:
        print(f"    {report.summary()}")
    if statements:
        _print_statements()
    if threads:
        _print_threads(by_thread, after, cpu)
    if timeline:
        print(sampled.summary())
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=12, help="size of the full export")
    parser.add_argument("--no-full", action="store_true", help="skip the full export")
    parser.add_argument(
        "--serving-jvm",
        action="store_true",
        help="start the store's JVM as `serve` does (both JIT compilers), not as `load` does",
    )
    parser.add_argument(
        "--statements", action="store_true", help="print the slowest statements of each load"
    )
    parser.add_argument(
        "--threads", action="store_true", help="print the CPU time of each load by thread"
    )
    parser.add_argument(
        "--no-overlap",
        action="store_true",
        help="make the writer's rows between statements, not while the store runs them",
    )
    parser.add_argument(
        "--no-workers",
        action="store_true",
        help="index the new nodes in-process, not in worker processes (graph.index_workers)",
    )
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="print how much of each load's wall time Python, the store, both or neither worked",
    )
    parser.add_argument(
        "--profile", type=Path, help="write a cProfile of the full export's load to this file"
    )
    args = parser.parse_args()
    writer.OVERLAP = not args.no_overlap
    if args.no_workers:
        index_workers.MIN_NODES = 0
    if args.statements:
        _time_statements()
    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "ogp-commitments-full.csv"
        with full.open("w", encoding="utf-8", newline="") as handle:
            rows = generate(SUBSET, args.rounds, handle)
        # started as `ogp-graph load` starts it (not serving), unless --serving-jvm
        store = EmbeddedStore(Path(folder) / "store", heap="1g", serving=args.serving_jvm)
        endpoint = store.start()

        async def run() -> None:
            client = Store.connect(endpoint, 600)
            try:
                await ensure_schema(client)
                t0 = time.perf_counter()
                await ensure_bundled_dataset(client)
                print(f"bundled datasets (seed + partnership): {time.perf_counter() - t0:.1f} s")
                if args.statements:
                    _print_statements()
                await _timed(
                    client,
                    "OGP subset (503 commitments)",
                    [str(SUBSET)],
                    args.statements,
                    args.threads,
                    args.timeline,
                )
                if not args.no_full:
                    profiler = cProfile.Profile() if args.profile else None
                    # the profile sees one thread: the writer makes its rows on it
                    writer.OVERLAP = profiler is None and not args.no_overlap
                    if profiler is not None:
                        profiler.enable()
                    await _timed(
                        client,
                        f"full OGP export ({rows} commitments)",
                        [str(full)],
                        args.statements,
                        args.threads,
                        args.timeline,
                    )
                    writer.OVERLAP = not args.no_overlap
                    if profiler is not None:
                        profiler.disable()
                        profiler.dump_stats(str(args.profile))
                        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                await _timed(
                    client,
                    "Explorer 2016, process data, US tracker",
                    [str(p) for p in OTHERS],
                    args.statements,
                    args.threads,
                    args.timeline,
                )
            finally:
                await client.close()

        try:
            asyncio.run(run())
        finally:
            store.stop()


if __name__ == "__main__":
    main()
