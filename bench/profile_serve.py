"""Where a request's CPU goes: the bench queries through the app in this process, profiled.

``python bench/profile_serve.py [--requests 50] [--only TEXT] [--top 25] [--no-direct]``
starts the embedded store in a temporary folder, loads what ``bench/compare.py`` loads
(1x), and sends each query ``--requests`` times through the ASGI app (httpx's
``ASGITransport``, no socket) under cProfile, after two warm-up requests. It prints the
CPU per request (process time, which includes the driver but not the store's JVM) and
the functions that take most of it, by their own and cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.compare import load  # noqa: E402
from bench.queries import cases  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from graph.settings import StoreSettings  # noqa: E402
from graph.store import BoltEndpoint  # noqa: E402
from schema.app import create_app  # noqa: E402
from schema.settings import ApiSettings  # noqa: E402


async def profile(endpoint: BoltEndpoint, args: argparse.Namespace) -> None:
    app = create_app(
        endpoint, StoreSettings(statement_timeout=60.0), ApiSettings(direct=not args.no_direct)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for case in cases():
                if args.only not in case.name:
                    continue
                for _ in range(2):
                    warm = await client.post("/graphql", json={"query": case.ours})
                    assert "errors" not in warm.json(), warm.text[:300]
                profiler = cProfile.Profile()
                cpu, wall = time.process_time(), time.perf_counter()
                profiler.enable()
                for _ in range(args.requests):
                    await client.post("/graphql", json={"query": case.ours})
                profiler.disable()
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                print(
                    f"\n=== {case.name}: {1000 * cpu / args.requests:.1f} ms CPU, "
                    f"{1000 * wall / args.requests:.1f} ms wall per request"
                )
                stats = pstats.Stats(profiler)
                stats.sort_stats("tottime").print_stats(args.top)
                stats.sort_stats("cumulative").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-direct", action="store_true", help="turn the direct path off")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "store", heap="1g")
        endpoint = store.start()
        try:
            asyncio.run(load(endpoint))
            asyncio.run(profile(endpoint, args))
        finally:
            store.stop()


if __name__ == "__main__":
    main()
