"""Root pages in id order read through the ``id_sort`` index, where the store walks it.

First without a store (the statement's two shapes, reading its rows, reading plans), then
on the embedded store: the loaded store walks its indexes, the compiled page is planned
as an index walk, and an index created before its label had nodes (as in a fresh store)
is walked once :func:`graph.index_order.ensure_index_order` has created it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j
import pytest

from graph import compile as cc
from graph import index_order
from graph import query_builder as qb
from graph.constraints import schema_statements
from graph.fields import FIELDS
from graph.settings import StoreSettings
from graph.statements import Statement
from graph.store import BoltEndpoint, Store
from schema.app import create_app
from schema.settings import ApiSettings
from tests.conftest import GraphQLClient, compiler_off, in_process, run

PICK = cc.Pick("Indicator", ("code",))


def test_a_page_in_id_order_is_returned_by_the_final_order_by() -> None:
    """Every indicator in id order: ``RETURN ... ORDER BY ... SKIP ... LIMIT`` (the store
    walks the index and stops at the page's end), the total in a branch of its own."""
    counted = cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 5, 10, True, index_walked=True)
    assert counted.statement.cypher == (
        "CALL { MATCH (n:Indicator) RETURN count(n) AS total } RETURN total, null AS node "
        "UNION ALL "
        "MATCH (n:Indicator) RETURN null AS total, n {.id, .code} AS node "
        "ORDER BY n.id_sort ASC SKIP $p0 LIMIT $p1"
    )
    assert counted.statement.name == "compiled.page_by_index[Indicator]"
    assert counted.params == {"p0": 5, "p1": 10}
    rows = cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 5, 10, False, index_walked=True)
    assert rows.statement.cypher == (
        "MATCH (n:Indicator) RETURN n {.id, .code} AS node ORDER BY n.id_sort ASC SKIP $p0 LIMIT $p1"
    )
    # sorting by id asks for the same order
    by_id = (qb.Order("id", "ASC"),)
    same = cc.page("Indicator", PICK, qb.EVERYTHING, by_id, "en", 0, 1, True, index_walked=True)
    assert same.statement.cypher == counted.statement.cypher


def test_other_pages_sort_every_match() -> None:
    """A filter, another order, a label listed in another order, or a store that does not
    walk the index: the shape that sorts every match and projects only the page."""
    where = qb.Where(conditions=(qb.Condition("code", "startsWith", "C0"),))
    plan_pick = cc.Pick("Plan", ("title_en",))
    others = [
        cc.page("Indicator", PICK, where, (), "en", 0, 1, True, index_walked=True),
        cc.page(
            "Indicator", PICK, qb.EVERYTHING, (qb.Order("id", "DESC"),), "en", 0, 1, True, True
        ),
        cc.page(
            "Indicator", PICK, qb.EVERYTHING, (qb.Order("code", "ASC"),), "en", 0, 1, True, True
        ),
        cc.page("Plan", plan_pick, qb.EVERYTHING, (), "en", 0, 1, True, index_walked=True),
        cc.page("Plan", plan_pick, qb.EVERYTHING, (), "en", 0, 1, True, index_walked=False),
        cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 0, 1, True, index_walked=False),
    ]
    for other in others:
        assert "UNION" not in other.statement.cypher
        assert "WITH collect(n) AS matched" in other.statement.cypher
        assert "_by_index" not in other.statement.name
    assert "Plan" not in index_order.ID_ORDERED and "Indicator" in index_order.ID_ORDERED


def test_the_shape_follows_what_was_learnt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_order, "_walked", {"Indicator"})
    monkeypatch.setattr(index_order, "_sizes", {"Indicator": 2000})
    walked = cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 0, 100, True)
    assert "UNION ALL" in walked.statement.cypher
    # a short list sorts: one row with the page is quicker than a record per node
    for size, first in ((1999, 100), (399, 20)):
        monkeypatch.setattr(index_order, "_sizes", {"Indicator": size})
        small = cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 0, first, True)
        assert "collect(n) AS matched" in small.statement.cypher, (size, first)
    assert (
        "UNION ALL"
        in cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 0, 19, True).statement.cypher
    )
    monkeypatch.setattr(index_order, "_walked", set())
    sorted_ = cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 0, 1, True)
    assert "collect(n) AS matched" in sorted_.statement.cypher


