"""Benchmarks: load time of the real tracker definitions and latency of typical requests.

Run with ``python bench/run.py [--repeat N]``. It starts the embedded store in a temporary
folder and the app on a loopback port, so it measures what a user meets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.constraints import ensure_schema  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from graph.store import Store  # noqa: E402
from ogp_graph.loading import ensure_bundled_dataset, load_locations  # noqa: E402
from schema.app import create_app  # noqa: E402

NAP = ROOT.parent / "shared" / "data" / "canada-nap"

QUERIES = {
    "plan with commitments, milestones, departments": """{ plan(id: "Plan:CAN-2018-2020") {
        commitments(first: 50) { edges { node { code title milestones(first: 50) { edges { node {
        code title departments { edges { node { code name } } } } } } } } } } }""",
    "a page of 100 indicators": "{ indicators(first: 100) { totalCount edges { node { code title dueDate } } } }",
    "filter: milestones led by TBS": """{ milestones(first: 100, where: { departments: { some:
        { abbreviation: { eq: "TBS" } } } }) { totalCount edges { node { code } } } }""",
    "search: 'données ouvertes'": '{ search(query: "données ouvertes", first: 20) { totalCount edges { node { score entity { id } } } } }',
    "grouped: indicators by department": "{ indicatorsAggregate { count groupedBy(by: [DEPARTMENT]) { keys count } } }",
    "progress by period (2022-2024)": '{ plan(id: "Plan:CAN-2022-2024") { progressByPeriod { period counts { count } } } }',
    "neighborhood depth 2 of Canada": '{ neighborhood(id: "Country:CAN", depth: 2) { nodes { id } edges { type } } }',
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder), heap="1g")
        started = time.perf_counter()
        endpoint = store.start()
        print(f"embedded store start: {time.perf_counter() - started:.2f} s")

        async def load() -> None:
            client = Store.connect(endpoint, 60)
            try:
                await ensure_schema(client)
                t0 = time.perf_counter()
                await ensure_bundled_dataset(client)
                print(f"bundled dataset load: {time.perf_counter() - t0:.2f} s")
                files = [
                    str(NAP / n)
                    for n in ("nap4-2018-2020.yaml", "nap5-2022-2024.yaml", "nap6-2025-2029.yaml")
                ]
                t0 = time.perf_counter()
                reports = await load_locations(client, files)
                nodes = sum(sum(r.created.values()) for r in reports)
                print(
                    f"three tracker definitions: {time.perf_counter() - t0:.2f} s ({nodes} nodes)"
                )
                t0 = time.perf_counter()
                await load_locations(client, files)
                print(f"the same again (no change): {time.perf_counter() - t0:.2f} s")
            finally:
                await client.close()

        asyncio.run(load())
        server = uvicorn.Server(
            uvicorn.Config(create_app(endpoint), port=8931, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        with httpx.Client(base_url="http://127.0.0.1:8931", timeout=60) as http:
            for name, query in QUERIES.items():
                times, statements = [], 0
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    body = http.post("/graphql", json={"query": query}).json()
                    times.append((time.perf_counter() - t0) * 1000)
                    assert "errors" not in body, body["errors"]
                    statements = body["extensions"]["cypher"]["statements"]
                times.sort()
                p95 = times[int(len(times) * 0.95) - 1]
                print(
                    f"{name}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, {statements} statements"
                )
        server.should_exit = True
        thread.join(timeout=10)
        store.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory (Python + embedded JVM): {peak:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
    os._exit(0)  # the store is stopped; do not wait on the idle JVM's teardown
