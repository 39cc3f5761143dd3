"""Soak: many clients for a long time against ``ogp-graph serve``; memory must stay flat.

``python bench/soak.py [--duration 600] [--concurrency 32] [--out soak-out]`` loads the
three real tracker definitions into an embedded store in a temporary folder, starts
``ogp-graph serve`` on it, and sends a mix of typical front-end requests (and a few
requests the cost budget refuses) from ``--concurrency`` clients for ``--duration``
seconds. Every ``--window`` seconds it prints the requests, errors, p50/p99 latency and
the server's resident memory (the process tree: Python and the embedded JVM), and at the
end writes ``soak.csv`` and ``soak.png`` (needs matplotlib: ``pip install -e ".[bench]"``)
to ``--out``. Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
NAP = ROOT.parent / "shared" / "data" / "canada-nap"
NAP_FILES = ("nap4-2018-2020.yaml", "nap5-2022-2024.yaml", "nap6-2025-2029.yaml")

#: (name, query, weight): what dashboards and explorers ask, in rough proportion
MIX: list[tuple[str, str, int]] = [
    ("cheap", '{ partnership { name memberCount } country(code: "CAN") { name } }', 6),
    (
        "plan tree",
        '{ plan(id: "Plan:CAN-2018-2020") { title commitments(first: 20) { nodes { code title '
        "milestones { nodes { code departments { nodes { code } } } } } } } }",
        3,
    ),
    ("page of 100", "{ indicators(first: 100) { totalCount nodes { code title dueDate } } }", 4),
    (
        "filter",
        '{ milestones(first: 50, where: { departments: { some: { abbreviation: { eq: "TBS" } } } })'
        " { totalCount nodes { code } } }",
        3,
    ),
    (
        "search",
        '{ search(query: "données ouvertes", first: 20) { totalCount nodes { score } } }',
        3,
    ),
    ("grouped", "{ indicatorsAggregate { count groupedBy(by: [DEPARTMENT]) { keys count } } }", 2),
    (
        "progress",
        '{ plan(id: "Plan:CAN-2022-2024") { progressByPeriod { period counts { count } } } }',
        2,
    ),
    ("explore", '{ neighborhood(id: "Country:CAN", depth: 2) { nodes { id } edges { type } } }', 2),
    (
        "refused: 4 rounds",
        "{ indicators(first: 500) { nodes { departments(first: 500) { nodes { indicators(first: "
        "500) { nodes { departments(first: 500) { nodes { id } } } } } } } } }",
        1,
    ),
]


@dataclass
class Window:
    """What happened in one sampling window."""

    started: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    refused: int = 0
    busy: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="utf-8") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        parents[int(entry)] = int(fields.get("PPid", "0").strip())
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    family, grown = {pid}, True
    while grown:
        children = {p for p, parent in parents.items() if parent in family} - family
        family |= children
        grown = bool(children)
    return sum(rss.get(p, 0) for p in family)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def client(url: str, until: float, windows: list[Window], seed: int) -> None:
    chooser = random.Random(seed)
    names = [m[0] for m in MIX]
    queries = {m[0]: m[1] for m in MIX}
    weights = [m[2] for m in MIX]
    async with httpx.AsyncClient(timeout=60) as http:
        while time.monotonic() < until:
            name = chooser.choices(names, weights)[0]
            started = time.monotonic()
            try:
                response = await http.post(url, json={"query": queries[name]})
                body = response.json()
            except (httpx.HTTPError, ValueError):
                windows[-1].errors += 1
                continue
            window = windows[-1]  # the window the answer came in
            window.latencies.append(time.monotonic() - started)
            if response.status_code == 503:
                window.busy += 1
            elif name.startswith("refused"):
                window.refused += 1 if body.get("errors") else 0
                window.errors += 0 if body.get("errors") else 1
            elif response.status_code != 200 or body.get("errors"):
                window.errors += 1


async def soak(url: str, pid: int, args: argparse.Namespace) -> list[dict[str, float]]:
    started = time.monotonic()
    until = started + args.duration
    windows = [Window(started)]
    rows: list[dict[str, float]] = []
    tasks = [
        asyncio.create_task(client(url, until, windows, seed)) for seed in range(args.concurrency)
    ]
    print("  t(s)  requests  errors  refused  busy   p50 ms   p99 ms   RSS MiB")
    while not all(t.done() for t in tasks):
        left = until - time.monotonic()
        if left > 0:
            await asyncio.sleep(min(args.window, left))
        else:  # the last answers of requests sent before the end
            await asyncio.wait(tasks)
        done, windows[-1:] = windows[-1], [Window(time.monotonic())]
        row = {
            "t": round(time.monotonic() - started, 1),
            "requests": len(done.latencies),
            "errors": done.errors,
            "refused": done.refused,
            "busy": done.busy,
            "p50_ms": round(percentile(done.latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(done.latencies, 0.99) * 1000, 1),
            "rss_mib": round(tree_rss(pid) / 2**20, 1),
        }
        rows.append(row)
        print(
            f"{row['t']:6.0f}  {row['requests']:8d}  {row['errors']:6d}  {row['refused']:7d}  "
            f"{row['busy']:4d}  {row['p50_ms']:7.1f}  {row['p99_ms']:7.1f}  {row['rss_mib']:8.1f}"
        )
    return rows


def plot(rows: list[dict[str, float]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('no plot: matplotlib is not installed (pip install -e ".[bench]")')
        return
    t = [r["t"] for r in rows]
    figure, (latency, memory) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    latency.plot(t, [r["p50_ms"] for r in rows], label="p50")
    latency.plot(t, [r["p99_ms"] for r in rows], label="p99")
    latency.set_ylabel("latency (ms)")
    latency.legend()
    errors = [r["errors"] for r in rows]
    if any(errors):
        latency.twinx().bar(t, errors, color="red", alpha=0.3, label="errors")
    memory.plot(t, [r["rss_mib"] for r in rows], color="green")
    memory.set_ylabel("server RSS (MiB)")
    memory.set_xlabel("seconds")
    memory.set_ylim(bottom=0)
    figure.suptitle("ogp-graph soak")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    print(f"plot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds (default 600)")
    parser.add_argument("--concurrency", type=int, default=32, help="clients (default 32)")
    parser.add_argument("--window", type=float, default=10, help="seconds per sample")
    parser.add_argument("--out", type=Path, default=Path("soak-out"), help="results folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "OGP_GRAPH_DATA_DIR": folder}
        env.pop("NEO4J_URI", None)
        cli = [sys.executable, "-m", "ogp_graph.cli"]
        subprocess.run(
            [*cli, "load", "--data-dir", folder, *(str(NAP / n) for n in NAP_FILES)],
            check=True,
            env=env,
            cwd=folder,
        )
        port = free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--data-dir", folder, "--port", str(port)], env=env, cwd=folder
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 600
            while True:
                try:
                    if httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not become ready")
                time.sleep(0.5)
            rows = asyncio.run(soak(f"{base}/graphql", server.pid, args))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    with open(args.out / "soak.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    total = sum(r["requests"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    rss = [r["rss_mib"] for r in rows]
    served = [r for r in rows if r["requests"]]  # a window with no answer has no percentiles
    print(
        f"total: {total} requests, {errors} errors, {sum(r['refused'] for r in rows)} refused "
        f"by the budget, {sum(r['busy'] for r in rows)} busy; p50 of windows "
        f"{statistics.median(r['p50_ms'] for r in served):.1f} ms, worst p99 "
        f"{max(r['p99_ms'] for r in served):.1f} ms; RSS first {rss[0]:.0f} MiB, last "
        f"{rss[-1]:.0f} MiB, max {max(rss):.0f} MiB"
    )
    plot(rows, args.out / "soak.png")


if __name__ == "__main__":
    main()
