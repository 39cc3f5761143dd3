"""Load benchmark of the partnership's sources on the embedded store.

Generates the synthetic full OGP export (``bench/generate_ogp.py``, 12 rounds of the real
subset: the size of OGP's whole export) and times, on a fresh embedded store in a
temporary folder: the bundled datasets, the real subset, the full export, then every
real source of ``../shared/data/ogp`` (the 2016 Explorer, its process data, the US tracker).

    python bench/load_bench.py [--rounds 12] [--no-full]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate_ogp import SUBSET, generate  # noqa: E402
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


def _nodes(reports: list[WriteReport]) -> int:
    return sum(sum(r.created.values()) + sum(r.updated.values()) for r in reports)


async def _timed(client: Store, label: str, locations: list[str]) -> float:
    started = time.perf_counter()
    reports = await load_locations(client, locations)
    took = time.perf_counter() - started
    print(f"{label}: {took:.1f} s ({_nodes(reports)} nodes created or updated)")
    for report in reports:
        print(f"    {report.summary()}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=12, help="size of the full export")
    parser.add_argument("--no-full", action="store_true", help="skip the full export")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "ogp-commitments-full.csv"
        with full.open("w", encoding="utf-8", newline="") as handle:
            rows = generate(SUBSET, args.rounds, handle)
        store = EmbeddedStore(Path(folder) / "store", heap="1g")
        endpoint = store.start()

        async def run() -> None:
            client = Store.connect(endpoint, 600)
            try:
                await ensure_schema(client)
                t0 = time.perf_counter()
                await ensure_bundled_dataset(client)
                print(f"bundled datasets (seed + partnership): {time.perf_counter() - t0:.1f} s")
                await _timed(client, "OGP subset (503 commitments)", [str(SUBSET)])
                if not args.no_full:
                    await _timed(client, f"full OGP export ({rows} commitments)", [str(full)])
                await _timed(
                    client, "Explorer 2016, process data, US tracker", [str(p) for p in OTHERS]
                )
            finally:
                await client.close()

        try:
            asyncio.run(run())
        finally:
            store.stop()


if __name__ == "__main__":
    main()
