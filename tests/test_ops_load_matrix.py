"""Loads that fail: bad files, cut files, a load killed with SIGKILL halfway.

After each, the store is byte-identical to before (compared through a dump) or,
for a load killed after its commit, fully loaded: never partial.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.statements import Statement
from graph.store import BoltEndpoint, Store
from tests.conftest import NAP_FILES, free_port, run
from tests.test_cli import ogp_graph
from tests.test_ops_cli import clean
from tests.test_ops_store import Served

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store

_LOCK_HELD = Statement("tests.lock_held", "MATCH (l:LoadLock) RETURN count(l) AS n")


def graph_of(data: Path, into: Path) -> list[dict[str, object]]:
    """The store's content as dump lines (without the header), ``loadedAt`` left out."""
    result = ogp_graph("dump", "--data-dir", str(data), str(into))
    assert result.returncode == 0, result.stderr
    with gzip.open(into, "rt", encoding="utf-8") as lines:
        items = [json.loads(line) for line in lines.read().splitlines()[1:]]
    for item in items:
        props = item.get("props")
        if isinstance(props, dict):
            props.pop("loadedAt", None)
    return items


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("matrix")
    serving = Served(folder / "data", free_port(), free_port(), folder / "serve.log", {})
    serving.start()
    yield serving
    serving.stop()


def _cut(source: Path, into: Path, fraction: float) -> Path:
    raw = source.read_bytes()
    into.write_bytes(raw[: int(len(raw) * fraction)])
    return into


def test_bad_and_cut_files_change_nothing(served: Served, tmp_path: Path) -> None:
    before = graph_of(served.data, tmp_path / "before.jsonl.gz")
    nap5 = NAP_FILES["CAN-2022-2024"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("plan: [unclosed\n", encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("reporting_period,commitments\n2023-06,Défi\n".encode("latin-1"))
    cases = [
        [str(broken)],
        [str(_cut(nap5, tmp_path / "nap5-cut.yaml", 0.5))],
        [str(_cut(nap5, tmp_path / "nap5-cut-early.yaml", 0.05))],
        [str(latin)],
        [str(NAP_FILES["CAN-2025-2029"]), str(broken)],  # a good file with a bad one
    ]
    for files in cases:
        started = time.monotonic()
        result = ogp_graph("load", "--data-dir", str(served.data), *files)
        assert result.returncode == 1, (files, result.stdout)
        assert "nothing was written" in result.stderr
        clean(result.stderr)
        assert time.monotonic() - started < 120
    assert graph_of(served.data, tmp_path / "after.jsonl.gz") == before


def _nodes_by_file(items: list[dict[str, object]]) -> Counter[str]:
    """How many nodes each source file describes (``sources`` holds ``file#entry``)."""
    counts: Counter[str] = Counter()
    for item in items:
        props = item.get("props")
        if "node" in item and isinstance(props, dict):
            counts.update({str(name).split("#")[0] for name in props.get("sources") or []})
    return counts


def _kill_while_loading(command: list[str], endpoint: BoltEndpoint | None, data: Path) -> None:
    """Start ``command``, SIGKILL it once it holds the load lock (it is writing).

    ``endpoint``: the running store the load writes to; ``None`` when the load runs its
    own store, found through its marker. Each check connects and closes in one event loop.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    deadline = time.monotonic() + 180

    async def holds_lock(at: BoltEndpoint) -> bool:
        client = Store.connect(at, 5)
        try:
            return (await client.read(_LOCK_HELD))[0]["n"] > 0
        except Exception:
            return False
        finally:
            await client.close()

    try:
        while time.monotonic() < deadline and process.poll() is None:
            if endpoint is None:
                from graph.embedded import running_store

                found = running_store(data)
            else:
                found = endpoint
            if found is not None and run(holds_lock(found)):
                time.sleep(0.3)
                break
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


@pytest.mark.parametrize("owner", ["client of a running store", "owner of its store"])
def test_a_load_killed_halfway_leaves_the_store_as_before_or_complete(
    served: Served, tmp_path: Path, owner: str
) -> None:
    before = graph_of(served.data, tmp_path / "before.jsonl.gz")
    files = [str(NAP_FILES["CAN-2022-2024"]), str(NAP_FILES["CAN-2018-2020"])]
    command = [
        sys.executable,
        "-m",
        "ogp_graph.cli",
        "load",
        "--data-dir",
        str(served.data),
        *files,
    ]
    if owner == "owner of its store":
        served.stop()
        _kill_while_loading(command, None, served.data)
        served.start()
    else:
        _kill_while_loading(command, served.endpoint(), served.data)
    after = graph_of(served.data, tmp_path / "after.jsonl.gz")
    if after != before:  # killed after a commit: each document written is there whole
        finished = ogp_graph("load", "--data-dir", str(served.data), *files)
        assert finished.returncode == 0, finished.stderr
        complete = graph_of(served.data, tmp_path / "complete.jsonl.gz")
        old, found, whole = (_nodes_by_file(x) for x in (before, after, complete))
        written = {name for name in found if found[name] != old.get(name, 0)}
        assert written, "the store changed, but no document's nodes did"
        assert {name: found[name] for name in written} == {name: whole[name] for name in written}
        datasets = [
            sum(1 for x in items if x.get("node") == "Dataset") for items in (before, after)
        ]
        assert datasets[1] - datasets[0] == len(written)  # each recorded as loaded
    # the next load is not locked out by the killed one
    again = ogp_graph("load", "--data-dir", str(served.data), str(NAP_FILES["CAN-2022-2024"]))
    assert again.returncode == 0, again.stderr
