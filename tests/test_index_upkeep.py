"""The search index's upkeep by the writer, on the embedded store: each node gets its index
properties in the statement that writes it, and the buckets follow creations, changes,
reloads that change nothing, and removals."""

from __future__ import annotations

from typing import Any

import pytest

from graph.document import GraphDocument
from graph.search_index import (
    META_ID,
    READ_BUCKETS,
    IndexUpdate,
    bucket_id,
    indexed_keys,
    read_bucket,
)
from graph.statements import statement
from graph.store import BoltEndpoint, Store, Transaction
from graph.writer import Removal, WriteReport, write_document
from tests.conftest import run

pytestmark = pytest.mark.store

_PERSON = statement(
    "test.index_upkeep.person",
    "MATCH (p:Person {id: $id}) RETURN p.searchDoc AS doc, p.searchIndexed AS keys, "
    "p.loadedAt AS loadedAt",
)
_REMOVE = statement(
    "test.index_upkeep.remove",
    "MATCH (p:Person) WHERE p.id IN $ids WITH collect(p) AS found "
    "WITH found, [p IN found | [p.searchDoc, p.searchIndexed]] AS gone "
    "FOREACH (p IN found | DETACH DELETE p) RETURN size(found) AS n, gone",
)
_ID = "Person:index-upkeep-test"


def _doc(name: str) -> GraphDocument:
    doc = GraphDocument("index-upkeep-test", name)
    doc.add_node("Person", "index-upkeep-test", "test#people/0", {"name": name})
    return doc


async def _docs_of(store: Store, *keys: str) -> dict[str, set[int]]:
    rows = await store.read(READ_BUCKETS, ids=sorted({bucket_id(key) for key in keys}))
    texts = {row["id"]: row["postings"] for row in rows}
    found = {}
    for key in keys:
        postings = read_bucket(texts.get(bucket_id(key)), [key]).get(key)
        found[key] = set(postings.docs) if postings else set()
    return found


def test_the_writer_keeps_the_index_with_the_facts(store_endpoint: BoltEndpoint) -> None:
    async def scenario() -> None:
        store = Store.connect(store_endpoint, 60)

        async def write(doc: GraphDocument, **kwargs: Any) -> WriteReport:
            return await write_document(store, doc, **kwargs)

        async def person() -> dict[str, Any]:
            return (await store.read(_PERSON, id=_ID))[0]

        try:
            await write(_doc("Zyxwvut Qwertyuiop"))
            first = await person()
            assert isinstance(first["doc"], int)
            assert "en:zyxwvut" in indexed_keys(first["keys"])
            found = await _docs_of(store, "en:zyxwvut", "fr:qwertyuiop")
            assert found == {"en:zyxwvut": {first["doc"]}, "fr:qwertyuiop": {first["doc"]}}

            meta = (await store.read(READ_BUCKETS, ids=[META_ID]))[0]
            again = await write(_doc("Zyxwvut Qwertyuiop"))
            assert sum(again.unchanged.values()) == 1 and not again.updated
            assert await person() == first  # not written again, index untouched
            assert (await store.read(READ_BUCKETS, ids=[META_ID]))[0] == meta

            changed = await write(_doc("Zyxwvut Asdfghjkl"))
            assert sum(changed.updated.values()) == 1
            second = await person()
            assert second["doc"] == first["doc"] and second["keys"] != first["keys"]
            assert await _docs_of(store, "en:asdfghjkl", "en:qwertyuiop") == {
                "en:asdfghjkl": {first["doc"]},
                "en:qwertyuiop": set(),
            }

            removal = Removal("people", _REMOVE, {"ids": [_ID]})
            report = await write(GraphDocument("index-upkeep-test", "gone"), removals=(removal,))
            assert report.removed == {"people": 1}
            assert await _docs_of(store, "en:zyxwvut", "en:asdfghjkl") == {
                "en:zyxwvut": set(),
                "en:asdfghjkl": set(),
            }
            after = (await store.read(READ_BUCKETS, ids=[META_ID]))[0]
            assert after["docs"] == meta["docs"] - 1
        finally:
            await store.close()

    run(scenario())


class _RolledBack(Exception):
    """Ends a test's transaction without committing it."""


_DROP_META = statement(
    "test.index_upkeep.drop_meta",
    "MATCH (m:SearchIndex {id: $id}) DELETE m RETURN count(m) AS n",
)


def test_an_empty_index_is_rebuilt_where_the_store_holds_entities(
    store_endpoint: BoltEndpoint,
) -> None:
    """A write into a store whose index is gone (an upgrade, a store written without it)
    rebuilds it from every entity; in a new store (no entity yet), the first write indexes
    its nodes as any other write does (every store-backed test runs on such a store)."""

    async def scenario() -> tuple[bool, bool]:
        store = Store.connect(store_endpoint, 60)
        found: list[bool] = []

        async def work(tx: Transaction) -> None:
            found.append((await IndexUpdate.begin(tx)).fresh)
            assert (await tx.run(_DROP_META, id=META_ID))[0]["n"] == 1
            found.append((await IndexUpdate.begin(tx)).fresh)
            raise _RolledBack

        try:
            with pytest.raises(_RolledBack):
                await store.write_all(work, "a test's rolled-back transaction")
            assert (await store.read(READ_BUCKETS, ids=[META_ID]))[0]["docs"] > 0
        finally:
            await store.close()
        return found[0], found[1]

    assert run(scenario()) == (False, True)