def test_page_answer_reads_both_shapes() -> None:
    assert cc.page_answer([{"total": 3, "nodes": [{"id": "a"}]}]) == (3, [{"id": "a"}])
    assert cc.page_answer([]) == (0, [])
    union: list[dict[str, Any]] = [
        {"total": 3, "node": None},
        {"total": None, "node": {"id": "a"}},
        {"total": None, "node": {"id": "b"}},
    ]
    assert cc.page_answer(union) == (3, [{"id": "a"}, {"id": "b"}])
    # past the end: the total alone; the total's row wherever the store put it
    assert cc.page_answer([{"total": 0, "node": None}]) == (0, [])
    assert cc.page_answer(union[1:] + union[:1]) == (3, [{"id": "a"}, {"id": "b"}])


def test_every_label_listed_in_id_order_has_an_id_sort_index() -> None:
    created = {s.name for s in schema_statements()}
    for label in FIELDS:
        listed = qb.order_by(label, "n", (), "en") == "n.id_sort ASC"
        assert (f"constraints.index[{label}.id_sort]" in created) is listed, label
        assert (label in index_order.ID_ORDERED) is listed, label


ARCADE_WALKS = {
    "operatorType": "ArcadeDB.OpenCypher.Plan",
    "args": {
        "string-representation": "Physical Plan:\n+ NodeIndexRangeScan(n:B) [index=b_id_sort, "
        "id_sort, cost=3000.00, rows=3000] [index order, then null keys]\n\nSteps After the "
        "Optimized Match:\n+ PROJECT RETURN total, node\n+ SKIP 0\n+ LIMIT 100\n"
    },
    "children": [],
}
ARCADE_SORTS = {
    "operatorType": "ArcadeDB.OpenCypher.Plan",
    "args": {
        "string-representation": "Physical Plan:\n+ NodeByLabelScan(n:A) [cost=3000.00, "
        "rows=3000]\n\nSteps After the Optimized Match:\n+ PROJECT RETURN total, node\n"
        "OrderByStep\n+ SKIP 0\n+ LIMIT 100\n"
    },
    "children": [],
}


def _neo4j(*names: str) -> dict[str, object]:
    """A Neo4j plan: each operator the only child of the one before."""
    plan: dict[str, object] = {"operatorType": f"{names[-1]}@neo4j", "args": {}, "children": []}
    for name in reversed(names[:-1]):
        plan = {"operatorType": f"{name}@neo4j", "args": {}, "children": [plan]}
    return plan


def test_a_plan_walks_the_index_when_it_reads_an_index_and_sorts_nothing() -> None:
    assert index_order.plan_walks_index(ARCADE_WALKS)
    assert not index_order.plan_walks_index(ARCADE_SORTS)
    assert not index_order.plan_walks_index(None)
    assert index_order.is_arcadedb(ARCADE_SORTS)
    assert index_order.plan_walks_index(_neo4j("ProduceResults", "Limit", "NodeIndexScan"))
    assert not index_order.plan_walks_index(_neo4j("ProduceResults", "Top", "NodeByLabelScan"))
    assert not index_order.plan_walks_index(_neo4j("ProduceResults", "Top", "NodeIndexScan"))
    assert not index_order.is_arcadedb(_neo4j("ProduceResults"))


def test_a_server_that_cannot_ask_the_store_sorts_every_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index_order, "_walked", {"Indicator"})
    nowhere = BoltEndpoint("bolt://127.0.0.1:9", "user", "password", "ogp")

    async def start() -> None:
        store = Store.connect(nowhere, 5.0)
        try:
            await index_order.learn_index_order_at_start(store)  # no error: logged
        finally:
            await store.close()

    run(start())
    assert not index_order.walks_index("Indicator")


# --- on the embedded store --------------------------------------------------------


def test_the_loaded_store_walks_the_id_sort_index_of_every_label_with_nodes(
    store_endpoint: BoltEndpoint,
) -> None:
    async def check() -> tuple[frozenset[str], set[str]]:
        store = Store.connect(store_endpoint, 30.0)
        try:
            walked = await index_order.learn_index_order(store)
            filled = set()
            for label in index_order.ID_ORDERED:
                if await store.read(index_order._any_statement(label)):
                    filled.add(label)
            # the compiled page of 100 indicators is planned as an index walk too
            built = cc.page("Indicator", PICK, qb.EVERYTHING, (), "en", 0, 100, True, True)
            explain = Statement("test.explain", "EXPLAIN " + built.statement.cypher)
            plan = await store.plan(explain, **built.params)
            assert plan is not None and "NodeIndexRangeScan" in str(plan), plan
            return walked, filled
        finally:
            await store.close()

    walked, filled = run(check())
    assert {"Indicator", "Milestone", "Commitment"} <= filled
    assert filled <= walked
    assert all(index_order.walks_index(label) for label in filled)
    # and learnt with their sizes: at 1x no list is long enough for a page of 100
    assert not any(index_order.pages_by_index(label, 100) for label in filled)


