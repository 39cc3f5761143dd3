"""graph.records gives what the driver's ``Record.data()`` gives, for every kind of value."""

from __future__ import annotations

import copy
from typing import Any

from neo4j import Record
from neo4j.graph import Graph, Node, Path
from neo4j.spatial import CartesianPoint
from neo4j.time import Date, DateTime, Duration

from graph import compile as cc
from graph.records import row
from graph.store import BoltEndpoint
from tests.conftest import run


def _values() -> dict[str, Any]:
    graph = Graph()
    a = Node(graph, "4:x:1", 1, ["Plan"], {"id": "Plan:A", "tags": ["a", "b"]})
    b = Node(graph, "4:x:2", 2, ["Commitment"], {"id": "Commitment:B"})
    link = graph.relationship_type("HAS_COMMITMENT")(graph, "5:x:3", 3, {"since": 2020})
    link._start_node, link._end_node = a, b
    return {
        "total": 3,
        "text": "données",
        "none": None,
        "flag": True,
        "ratio": 0.5,
        "raw": b"\x00\x01",
        "node": a,
        "nodes": [a, {"inner": [b, 1, None, {"deep": [[a]]}]}],
        "rel": link,
        "path": Path(a, link),
        "when": [Date(2024, 1, 31), DateTime(2024, 1, 31, 12, 0, 0)],
        "span": Duration(months=2),
        "point": CartesianPoint((1.0, 2.0)),
        "page": [7, [{"id": "x", "__milestone": [{"code": "1"}]}]],
    }


def test_a_row_is_what_record_data_gives() -> None:
    values = _values()
    expected = Record(values.items()).data()
    found = row(Record(copy.copy(values).items()))
    assert found == expected
    assert [type(v) for v in found.values()] == [type(v) for v in expected.values()]
    assert type(found["nodes"][1]["inner"][0]) is dict  # a node inside maps and lists


def test_plain_rows_are_kept_as_they_are() -> None:
    page = [
        {"id": f"Indicator:{i}", "code": str(i), "milestone": [{"code": "m"}]} for i in range(3)
    ]
    record = Record({"total": 3, "nodes": page}.items())
    assert row(record) == {"total": 3, "nodes": page}
    assert row(record)["nodes"] is page  # not copied


def test_a_projected_statement_needs_no_conversion(store_endpoint: BoltEndpoint) -> None:
    """``Statement.projected``: the store reads such rows as the driver decodes them."""
    import neo4j

    built = cc.by_ids("Plan", cc.NESTED_SAMPLE, "en")
    assert built.statement.projected

    async def records() -> list[Record]:
        driver = neo4j.AsyncGraphDatabase.driver(
            store_endpoint.uri, auth=(store_endpoint.user, store_endpoint.password)
        )
        try:
            params = built.params | {"ids": ["Plan:CAN-2018-2020", "Plan:CAN-2022-2024"]}
            found = await driver.execute_query(
                built.statement.cypher, params, database_=store_endpoint.database
            )
            return list(found.records)
        finally:
            await driver.close()

    found = run(records())
    assert found and found[0]["node"]["__commitments"]
    for record in found:
        decoded = copy.deepcopy(dict(zip(record.keys(), record, strict=True)))
        assert row(record) == decoded  # row() changes values in place: compared with a copy
