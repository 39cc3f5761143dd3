"""The worker processes that index a big write's new nodes (:mod:`graph.index_workers`).

What they make must be what the writer makes in-process, bit for bit: the same
``searchIndexed``, the same keys and weights in the buckets, the same numbering.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import index_workers
from graph.derived import new_node_facts, new_node_properties
from graph.document import GraphDocument, NodeRecord
from graph.errors import StoreRejected
from graph.model import ENTITY_LABELS
from graph.search_index import (
    META_ID,
    READ_BUCKETS,
    WEIGHT_SCALE,
    DocumentIndex,
    bucket_id,
    read_bucket,
)
from graph.statements import statement
from graph.store import BoltEndpoint, Store
from graph.writer import Removal, write_document
from loaders.partnership_dataset import bundled_partnership_document
from tests.conftest import run


@pytest.fixture(scope="module")
def nodes() -> list[NodeRecord]:
    """The bundled partnership's indexed nodes: texts in both languages, codes, names."""
    doc = bundled_partnership_document()
    return [node for node in doc.nodes if node.label in ENTITY_LABELS]


@pytest.fixture
def workers() -> Iterator[None]:
    """Workers for any write, stopped after the test."""
    yield
    index_workers.stop()


def test_the_index_of_a_node_s_facts_is_that_of_all_its_properties(
    nodes: list[NodeRecord],
) -> None:
    """Workers index the facts alone (no folding of long texts twice): no derived property
    may ever be searched."""
    assert len(nodes) > 50
    for node in nodes:
        assert DocumentIndex.of(new_node_facts(node)) == DocumentIndex.of(
            new_node_properties(node)
        ), node.id


def test_workers_make_the_indexes_the_writer_would(
    nodes: list[NodeRecord], workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_workers, "CHUNK", 7)
    made = index_workers.NewIndexes(nodes)
    assert all(node.id in made for node in nodes)
    for node in nodes:
        assert made.take(node.id) == DocumentIndex.of(new_node_properties(node)), node.id
    with pytest.raises(KeyError):
        made.take(nodes[0].id)  # taken once


