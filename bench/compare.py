"""ogp-graph against the Neo4j GraphQL Library (the peer) and a hand-written statement.

``python bench/compare.py [--scales 1,100] [--seconds 5]`` starts one embedded store, loads the
bundled dataset and the Canada tracker definitions, then for each scale (copies of the
Canada plans, see bench/scale.py): serves ogp-graph (uvicorn, one worker) and the peer
(`@neo4j/graphql` on Apollo Server, installed with `npm ci` in bench/peer) on that store,
checks that both answer every query the same (after bringing them to one shape), then
measures with `wrk` latency p50 at concurrency 1 and throughput at 8 and 32, server CPU per
request (from /proc), and the p50 of one hand-written statement per query through the
Python driver. Prints a table of ratios and writes bench/latency.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import neo4j

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.peer_schema import type_definitions  # noqa: E402
from bench.queries import Case, cases  # noqa: E402
from bench.scale import multiply  # noqa: E402
from graph.constraints import ensure_schema  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from graph.index_order import ensure_index_order  # noqa: E402
from graph.search import ensure_search_index  # noqa: E402
from graph.store import BoltEndpoint, Store  # noqa: E402
from ogp_graph.loading import ensure_bundled_dataset, load_locations  # noqa: E402

NAP = ROOT.parent / "shared" / "data" / "canada-nap"
PEER = Path(__file__).resolve().parent / "peer"
TICK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its live child processes (the workers)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    total = sum(int(fields[i]) for i in (11, 12)) / TICK
    return total + sum(_cpu_seconds(int(c)) for c in children)


@dataclass
class Server:
    """A server process and its GraphQL address."""

    name: str
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _wait_ready(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            httpx.post(url, json={"query": "{ __typename }"}, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer within 120 s")


def _store_env(endpoint: BoltEndpoint) -> dict[str, str]:
    return os.environ | {
        "NEO4J_URI": endpoint.uri,
        "NEO4J_USER": endpoint.user,
        "NEO4J_PASSWORD": endpoint.password,
        "NEO4J_DATABASE": endpoint.database,
    }


_SERVE = (
    "import sys, uvicorn\n"
    "from ogp_graph.nodelay import NoDelayHttpToolsProtocol\n"
    "uvicorn.run('schema.app:create_app_from_env', factory=True, host='127.0.0.1',\n"
    "    port=int(sys.argv[1]), workers=int(sys.argv[2]), http=NoDelayHttpToolsProtocol,\n"
    "    log_level='warning', access_log=False)\n"
)


def start_ours(endpoint: BoltEndpoint, workers: int) -> Server:
    """ogp-graph as `serve` runs it (same protocol, workers), without the access log."""
    port = _free_port()
    cmd = [sys.executable, "-c", _SERVE, str(port), str(workers)]
    process = subprocess.Popen(cmd, cwd=ROOT, env=_store_env(endpoint))
    url = f"http://127.0.0.1:{port}/graphql"
    _wait_ready(url, process, "ogp-graph")
    return Server("ogp-graph", process, url)


def start_peer(endpoint: BoltEndpoint, folder: Path) -> Server:
    if not (PEER / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)
    typedefs = folder / "peer.graphql"
    typedefs.write_text(type_definitions(), encoding="utf-8")
    port = _free_port()
    env = _store_env(endpoint) | {"PEER_PORT": str(port), "PEER_TYPEDEFS": str(typedefs)}
    process = subprocess.Popen(["node", "server.mjs"], cwd=PEER, env=env)
    url = f"http://127.0.0.1:{port}/graphql"
    _wait_ready(url, process, "the peer")
    return Server("peer", process, url)


def ask(http: httpx.Client, url: str, query: str) -> dict:
    body = http.post(url, json={"query": query}).json()
    if body.get("errors"):
        raise RuntimeError(f"{url}: {json.dumps(body['errors'])[:800]}\nquery: {query}")
    return body["data"]


def check_equal(
    http: httpx.Client, ours: Server, peer: Server, case: Case, endpoint: BoltEndpoint
) -> None:
    """Both servers answer the same (or, without a peer query, as ogp-graph's engine does)."""
    a = case.ours_shape(ask(http, ours.url, case.ours))
    if case.peer is not None:
        b, who = case.peer_shape(ask(http, peer.url, case.peer)), "peer"
    else:
        assert case.expected is not None
        b, who = asyncio.run(case.expected(endpoint)), "engine"
    if a != b:
        raise RuntimeError(
            f"answers differ on {case.name!r}:\nogp-graph {json.dumps(a)[:1500]}\n"
            f"{who:<9} {json.dumps(b)[:1500]}"
        )
    if case.cypher_shape is not None:
        c = asyncio.run(hand_answer(endpoint, case))
        if a != c:
            raise RuntimeError(
                f"the hand-written statement answers {case.name!r} otherwise:\n"
                f"ogp-graph {json.dumps(a)[:1500]}\nCypher    {json.dumps(c)[:1500]}"
            )


async def hand_answer(endpoint: BoltEndpoint, case: Case) -> Any:
    """The hand-written statement's answer (its last step's records) in ogp-graph's shape."""
    assert case.cypher_shape is not None
    steps = await case.steps(endpoint) if case.steps else [(case.cypher, case.params)]
    driver = neo4j.AsyncGraphDatabase.driver(endpoint.uri, auth=(endpoint.user, endpoint.password))
    try:
        records: list[Any] = []
        for cypher, params in steps:
            result = await driver.execute_query(cypher, params, database_=endpoint.database)
            records = [record.data() for record in result.records]
        return case.cypher_shape(records)
    finally:
        await driver.close()


def latency(server: Server, query: str, seconds: int, folder: Path) -> float:
    """p50 in ms at concurrency 1: ``wrk`` with one connection and one thread, keep-alive
    requests one after the other for ``seconds`` (its latency histogram, ``--latency``).

    The load generator is the same for both servers and adds tens of microseconds, where
    a Python HTTP client adds most of a millisecond to every request on either side.
    """
    out = _wrk(server, query, ["-t", "1", "-c", "1", "--latency"], seconds, folder)
    found = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if found is None:  # nothing finished within the run
        return math.nan
    value, unit = float(found.group(1)), found.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {body}
"""


def _wrk(server: Server, query: str, options: list[str], seconds: int, folder: Path) -> str:
    """Run ``wrk`` against ``server`` posting ``query``; its report (refused on non-2xx)."""
    script = folder / "post.lua"
    script.write_text(_LUA.format(body=json.dumps(json.dumps({"query": query}))), encoding="utf-8")
    out = subprocess.run(
        ["wrk", *options, "-d", f"{seconds}s", "--timeout", "60s", "-s", str(script), server.url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk on {server.name}: {out}")
    return out


def throughput(
    server: Server, query: str, connections: int, seconds: int, folder: Path
) -> tuple[float, float]:
    """Requests per second with ``wrk`` at ``connections``, and server CPU ms per request."""
    before = _cpu_seconds(server.process.pid)
    out = _wrk(server, query, ["-t", "2", "-c", str(connections)], seconds, folder)
    cpu = _cpu_seconds(server.process.pid) - before
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    if total == 0:  # nothing finished within the run: no rate to report
        return 0.0, float("nan")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rate, cpu * 1000 / total


async def floor_p50(endpoint: BoltEndpoint, case: Case, budget: float) -> float:
    """p50 in ms of the hand-written statement(s) through the async Python driver."""
    steps = await case.steps(endpoint) if case.steps else [(case.cypher, case.params)]
    driver = neo4j.AsyncGraphDatabase.driver(endpoint.uri, auth=(endpoint.user, endpoint.password))

    async def once() -> None:
        for cypher, params in steps:
            await driver.execute_query(cypher, params, database_=endpoint.database)

    try:
        times: list[float] = []
        started = time.perf_counter()
        await once()
        while len(times) < 200 and (time.perf_counter() - started < budget or len(times) < 5):
            t0 = time.perf_counter()
            await once()
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)
    finally:
        await driver.close()


@dataclass
class Row:
    scale: int
    query: str
    p50: dict[str, float] = field(default_factory=dict)
    rate8: dict[str, float] = field(default_factory=dict)
    rate32: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


async def load(endpoint: BoltEndpoint) -> None:
    client = Store.connect(endpoint, 600)
    try:
        await ensure_schema(client)
        await ensure_bundled_dataset(client)
        files = sorted(str(p) for p in NAP.glob("*.yaml"))
        await load_locations(client, files)
        await ensure_index_order(client)  # after a load, as `ogp-graph load` does
    finally:
        await client.close()


async def scale_to(endpoint: BoltEndpoint, factor: int) -> int:
    """Multiply the Canada plans (``bench/scale.py``), then index the copies for search."""
    driver = neo4j.AsyncGraphDatabase.driver(endpoint.uri, auth=(endpoint.user, endpoint.password))
    try:
        created = await multiply(driver, endpoint.database, factor)
    finally:
        await driver.close()
    store = Store.connect(endpoint, 600)
    try:
        await ensure_search_index(store)
    finally:
        await store.close()
    return created


def measure(
    endpoint: BoltEndpoint, scale: int, args: argparse.Namespace, folder: Path
) -> list[Row]:
    rows = []
    ours = start_ours(endpoint, args.workers)
    peer = start_peer(endpoint, folder)
    try:
        with httpx.Client(timeout=120) as http:
            for case in cases():
                if args.only and args.only not in case.name:
                    continue
                check_equal(http, ours, peer, case, endpoint)
                print(f"[{scale}x] {case.name}: answers equal", flush=True)
                if args.check:
                    continue
                row = Row(scale, case.name)
                row.p50["peer"] = row.rate8["peer"] = row.rate32["peer"] = math.nan
                row.cpu["peer"] = math.nan
                servers = [(ours, case.ours)]
                if case.peer is not None:
                    servers.append((peer, case.peer))
                for server, query in servers:
                    ask(http, server.url, query)  # warm
                row.p50.update(p50_rounds(servers, endpoint, case, args, folder))
                for server, query in servers:
                    for c, target in ((8, row.rate8), (32, row.rate32)):
                        rate, cpu = throughput(server, query, c, args.seconds, folder)
                        target[server.name] = rate
                        if c == 8:
                            row.cpu[server.name] = cpu
                print(_line(row), flush=True)
                rows.append(row)
    finally:
        ours.stop()
        peer.stop()
    return rows


def p50_rounds(
    servers: list[tuple[Server, str]],
    endpoint: BoltEndpoint,
    case: Case,
    args: argparse.Namespace,
    folder: Path,
) -> dict[str, float]:
    """The p50 of each server and of the hand-written statement: ``args.rounds`` rounds, each
    measuring them one after the other for half of ``args.seconds``; the median of each one's
    rounds. Taken in turn, all three see the machine as it is in that minute: measured
    apart, a shared machine's drift between them became their ratio."""
    seconds = max(1, round(args.seconds / 2))
    found: dict[str, list[float]] = {name: [] for name in [s.name for s, _ in servers] + ["cypher"]}
    for _ in range(args.rounds):
        for server, query in servers:
            found[server.name].append(latency(server, query, seconds, folder))
        found["cypher"].append(asyncio.run(floor_p50(endpoint, case, seconds)))
    return {name: statistics.median(values) for name, values in found.items()}


def _line(r: Row) -> str:
    o, p, c = r.p50["ogp-graph"], r.p50["peer"], r.p50["cypher"]
    return (
        f"| {r.scale}x | {r.query} | {o:.1f} | {p:.1f} | {c:.1f} | {o / p:.2f} | {o / c:.2f} | "
        f"{_ratio(r.rate8)} | {_ratio(r.rate32)} | "
        f"{r.cpu['ogp-graph']:.1f} / {r.cpu['peer']:.1f} |"
    )


def _ratio(rates: dict[str, float]) -> str:
    ours, peer = rates["ogp-graph"], rates["peer"]
    ratio = f"{ours / peer:.2f}" if peer and not math.isnan(peer) else "n/a"
    return f"{ours:.0f} / {peer:.0f} = {ratio}"


HEADER = (
    "| data | query | p50 ogp-graph ms | p50 peer ms | p50 Cypher ms | p50 / peer | p50 / Cypher "
    "| req/s c=8 (ours / peer = ratio) | req/s c=32 | CPU ms per request (ours / peer) |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(r.query for r in rows))
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        mine = sorted((r for r in rows if r.query == name), key=lambda r: r.scale)
        for who, style in (("ogp-graph", "o-"), ("peer", "s--"), ("cypher", "^:")):
            ax.plot([r.scale for r in mine], [r.p50[who] for r in mine], style, label=who)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(name, fontsize=7)
        ax.set_xlabel("data (x Canada plans)")
    axes[0][0].set_ylabel("p50 latency at c=1 (ms)")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scales", default="1,100", help="data sizes, in copies of the Canada plans"
    )
    parser.add_argument(
        "--seconds", type=int, default=5, help="per throughput run and latency budget"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="p50 rounds, taken in turn with the peer's"
    )
    parser.add_argument("--only", default="", help="run only the queries whose name holds this")
    parser.add_argument("--workers", type=int, default=1, help="ogp-graph's worker processes")
    parser.add_argument("--check", action="store_true", help="only check that answers are equal")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    scales = [int(s) for s in args.scales.split(",")]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = EmbeddedStore(folder / "store", heap="2g")
        endpoint = store.start()
        try:
            asyncio.run(load(endpoint))
            current = 1
            for scale in scales:
                if scale > current:
                    t0 = time.perf_counter()
                    # copies are counted from the original plans: multiply to reach `scale`
                    created = asyncio.run(scale_to(endpoint, scale - current + 1))
                    print(
                        f"scaled to {scale}x: {created} nodes in {time.perf_counter() - t0:.0f} s"
                    )
                    current = scale
                rows += measure(endpoint, scale, args, folder)
        finally:
            store.stop()
    print("\n" + HEADER)
    for row in rows:
        print(_line(row))
    if len(scales) > 1 and rows:
        plot(rows, Path(__file__).resolve().parent / "latency.png")


if __name__ == "__main__":
    main()
    os._exit(0)  # the store is stopped; do not wait on the idle JVM's teardown
