"""The store as a service: dump and restore into another store, a store that goes away
and comes back under a running app, loads that meet on one store."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from graph.errors import StatementTimeout
from graph.locks import load_lock
from graph.statements import Statement
from graph.store import BoltEndpoint, Store
from tests.conftest import NAP_FILES, GraphQLClient, free_port, run
from tests.test_cli import ogp_graph
from tests.test_ops_cli import clean

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store


def body(dump: Path) -> list[str]:
    """The lines of a dump without its header (which holds the time it was written)."""
    with gzip.open(dump, "rt", encoding="utf-8") as lines:
        return lines.read().splitlines()[1:]


@dataclass
class Served:
    """An ``ogp-graph serve`` process, its folder, its ports and its log file."""

    data: Path
    port: int
    bolt_port: int
    log: Path
    extra_env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        env.update(self.extra_env)
        env["OGP_GRAPH_EMBEDDED_BOLT_PORT"] = str(self.bolt_port)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ogp_graph.cli",
                    *extra,
                    "serve",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        wait_ready(self.url, self.process, self.log)

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def endpoint(self) -> BoltEndpoint:
        password = (self.data / "credentials").read_text(encoding="utf-8").strip()
        return BoltEndpoint(f"bolt://127.0.0.1:{self.bolt_port}", "root", password, "ogp")


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(encoding="utf-8")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("serve did not become healthy: " + log.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A second embedded store, served by its own process on its own folder and ports."""
    folder = tmp_path_factory.mktemp("other")
    served = Served(
        folder / "data",
        free_port(),
        free_port(),
        folder / "serve.log",
        {"OGP_GRAPH_STATEMENT_TIMEOUT": "8"},
    )
    served.start("--log-format", "json")
    yield served
    served.stop()


