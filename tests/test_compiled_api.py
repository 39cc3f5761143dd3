"""The compiled engine on the store: one statement per root field, the same answers as before.

"Before" is the same app with the compiler switched off (every field resolved by
its own loader), so each answer here is compared with what the per-field
resolvers give on the same data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import neo4j
import pytest
from starlette.applications import Starlette

from graph import compile as cc
from graph import index_order
from graph.settings import StoreSettings
from graph.store import BoltEndpoint
from graph.writer import WriteReport
from schema.app import create_app
from schema.connection import encode_cursor
from schema.settings import ApiSettings
from schema.web import example_queries
from tests.conftest import GraphQLClient, Send, compiler_off, in_process

NESTED = """query ($after: String) {
  plan(id: "Plan:CAN-2018-2020") {
    title
    commitments(first: 4, after: $after, sort: [{ code: DESC }],
                where: { milestones: { some: { departments: { some: { abbreviation: { eq: "TBS" } } } } } }) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        code title(lang: EN)
        milestones(first: 2, where: { title: { contains: "donn" } }) {
          totalCount
          nodes { code title indicatorCount
            departments(sort: [{ name: DESC }]) { totalCount nodes { code name abbreviation } }
            leads: departments(first: 1) { nodes { code } }
            commitment { code }
          }
        }
      } }
    }
  }
}"""

MORE = [
    '{ nodes(ids: ["Plan:CAN-2018-2020", "Indicator:CAN-2022-2024:C01.1.1", "x", '
    '"Indicator:CAN-2022-2024:C01.1.2"]) { id ... on Indicator { code title updates { nodes { period '
    "status { code label } } } } ... on Plan { title previous { id } statuses { code } } } }",
    '{ member(code: "can") { ... on Country { code name plans(first: 2) { nodes { id } } } } }',
    '{ indicators(first: 7, after: "b2Zmc2V0OjQ=", sort: [{ dueDate: DESC }]) { totalCount '
    "pageInfo { hasNextPage } nodes { code dueDate milestone { code commitment { code plan { id } } } "
    "departments { nodes { code } } } } }",
    "{ departments(first: 3, sort: [{ milestoneCount: DESC }]) { nodes { code milestoneCount "
    'milestonesAggregate(where: { code: { startsWith: "C01" } }) { count } } } }',
    "{ plans(first: 2) { edges { node { id commitments(first: 0) { totalCount pageInfo "
    "{ hasNextPage } nodes { id } } } } } }",
]


@pytest.fixture(scope="module")
def apps(store_endpoint: BoltEndpoint) -> Iterator[tuple[Starlette, GraphQLClient, GraphQLClient]]:
    """The app with the compiler (and its client), and a second app for the compiler off."""
    settings = StoreSettings(statement_timeout=10.0)
    on_app = create_app(store_endpoint, settings, ApiSettings())
    off_app = create_app(store_endpoint, settings, ApiSettings())
    with in_process(on_app) as on, in_process(off_app) as off:
        yield on_app, GraphQLClient(send=on), GraphQLClient(send=off)


def _both(
    apps: tuple[Starlette, GraphQLClient, GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    variables: dict[str, Any] | None = None,
    **headers: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    _, on, off = apps
    compiled_answer = on.post(query, variables, **headers)
    with monkeypatch.context() as patch:
        compiler_off(patch)
        resolved = off.post(query, variables, **headers)
    return compiled_answer, resolved


def _statements(body: dict[str, Any]) -> int:
    return int(body["extensions"]["cypher"]["statements"])


def test_a_nested_request_is_one_statement_with_the_same_answer(
    apps: tuple[Starlette, GraphQLClient, GraphQLClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    for after in (None, "b2Zmc2V0OjA="):
        on, off = _both(apps, monkeypatch, NESTED, {"after": after}, **{"Accept-Language": "fr"})
        assert "errors" not in on and on["data"] == off["data"]
        assert _statements(on) == 1 and _statements(off) >= 6
    plan = on["data"]["plan"]
    assert plan["title"].startswith("Plan d'action du Canada")
    commitments = plan["commitments"]
    assert commitments["pageInfo"]["hasPreviousPage"] is True
    assert [e["node"]["code"] for e in commitments["edges"]] == sorted(
        (e["node"]["code"] for e in commitments["edges"]), reverse=True
    )
    milestones = [m for e in commitments["edges"] for m in e["node"]["milestones"]["nodes"]]
    assert milestones and all(m["commitment"]["code"] == m["code"][:3] for m in milestones)
    assert any(m["departments"]["totalCount"] for m in milestones)


@pytest.mark.parametrize("query", MORE)
def test_lookups_and_lists_answer_as_the_resolvers_do(
    apps: tuple[Starlette, GraphQLClient, GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
) -> None:
    on, off = _both(apps, monkeypatch, query)
    assert "errors" not in on, on["errors"]
    assert on["data"] == off["data"]
    assert _statements(on) < _statements(off)


def test_every_example_answers_as_the_resolvers_do(
    apps: tuple[Starlette, GraphQLClient, GraphQLClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    fewer = 0
    for tab in example_queries():
        on, off = _both(apps, monkeypatch, tab["query"])
        assert on.get("errors") == off.get("errors"), tab["query"][:80]
        assert on["data"] == off["data"], tab["query"][:80]
        assert _statements(on) <= _statements(off)
        fewer += _statements(on) < _statements(off)
    assert fewer >= 5


def test_refused_arguments_are_refused_as_before(
    apps: tuple[Starlette, GraphQLClient, GraphQLClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    for query in (
        "{ plans { nodes { commitments(first: -1) { totalCount } } } }",
        '{ plans { nodes { commitments(after: "nope") { totalCount } } } }',
        "{ plans { nodes { commitments(sort: [{ code: ASC, title: ASC }]) { totalCount } } } }",
    ):
        on, off = _both(apps, monkeypatch, query)
        assert on["errors"][0]["message"] == off["errors"][0]["message"]
        assert on["data"] == off["data"]


def test_a_repeated_request_is_neither_parsed_nor_compiled_again(
    apps: tuple[Starlette, GraphQLClient, GraphQLClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, on, _ = apps
    calls: list[str] = []
    real: Callable[..., Any] = cc.page

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(cc, "page", counting)
    query = "query Repeat { commitments(first: 3) { totalCount nodes { code plan { id } } } }"
    counters = app.state.documents.counters
    hits = counters.hits
    first = on.post(query)
    again = on.post(query)
    digest = hashlib.sha256(query.encode()).hexdigest()
    persisted = on.send(
        "/graphql",
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}},
    ).json()
    assert first["data"] == again["data"] == persisted["data"]
    assert calls == ["Commitment"]  # compiled once, for three requests
    assert counters.hits >= hits + 2  # the second and the persisted one: no parse, no validation
    assert _statements(again) == _statements(persisted) == 1


ROOT_PAGES = """query ($first: Int, $after: String) {
  indicators(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage }
    edges { cursor node { id code milestone { code } } }
  }
  themes(first: $first, after: $after) { nodes { id } }
}"""


@pytest.mark.parametrize("by_index", [True, False], ids=["index", "sorted"])
@pytest.mark.parametrize("direct", [True, False], ids=["direct", "graphql-core"])
def test_root_pages_end_as_before(
    store_endpoint: BoltEndpoint, monkeypatch: pytest.MonkeyPatch, direct: bool, by_index: bool
) -> None:
    """The last page of a root list, the page that ends exactly at its end, pages past the
    end and empty pages: the compiled page gives what the resolvers give, on both paths,
    read through the id_sort index (as for long lists) or sorted (short ones)."""
    monkeypatch.setattr(index_order, "NODES_PER_ROW", 0 if by_index else 10**9)
    settings = StoreSettings(statement_timeout=10.0)
    on_app = create_app(store_endpoint, settings, ApiSettings(direct=direct))
    off_app = create_app(store_endpoint, settings, ApiSettings(direct=direct))
    with in_process(on_app) as on_send, in_process(off_app) as off_send:
        on, off = GraphQLClient(send=on_send), GraphQLClient(send=off_send)
        total = on.post(ROOT_PAGES, {"first": 1})["data"]["indicators"]["totalCount"]
        assert total > 10
        cases = [(3, total - 3), (5, total - 3), (2, total - 3), (0, 0), (4, total), (4, total + 9)]
        for first, offset in cases:
            variables = {"first": first, "after": encode_cursor(offset - 1) if offset else None}
            answer = on.post(ROOT_PAGES, variables)
            with monkeypatch.context() as patch:
                compiler_off(patch)
                resolved = off.post(ROOT_PAGES, variables)
            assert "errors" not in answer, answer["errors"]
            assert answer["data"] == resolved["data"], (first, offset)
            page = answer["data"]["indicators"]
            assert page["totalCount"] == total
            assert len(page["edges"]) == max(0, min(first, total - offset))
            assert page["pageInfo"]["hasNextPage"] is (offset + first < total)
            assert answer["data"]["themes"]["nodes"] == resolved["data"]["themes"]["nodes"]


def test_a_to_one_link_that_reaches_two_nodes_answers_as_the_resolvers_do(
    apps: tuple[Starlette, GraphQLClient, GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
    pair: tuple[Send, Send],
    store_endpoint: BoltEndpoint,
    partnership_loaded: list[WriteReport],
) -> None:
    """A co-chair seat given a second, later term for the test (removed after it): every
    path answers its term as the first in the terms' order, the latest start year."""
    chair, later = "CoChair:2018-2019:CIVIL_SOCIETY", "CoChairTerm:2019-2020"
    link = "MATCH (t:CoChairTerm {id: $term}), (c:CoChair {id: $chair}) MERGE (t)-[:HAS_CHAIR]->(c)"
    unlink = "MATCH (:CoChairTerm {id: $term})-[r:HAS_CHAIR]->(:CoChair {id: $chair}) DELETE r"
    query = (
        f'{{ node(id: "{chair}") {{ ... on CoChair {{ id term {{ id startYear }} }} }} '
        f'coChairTerm: node(id: "{later}") {{ id }} }}'
    )
    driver = neo4j.GraphDatabase.driver(
        store_endpoint.uri, auth=(store_endpoint.user, store_endpoint.password)
    )
    db = store_endpoint.database
    try:
        driver.execute_query(link, term=later, chair=chair, database_=db)
        on, off = _both(apps, monkeypatch, query)
        _, resolvers = pair
        compiled_resolvers = resolvers("/graphql", json={"query": query}).json()
    finally:
        driver.execute_query(unlink, term=later, chair=chair, database_=db)
        driver.close()
    assert "errors" not in on, on["errors"]
    assert on["data"]["coChairTerm"] == {"id": later}  # the term the test links exists
    assert on["data"]["node"]["term"]["id"] == later
    assert on["data"] == off["data"] == compiled_resolvers["data"]