def test_a_worker_that_dies_leaves_its_nodes_to_the_writer(
    nodes: list[NodeRecord],
    workers: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(index_workers, "CHUNK", 1)
    made = index_workers.NewIndexes(nodes)
    pool = index_workers._pool
    assert pool is not None
    for pid in list(pool._processes):  # killed before they can have imported the analyser
        os.kill(pid, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger="graph.index_workers"):
        for node in nodes:
            assert made.take(node.id) == DocumentIndex.of(new_node_properties(node))
    assert "a worker process stopped" in caplog.text
    assert index_workers._pool is None  # the next big write starts new workers


def test_workers_that_died_between_writes_leave_the_next_write_to_the_writer(
    nodes: list[NodeRecord],
    workers: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Kept workers killed while idle: the next write finds its pool broken at once, makes
    its indexes itself (one warning), and the write after it has workers again."""
    monkeypatch.setattr(index_workers, "CHUNK", 10)
    first = index_workers.NewIndexes(nodes[:10])
    first.take(nodes[0].id)
    pool = index_workers._pool
    assert pool is not None
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not pool._broken and time.monotonic() < deadline:  # the pool notices on its own
        time.sleep(0.05)
    with caplog.at_level(logging.WARNING, logger="graph.index_workers"):
        made = index_workers.NewIndexes(nodes)
        for node in nodes:
            assert made.take(node.id) == DocumentIndex.of(new_node_properties(node))
    assert caplog.text.count("a worker process stopped") == 1
    again = index_workers.NewIndexes(nodes[:20])
    assert index_workers._pool is not None and index_workers._pool is not pool
    assert again.take(nodes[5].id) == DocumentIndex.of(new_node_properties(nodes[5]))


_LEAVES_ABRUPTLY = """
import os, sys
from graph import index_workers
pool = index_workers._workers()
pool.submit(int, "1").result()  # the workers are up
print(" ".join(map(str, pool._processes)), flush=True)
os._exit(0)  # as the command line leaves: no atexit hook
"""


def test_workers_end_with_the_process_that_started_them() -> None:
    """A parent that leaves by ``os._exit`` or is killed leaves no worker behind."""
    found = subprocess.run(
        [sys.executable, "-c", _LEAVES_ABRUPTLY],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
        check=True,
    )
    pids = [int(pid) for pid in found.stdout.split()]
    assert pids  # started on demand: one, here
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; its parent (init) reaps it


def test_small_writes_and_single_cores_keep_their_indexing_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert not index_workers.worth_it(index_workers.MIN_NODES - 1)
    assert index_workers.worth_it(index_workers.MIN_NODES)
    assert index_workers.new_indexes([]) is None
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not index_workers.worth_it(index_workers.MIN_NODES)


# --- on the store ----------------------------------------------------------------------------

_TEXTS = [
    ("Open contracting data", "Données ouvertes sur les marchés publics", "C01.2"),
    ("Beneficial ownership register", "Registre des bénéficiaires effectifs", "C02"),
    ("Open data for the budget", "Données ouvertes budgétaires", "C01.10"),
]

_REMOVE = statement(
    "test.index_workers.remove",
    "MATCH (c:Commitment) WHERE c.id STARTS WITH $prefix WITH collect(c) AS found "
    "WITH found, [c IN found | [c.searchDoc, c.searchIndexed]] AS gone "
    "FOREACH (c IN found | DETACH DELETE c) RETURN size(found) AS n, gone",
)
_WRITTEN = statement(
    "test.index_workers.written",
    "MATCH (c:Commitment) WHERE c.id STARTS WITH $prefix "
    "RETURN c.id AS id, properties(c) AS props ORDER BY c.id",
)


def _doc(name: str) -> GraphDocument:
    doc = GraphDocument(name, "1")
    for number in range(12):
        title_en, title_fr, code = _TEXTS[number % len(_TEXTS)]
        doc.add_node(
            "Commitment",
            f"{name}-{number:02d}",
            f"{name}#commitments/{number}",
            {
                "code": code,
                "title_en": f"{title_en} {number}",
                "title_fr": title_fr,
                "description_en": f"{title_en}, and more on it. " * (number + 1),
            },
            defaults={"status": "ongoing"},
        )
    return doc


@pytest.mark.store
def test_a_write_by_the_workers_stores_what_the_writer_makes_in_process(
    store_endpoint: BoltEndpoint, workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every node holds the properties and ``searchIndexed`` the writer makes in-process,
    new documents are numbered in the order of their ids, and each of a node's keys gives
    its document the weight of the in-process index in the buckets."""
    doc = _doc("idxw")

    async def scenario() -> dict[str, Any]:
        store = Store.connect(store_endpoint, 60)
        try:
            monkeypatch.setattr(index_workers, "MIN_NODES", 1)
            monkeypatch.setattr(os, "cpu_count", lambda: 2)
            report = await write_document(store, doc)
            written = await store.read(_WRITTEN, prefix="Commitment:idxw-")
            keys = {key for node in doc.nodes for key in _index(node).key_list()}
            rows = await store.read(READ_BUCKETS, ids=sorted({bucket_id(k) for k in keys}))
            texts = {row["id"]: row["postings"] for row in rows}
            postings = {k: read_bucket(texts[bucket_id(k)], [k])[k].as_dict() for k in keys}
            return {"report": report, "written": written, "postings": postings}
        finally:
            # the session store's other tests count commitments: these go, index and all
            removal = Removal("commitments", _REMOVE, {"prefix": "Commitment:idxw-"})
            await write_document(store, GraphDocument("idxw", "gone"), removals=(removal,))
            await store.close()

    found = run(scenario())
    assert found["report"].created == {"Commitment": 12}
    written = {row["id"]: row["props"] for row in found["written"]}
    assert sorted(written) == sorted(node.id for node in doc.nodes)
    numbers = [written[node_id]["searchDoc"] for node_id in sorted(written)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 12
    for node in doc.nodes:
        stored, index = written[node.id], _index(node)
        expected = {**new_node_properties(node), "searchIndexed": index.vector}
        assert {k: v for k, v in stored.items() if k in expected} == expected
        weights = array("d")
        weights.frombytes(index.weights)
        for key, weight in zip(index.key_list(), weights, strict=True):
            assert found["postings"][key][stored["searchDoc"]] == min(
                65535, round(weight * WEIGHT_SCALE)
            ), key


def _index(node: NodeRecord) -> DocumentIndex:
    return DocumentIndex.of(new_node_properties(node))


@pytest.mark.store
def test_a_failed_write_through_the_workers_stores_nothing(
    store_endpoint: BoltEndpoint, workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relationship to a node that is nowhere fails the write after its nodes were
    created and while the workers index them: nothing is stored, no document numbered,
    and the next write through the workers goes through."""
    broken = _doc("idxw-broken")
    broken.link("HAS_COMMITMENT", "Plan:idxw-nowhere", "Commitment:idxw-broken-00")

    async def scenario() -> tuple[list[Any], Any, Any, Any]:
        store = Store.connect(store_endpoint, 60)
        try:
            monkeypatch.setattr(index_workers, "MIN_NODES", 1)
            monkeypatch.setattr(os, "cpu_count", lambda: 2)
            meta = (await store.read(READ_BUCKETS, ids=[META_ID]))[0]
            with pytest.raises(StoreRejected, match="neither in the file nor in the store"):
                await write_document(store, broken)
            left = await store.read(_WRITTEN, prefix="Commitment:idxw-broken")
            after = (await store.read(READ_BUCKETS, ids=[META_ID]))[0]
            report = await write_document(store, _doc("idxw-after"))
            return left, (meta["nextDoc"], meta["docs"]), (after["nextDoc"], after["docs"]), report
        finally:
            removal = Removal("commitments", _REMOVE, {"prefix": "Commitment:idxw-"})
            await write_document(store, GraphDocument("idxw", "gone"), removals=(removal,))
            await store.close()

    left, before, after, report = run(scenario())
    assert left == []
    assert before == after
    assert report.created == {"Commitment": 12}