def test_dump_restore_into_another_store_gives_the_same_graph(
    other: Served, data_dir: Path, tmp_path: Path, gql: GraphQLClient
) -> None:
    first = tmp_path / "graph.jsonl.gz"
    dumped = ogp_graph("dump", "--data-dir", str(data_dir), str(first))
    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stdout.startswith("dumped ") and "nodes" in dumped.stdout
    lines = body(first)
    assert json.loads(lines[-1])["end"] is True
    assert any('"Dataset"' in line for line in lines)  # the load records travel too

    # a restore cut off halfway: the batches before the cut are in the other store
    half = tmp_path / "half.jsonl.gz"
    nodes = [line for line in lines if line.startswith('{"node"')]
    cut = nodes[: len(nodes) // 2]
    with gzip.open(first, "rt", encoding="utf-8") as source:
        header = source.readline()
    with gzip.open(half, "wt", encoding="utf-8") as out:
        out.write(header + "\n".join(cut) + "\n")
        out.write(json.dumps({"end": True, "nodes": len(cut), "relationships": 0}) + "\n")
    assert ogp_graph("restore", "--data-dir", str(other.data), str(half)).returncode == 0

    for _ in range(2):  # run again after the cut, then once more: the same graph
        restored = ogp_graph("restore", "--data-dir", str(other.data), str(first))
        assert restored.returncode == 0, restored.stderr
        assert "using the embedded store that is running" in restored.stderr
        again = tmp_path / "again.jsonl.gz"
        assert ogp_graph("dump", "--data-dir", str(other.data), str(again)).returncode == 0
        assert body(again) == lines

    query = "{ plansAggregate { count } progressUpdatesAggregate { count } }"
    assert GraphQLClient(other.url).data(query) == gql.data(query)
    # the serve process logged JSON lines
    logged = [x for x in other.log.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
    assert logged and all("message" in json.loads(x) for x in logged)


def test_a_damaged_dump_is_refused_before_anything_is_written(
    other: Served, data_dir: Path, tmp_path: Path
) -> None:
    whole = tmp_path / "graph.jsonl.gz"
    assert ogp_graph("dump", "--data-dir", str(data_dir), str(whole)).returncode == 0
    raw = whole.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(raw[: len(raw) // 2])
    result = ogp_graph("restore", "--data-dir", str(other.data), str(cut))
    assert result.returncode == 1
    assert "cut.jsonl.gz" in result.stderr and "not a complete ogp-graph dump" in result.stderr
    clean(result.stderr)


#: far below the driver's defaults (60 s to acquire a connection), far above any machine's noise
_FAILS_FAST = 20.0


def test_the_app_fails_fast_while_its_store_is_down_and_recovers_by_itself(
    other: Served, tmp_path: Path
) -> None:
    endpoint = other.endpoint()
    app = Served(
        tmp_path / "unused",
        free_port(),
        0,
        tmp_path / "app.log",
        {
            "NEO4J_URI": endpoint.uri,
            "NEO4J_USER": endpoint.user,
            "NEO4J_PASSWORD": endpoint.password,
            "NEO4J_DATABASE": endpoint.database,
        },
    )
    app.start()
    client = httpx.Client(base_url=app.url, timeout=30)
    query = {"query": "{ plansAggregate { count } }"}
    try:
        assert client.post("/graphql", json=query).json()["data"]["plansAggregate"]["count"] > 0
        other.stop(signal.SIGKILL)  # the store goes away without a word
        for _ in range(3):
            started = time.monotonic()
            answer = client.post("/graphql", json=query)
            elapsed = time.monotonic() - started
            assert answer.status_code < 500 or answer.status_code == 503, answer.text
            assert "errors" in answer.json()
            clean(answer.text)
            # not a timing bound: the driver's own default would hold the request for 60 s
            assert elapsed < _FAILS_FAST, elapsed
        other.start()  # the same folder and Bolt port
        deadline = time.monotonic() + 30
        while True:
            answer = client.post("/graphql", json=query).json()
            if "errors" not in answer:
                break
            assert time.monotonic() < deadline, answer
            time.sleep(0.5)
        assert answer["data"]["plansAggregate"]["count"] > 0
    finally:
        client.close()
        app.stop()
        if other.process is None or other.process.poll() is not None:
            other.start()  # later tests of this module use the same store
    log = app.log.read_text(encoding="utf-8")
    assert "ResolvedIPv4Address" not in log


#: a statement that runs for minutes unless the store stops it (not in the registry)
_ENDLESS = Statement(
    "tests.endless",
    "UNWIND range(1, 3000000) AS x UNWIND range(1, 3000000) AS y "
    "WITH x, y WHERE (x + y) % 7 = 3 RETURN count(*) AS n",
)
_CHEAP = Statement("tests.cheap", "RETURN 1 AS n")


def test_a_read_on_a_connection_the_store_dropped_is_sent_again(other: Served) -> None:
    """Reads are auto-commit, which the driver does not retry: the store does. After the
    store restarts, its pooled connection is dead; the first read fails on it and is sent
    again on a new connection, so the caller sees the answer, not the failure."""
    one = Statement("tests.one", "RETURN 1 AS one")

    async def check() -> None:
        store = Store.connect(other.endpoint(), 10, connect_timeout=5)
        try:
            assert await store.read(one) == [{"one": 1}]
            other.stop()
            other.start()
            assert await store.read(one) == [{"one": 1}]
        finally:
            await store.close()

    try:
        run(check())
    finally:
        if other.process is None or other.process.poll() is not None:
            other.start()


def test_a_statement_past_its_timeout_is_stopped_by_the_embedded_store(other: Served) -> None:
    """The served store was started with OGP_GRAPH_STATEMENT_TIMEOUT=8 (arcadedb.command.timeout)."""

    async def check() -> tuple[float, float]:
        store = Store.connect(other.endpoint(), 8)
        try:
            started = time.monotonic()
            with pytest.raises(StatementTimeout):
                await store.read(_ENDLESS)
            timed_out = time.monotonic() - started
            # the store is idle again: a cheap statement is answered at once, soon after
            deadline = time.monotonic() + _FAILS_FAST
            while True:
                began = time.monotonic()
                await store.read(_CHEAP)
                if time.monotonic() - began < 0.5:
                    return timed_out, time.monotonic() - (started + timed_out)
                assert time.monotonic() < deadline, "the store is still busy"
        finally:
            await store.close()

    timed_out, idle_after = run(check())
    # stopped by the store's own timeout (8 s), not after the minutes the statement needs
    assert timed_out < 8 + _FAILS_FAST and idle_after < _FAILS_FAST


def test_a_wrong_password_is_one_line(other: Served) -> None:
    endpoint = other.endpoint()
    result = ogp_graph(
        "load",
        str(NAP_FILES["CAN-2025-2029"]),
        env={"NEO4J_URI": endpoint.uri, "NEO4J_USER": "root", "NEO4J_PASSWORD": "wrong"},
    )
    assert result.returncode == 1
    assert f"the graph store at {endpoint.uri}" in result.stderr
    assert "refused the credentials of user 'root'" in result.stderr
    clean(result.stderr)


def test_a_second_load_waits_for_the_first_or_is_refused(store_endpoint: BoltEndpoint) -> None:
    nap = str(NAP_FILES["CAN-2025-2029"])
    env = {
        "NEO4J_URI": store_endpoint.uri,
        "NEO4J_USER": store_endpoint.user,
        "NEO4J_PASSWORD": store_endpoint.password,
        "NEO4J_DATABASE": store_endpoint.database,
    }

    async def while_held(wait: str) -> tuple[int, str]:
        """Run a load while this test holds the lock; let go once the load says it waits."""
        store = Store.connect(store_endpoint, 30)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        environment.update(env, OGP_GRAPH_LOAD_WAIT=wait)
        try:
            async with load_lock(store, "a test's load", wait=10, lease=600):
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "ogp_graph.cli",
                    "load",
                    nap,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                    env=environment,
                )
                assert process.stderr is not None
                said = []
                async for line in process.stderr:
                    said.append(line.decode())
                    if "waiting for another load" in said[-1]:
                        break
            said.extend(line.decode() for line in [await process.stderr.read()])
            await process.wait()
            return process.returncode or 0, "".join(said)
        finally:
            await store.close()

    code, said = run(while_held("0"))
    assert code == 1
    assert "another load is writing to the store" in said and "a test's load" in said
    clean(said)

    code, said = run(while_held("600"))
    assert code == 0, said
    assert "waiting for another load to end: a test's load" in said


def test_two_loads_at_once_on_a_new_folder_both_succeed(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["OGP_GRAPH_LOAD_WAIT"] = "600"  # the first may take long on a busy machine
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ogp_graph.cli",
                "load",
                "--data-dir",
                data,
                str(NAP_FILES[key]),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for key in ("CAN-2025-2029", "CAN-2018-2020")
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "loaded: nap:" in out
        assert "LockException" not in err and "Duplicated" not in err
