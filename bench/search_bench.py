"""Search latency at 100 times the Canada data, with the whole partnership beside it.

Run with ``python bench/search_bench.py [--copies 99] [--repeat 5] [--no-partnership]``.
It starts the embedded store in a temporary folder, loads the bundled datasets, the three
real tracker definitions and (unless ``--no-partnership``) the partnership's sources of
../shared/data/ogp as the tests do, then adds ``--copies`` copies of every node of the
Canada plans (plans, themes, commitments, milestones, indicators, statuses, periods,
reports; the same texts under new ids, ``CAN-2018-2020`` becoming ``X01-2018-2020``...)
through the writer, so the search index grows as it would with real data. It then times
every query of the judged set (tests/search_judgements.yaml) ``--repeat`` times through
the same call the API makes, and prints the median and 95th percentile: of all rounds,
of the first (the process has not cached any postings yet) and per set of queries."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import search as engine  # noqa: E402
from graph.analysis import Language  # noqa: E402
from graph.constraints import ensure_schema  # noqa: E402
from graph.document import GraphDocument  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from graph.model import ENTITY_LABELS  # noqa: E402
from graph.statements import statement  # noqa: E402
from graph.store import Store, statement_log  # noqa: E402
from graph.writer import write_document  # noqa: E402
from ogp_graph.loading import ensure_bundled_dataset, load_locations  # noqa: E402
from schema.entities import EntityType  # noqa: E402

NAP = ROOT.parent / "shared" / "data" / "canada-nap"
OGP = ROOT.parent / "shared" / "data" / "ogp"
EXPLORER = "ogp-explorer-commitments-2016.csv"
PLAN_KEY = re.compile(r"CAN-(\d{4}-\d{4})")
#: the nodes a plan is made of (their ids hold the plan's key)
_PLAN_NODES = statement(
    "bench.plan_nodes",
    "MATCH (n) WHERE (n:Plan OR n:Theme OR n:Commitment OR n:Milestone OR n:Indicator "
    "OR n:Status OR n:ReportingPeriod OR n:Report) AND n.id CONTAINS ':CAN-' "
    "RETURN labels(n)[0] AS label, "
    "properties(n) AS props",
)
#: properties the writer derives or keeps for itself: not copied
_SKIP = re.compile(r"(_norm|_sort)$|^(search|loadedAt$|sources$|source$|id$)")


def _copies(rows: list[dict[str, Any]], first: int, last: int) -> GraphDocument:
    doc = GraphDocument(f"bench-copies-{first}-{last}", "1")
    for copy in range(first, last + 1):
        for row in rows:
            props = row["props"]
            new_id = PLAN_KEY.sub(rf"X{copy:02d}-\1", props["id"])
            facts = {k: v for k, v in props.items() if not _SKIP.search(k) and v is not None}
            doc.add_node(row["label"], new_id.split(":", 1)[1], f"bench#{copy}", facts)
    return doc


async def grow(
    store: Store, copies: int, per_document: int, repeat: int, profile: bool = False
) -> int:
    """Add ``copies`` copies of the plans' nodes, timing search after each load."""
    rows = await store.read(_PLAN_NODES)
    added = 0
    for first in range(1, copies + 1, per_document):
        last = min(copies, first + per_document - 1)
        started = time.perf_counter()
        report = await write_document(store, _copies(rows, first, last))
        added += sum(report.created.values())
        print(
            f"at {last + 1}x: loaded {sum(report.created.values())} more nodes "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        if last == copies and profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await measure(store, repeat)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            await measure(store, repeat if last == copies else 1)
    return added


def _summary(name: str, times: list[float]) -> str:
    if not times:
        return f"{name}: no queries"
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{name}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms"


async def measure(store: Store, repeat: int) -> None:
    cases = yaml.safe_load((ROOT / "tests" / "search_judgements.yaml").read_text("utf-8"))
    times: list[float] = []
    first_pass: list[float] = []
    by_set: dict[str, list[float]] = {}
    store_times: list[float] = []
    cpu_times: list[float] = []
    totals: dict[str, int] = {}
    for round_ in range(repeat):
        for case in cases:
            langs: list[Language] = [case["lang"].lower()] if case.get("lang") else ["en", "fr"]
            types = [str(EntityType[name].value) for name in case.get("types") or ()]
            with statement_log() as log:
                started = time.perf_counter()
                cpu = time.process_time()
                result = await engine.search(
                    store,
                    case["query"],
                    langs,
                    types or list(ENTITY_LABELS),
                    0,
                    10,
                    ["en", "fr"],
                )
                elapsed = (time.perf_counter() - started) * 1000
                cpu_times.append((time.process_time() - cpu) * 1000)
            times.append(elapsed)
            by_set.setdefault(case.get("set", "canada"), []).append(elapsed)
            if round_ == 0:
                first_pass.append(elapsed)
            store_times.append(log.seconds * 1000)
            totals[case["query"]] = result.total
    times.sort()
    print(
        f"search, {len(cases)} judged queries x {repeat}: median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms "
        f"(of which in the store: median {statistics.median(store_times):.1f} ms)",
        flush=True,
    )
    parts = [_summary("first round (postings not cached yet)", first_pass)]
    # the embedded store runs in this process: its threads' CPU counts too; on a shared
    # machine this is steadier than the elapsed time
    parts += [_summary("CPU time of this process (Python and the store)", cpu_times)]
    parts += [_summary(f"{name} queries", found) for name, found in sorted(by_set.items())]
    print("  " + "; ".join(parts), flush=True)
    common = sorted(totals.items(), key=lambda kv: -kv[1])[:5]
    print("largest result sets:", ", ".join(f"{q!r}: {n}" for q, n in common))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=99, help="copies of the plans to add")
    parser.add_argument("--per-document", type=int, default=25, help="copies per load")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="profile the last measurement (cProfile)"
    )
    parser.add_argument(
        "--no-partnership",
        action="store_true",
        help="do not load the partnership (../shared/data/ogp), whose queries then find nothing",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder), heap="2g")
        endpoint = store.start()

        async def run() -> None:
            client = Store.connect(endpoint, 600)
            try:
                await ensure_schema(client)
                await ensure_bundled_dataset(client)
                files = [
                    str(NAP / n)
                    for n in ("nap4-2018-2020.yaml", "nap5-2022-2024.yaml", "nap6-2025-2029.yaml")
                ]
                await load_locations(client, files)
                if not args.no_partnership:
                    started = time.perf_counter()
                    await load_locations(client, [str(OGP / "explorer-2016" / EXPLORER)])
                    await load_locations(client, [str(OGP)])
                    print(
                        f"partnership loaded in {time.perf_counter() - started:.0f} s", flush=True
                    )
                print("at 1x:", flush=True)
                await measure(client, args.repeat)
                started = time.perf_counter()
                added = await grow(
                    client, args.copies, args.per_document, args.repeat, args.profile
                )
                print(f"added {added} nodes in {time.perf_counter() - started:.0f} s", flush=True)
            finally:
                await client.close()

        try:
            asyncio.run(run())
        finally:
            store.stop()


if __name__ == "__main__":
    main()
