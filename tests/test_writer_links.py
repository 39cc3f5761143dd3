"""Relationships between nodes the store already holds, on the embedded store: the writer
looks them up (from the end with fewer of them), creates only those it lacks, sets new
properties on those it has, and counts each as it is."""

from __future__ import annotations

from typing import Any

from graph.document import GraphDocument
from graph.model import SINGLE_START, Relation
from graph.statements import statement
from graph.store import BoltEndpoint, Store
from graph.writer import Removal, WriteReport, write_document
from tests.conftest import run

_PREFIX = "writer-links-test"
_COUNTRY = f"Country:{_PREFIX}"
_PARTNERSHIP = f"Partnership:{_PREFIX}"
_FIRST, _SECOND = f"Department:{_PREFIX}-1", f"Department:{_PREFIX}-2"

_LINKS = statement(
    "test.writer_links.links",
    "MATCH (c:Country {id: $id})-[r]->(n) "
    "RETURN type(r) AS type, n.id AS end, r.since AS since ORDER BY type, end",
)
_REMOVE = statement(
    "test.writer_links.remove",
    "MATCH (n) WHERE n.id IN $ids WITH collect(n) AS found "
    "WITH found, [n IN found | [n.searchDoc, n.searchIndexed]] AS gone "
    "FOREACH (n IN found | DETACH DELETE n) RETURN size(found) AS n, gone",
)


def _nodes() -> GraphDocument:
    doc = GraphDocument(f"{_PREFIX}-nodes", "1")
    source = f"{_PREFIX}#nodes"
    doc.add_node("Country", _PREFIX, source, {"name_en": "Writer links test"})
    doc.add_node("Partnership", _PREFIX, source, {"name_en": "Writer links test"})
    doc.add_node("Department", f"{_PREFIX}-1", source, {"name_en": "First office"})
    doc.add_node("Department", f"{_PREFIX}-2", source, {"name_en": "Second office"})
    doc.link("MEMBER_OF", _COUNTRY, _PARTNERSHIP, {"since": "2011-09"})
    doc.link("HAS_INSTITUTION", _COUNTRY, _FIRST)
    return doc


def _links(name: str, since: str) -> GraphDocument:
    """Only relationships, between nodes another document wrote."""
    doc = GraphDocument(f"{_PREFIX}-{name}", "1")
    doc.link("MEMBER_OF", _COUNTRY, _PARTNERSHIP, {"since": since})
    doc.link("HAS_INSTITUTION", _COUNTRY, _FIRST)
    doc.link("HAS_INSTITUTION", _COUNTRY, _SECOND)
    return doc


def test_a_department_is_looked_up_from_its_one_member() -> None:
    assert Relation("Country", "HAS_INSTITUTION", "Department") in SINGLE_START
    assert Relation("Plan", "HAS_COMMITMENT", "Commitment") in SINGLE_START
    # a policy area tags thousands of commitments, a commitment a few areas
    assert Relation("Commitment", "HAS_POLICY_AREA", "PolicyArea") not in SINGLE_START


def test_links_between_stored_nodes_are_made_once(store_endpoint: BoltEndpoint) -> None:
    async def scenario() -> None:
        store = Store.connect(store_endpoint, 60)

        async def links() -> list[dict[str, Any]]:
            return await store.read(_LINKS, id=_COUNTRY)

        async def write(doc: GraphDocument, **kwargs: Any) -> WriteReport:
            return await write_document(store, doc, **kwargs)

        try:
            first = await write(_nodes())
            assert (first.relationships_created, first.relationships_existing) == (2, 0)

            dry = await write(_links("dry", "2012-01"), dry_run=True)
            assert (dry.relationships_created, dry.relationships_existing) == (1, 2)
            assert [row["end"] for row in await links()] == [_FIRST, _PARTNERSHIP]

            again = await write(_links("again", "2012-01"))
            assert (again.relationships_created, again.relationships_existing) == (1, 2)
            assert await links() == [
                {"type": "HAS_INSTITUTION", "end": _FIRST, "since": None},
                {"type": "HAS_INSTITUTION", "end": _SECOND, "since": None},
                {"type": "MEMBER_OF", "end": _PARTNERSHIP, "since": "2012-01"},
            ]

            same = await write(_links("again", "2012-01"))
            assert (same.relationships_created, same.relationships_existing) == (0, 3)
            assert len(await links()) == 3
        finally:
            removal = Removal(
                "test nodes", _REMOVE, {"ids": [_COUNTRY, _PARTNERSHIP, _FIRST, _SECOND]}
            )
            await write(GraphDocument(f"{_PREFIX}-cleanup", "1"), removals=(removal,))
            await store.close()

    run(scenario())