TRIAL = "IndexOrderTrial"


@pytest.fixture
def trial_label(
    store_endpoint: BoltEndpoint, monkeypatch: pytest.MonkeyPatch
) -> Iterator[neo4j.Driver]:
    """A label of its own, listed in id order for the test; removed (nodes and index)
    after it, and what the store walks learnt again for the domain's labels."""
    driver = neo4j.GraphDatabase.driver(
        store_endpoint.uri, auth=(store_endpoint.user, store_endpoint.password)
    )
    monkeypatch.setattr(index_order, "ID_ORDERED", (TRIAL,))
    try:
        yield driver
    finally:
        db = store_endpoint.database
        driver.execute_query(f"MATCH (n:{TRIAL}) DELETE n", database_=db)
        driver.execute_query(f"DROP INDEX {index_order.index_name(TRIAL)} IF EXISTS", database_=db)
        driver.close()
        monkeypatch.undo()

        async def relearn() -> None:
            store = Store.connect(store_endpoint, 30.0)
            try:
                await index_order.learn_index_order(store)
            finally:
                await store.close()

        run(relearn())


def test_an_index_created_before_its_label_had_nodes_is_walked_once_created_again(
    store_endpoint: BoltEndpoint, trial_label: neo4j.Driver
) -> None:
    """ArcadeDB walks no index created while its label had no nodes (a fresh store gets
    its indexes before its first load), even once filled: ensure_index_order creates it
    again, and the page in index order gives every node in id order."""
    db = store_endpoint.database
    trial_label.execute_query(index_order.create_statement(TRIAL).cypher, database_=db)
    rows = [{"id": f"T{i}", "id_sort": f"T{i:06d}", "code": f"c{i}"} for i in range(40)]
    trial_label.execute_query(
        f"UNWIND $rows AS p CREATE (n:{TRIAL}) SET n = p", rows=rows, database_=db
    )
    pick = cc.Pick(TRIAL)  # the id alone: the label is not the domain's

    async def check() -> None:
        store = Store.connect(store_endpoint, 30.0)
        try:
            assert await index_order.learn_index_order(store) == frozenset()
            assert await index_order.ensure_index_order(store) == {TRIAL}
            assert index_order.walks_index(TRIAL)
            assert await index_order.ensure_index_order(store) == {TRIAL}  # nothing to do
            built = cc.page(TRIAL, pick, qb.EVERYTHING, (), "en", 35, 10, True, index_walked=True)
            total, nodes = cc.page_answer(await store.read(built.statement, **built.params))
            assert total == 40
            assert [n["id"] for n in nodes] == [f"T{i}" for i in range(35, 40)]
        finally:
            await store.close()

    run(check())


def test_the_app_reads_a_page_of_indicators_through_the_index(
    store_endpoint: BoltEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app learns at start which lists the store walks; the bench's page of 100
    indicators then runs as the index-walking statement, on both paths, with the same
    answer as the resolvers' (the page ends: tests/test_compiled_api.py)."""
    names: list[str] = []
    read = Store.read

    async def recording(self: Store, stmt: Statement, **params: object) -> list[dict[str, object]]:
        names.append(stmt.name)
        return await read(self, stmt, **params)

    monkeypatch.setattr(Store, "read", recording)
    monkeypatch.setattr(index_order, "NODES_PER_ROW", 0)  # the test store's lists are short
    query = (
        "{ indicators(first: 100) { totalCount edges { node { id code title dueDate "
        "milestone { code } } } } }"
    )
    settings = StoreSettings(statement_timeout=10.0)
    answers = []
    for direct in (True, False):
        app = create_app(store_endpoint, settings, ApiSettings(direct=direct))
        with in_process(app) as send:
            names.clear()
            answers.append(GraphQLClient(send=send).post(query))
            assert names == ["compiled.page_by_index[Indicator]"], names
    with monkeypatch.context() as patch:
        compiler_off(patch)
        app = create_app(store_endpoint, settings, ApiSettings(direct=False))
        with in_process(app) as send:
            resolved = GraphQLClient(send=send).post(query)
    assert "errors" not in answers[0], answers[0]
    assert answers[0]["data"] == answers[1]["data"] == resolved["data"]
    assert len(answers[0]["data"]["indicators"]["edges"]) == min(
        100, answers[0]["data"]["indicators"]["totalCount"]
    )
