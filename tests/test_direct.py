"""The direct path (schema/direct.py) answers exactly as graphql-core's execution does.

Two apps on the session store, one with ``ApiSettings.direct`` on and one with it off,
answer every GraphiQL example, every benchmark query and the compiled engine's test
queries; the responses must be the same JSON, key order included (data and errors),
with the same cost estimate and statement count. Each request is sent twice to the
direct app: the first validates the document the usual way, the second may go direct.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import schema.direct as direct
from bench.queries import cases
from graph.settings import StoreSettings
from graph.store import BoltEndpoint
from schema.app import create_app
from schema.settings import ApiSettings
from schema.web import example_queries
from tests.conftest import free_port, in_process, post_status
from tests.test_compiled_api import MORE, NESTED

Send = Any


def _same(
    pair: tuple[Send, Send],
    query: str,
    variables: dict[str, Any] | None = None,
    **headers: str,
) -> dict[str, Any]:
    """Asserts both apps answer ``query`` alike; the direct app's second answer."""
    on, off = pair
    post_status(on, query, variables, headers)  # validated the usual way
    status_on, body_on = post_status(on, query, variables, headers)
    status_off, body_off = post_status(off, query, variables, headers)
    assert status_on == status_off, query[:80]
    for part in ("data", "errors"):
        assert json.dumps(body_on.get(part)) == json.dumps(body_off.get(part)), query[:80]
    ext_on, ext_off = body_on.get("extensions") or {}, body_off.get("extensions") or {}
    assert list(ext_on) == list(ext_off)
    assert ext_on.get("cost") == ext_off.get("cost")
    if "cypher" in ext_on:
        assert ext_on["cypher"]["statements"] == ext_off["cypher"]["statements"], query[:80]
    return body_on


def test_every_example_answers_alike(pair: tuple[Send, Send], taken: list[str]) -> None:
    for tab in example_queries():
        _same(pair, tab["query"])
        _same(pair, tab["query"], None, **{"Accept-Language": "fr"})
    assert len(taken) >= 4  # the examples that are fully compiled went direct


def test_every_bench_query_answers_alike(pair: tuple[Send, Send], taken: list[str]) -> None:
    for case in cases():
        _same(pair, case.ours)
    direct_names = {c.name for c in cases() if c.ours in taken}
    assert {
        "page of 100 indicators with milestone code",
        "plan -> commitments -> milestones -> departments",
        "indicator by id with its links",
        "nested page: commitments with their first 3 milestones",
        "indicators grouped by department",
        "search: 'données ouvertes'",
    } <= direct_names


def test_the_compiled_engine_queries_answer_alike(
    pair: tuple[Send, Send], taken: list[str]
) -> None:
    for after in (None, "b2Zmc2V0OjA="):
        _same(pair, NESTED, {"after": after}, **{"Accept-Language": "fr"})
    assert NESTED in taken
    for query in MORE:
        _same(pair, query)


@pytest.mark.parametrize(
    "query",
    [
        '{ indicators(first: 3, after: "nope") { totalCount } }',
        "{ indicators(first: 100000) { totalCount } }",
        "{ indicators(first: -1) { totalCount } }",
        "{ plans { nodes { commitments(first: -1) { totalCount } } } }",
        '{ plans { nodes { commitments(after: "nope") { totalCount } } } }',
        "{ plans(sort: [{ id: ASC, title: ASC }]) { totalCount } }",
        '{ node(id: "Nope:1") { id } n: node(id: "Plan:nope") { id } }',
        '{ plan(id: "Indicator:CAN-2022-2024:C01.1.1") { id } }',
        '{ country(code: " can ") { code __typename } __typename }',
        "{ partnership { __typename id } }",
        '{ nodes(ids: ["Plan:CAN-2018-2020", "x", "Plan:CAN-2018-2020"]) { id ... on Plan { '
        "title(lang: FR) commitmentsAggregate { count } } } }",
        "{ plans(first: 2) { edges { cursor __typename node { __typename id } } "
        "pageInfo { __typename endCursor startCursor } __typename } }",
        "query Q($first: Int, $lang: Lang) { plans(first: $first) { nodes { title(lang: $lang) } } }",
        "{ plans(first: 1) { nodes { id previous { id } } } }",
        "{ plans(first: 1) @include(if: true) { nodes { id } } }",
        "{ __schema { queryType { name } } }",
        "{ indicatorsAggregate { __typename count c: count groupedBy(by: [DEPARTMENT], lang: FR) "
        "{ __typename labels count keys } } }",
        '{ a: indicatorsAggregate(where: { code: { eq: "1" } }) { groupedBy(by: [PLAN]) '
        "{ keys } } b: commitmentsAggregate { count groupedBy(by: [PLAN, REGION]) { count keys } } }",
        "{ indicatorsAggregate { g: groupedBy(by: [DUE_DATE]) { keys } "
        "h: groupedBy(by: [DEPARTMENT]) { count } } regionsAggregate { count } }",
        "{ indicatorsAggregate { groupedBy(by: []) { keys } } }",
        "{ indicatorsAggregate { groupedBy(by: [DEPARTMENT]) { entities { id } } } }",
        # search: every field of a hit, fragments on the entity, languages, types, pages
        '{ search(query: "données ouvertes", first: 5, after: "b2Zmc2V0OjA=") { totalCount '
        "__typename pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { "
        "__typename score matches { __typename field lang snippet } entity { __typename id "
        "... on Indicator { code title dueDate status } ... on Plan { title(lang: EN) startYear } "
        "... on Department { name abbreviation } } } } } }",
        '{ s: search(query: "open data", lang: EN, types: [COMMITMENT, MILESTONE], first: 3) '
        "{ nodes { score entity { id ... on Milestone { code title } } } } }",
        'query Q($first: Int) { search(query: "TBS", first: $first) { nodes { entity { id } } } }',
        '{ search(query: "nothing-matches-this-word") { totalCount nodes { score } } }',
        '{ search(query: "  ") { totalCount } }',
        '{ search(query: "budget", first: -1) { totalCount } }',
        '{ search(query: "budget") { nodes { entity { ... on Indicator { milestone { code } } } } } }',
    ],
)
def test_refusals_and_edges_answer_alike(pair: tuple[Send, Send], query: str) -> None:
    _same(pair, query, {"first": 2, "lang": "FR"} if "$first" in query else None)


def test_a_wrong_variable_answers_alike(pair: tuple[Send, Send]) -> None:
    query = "query Q($first: Int) { plans(first: $first) { nodes { id } } }"
    _same(pair, query, {"first": "two"})
    _same(pair, query, {"first": 1})


def test_a_cost_over_the_budget_is_refused_alike(store_endpoint: BoltEndpoint) -> None:
    settings = StoreSettings(statement_timeout=10.0)
    on_app = create_app(store_endpoint, settings, ApiSettings(direct=True, cost_budget=1000))
    off_app = create_app(store_endpoint, settings, ApiSettings(direct=False, cost_budget=1000))
    query = "{ plans(first: 500) { nodes { commitments(first: 500) { nodes { id } } } } }"
    with in_process(on_app) as on, in_process(off_app) as off:
        body = _same((on, off), query)
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"


def test_a_store_that_does_not_answer_is_told_alike() -> None:
    gone = BoltEndpoint(f"bolt://127.0.0.1:{free_port()}", "root", "x", "graph")
    settings = StoreSettings(statement_timeout=2.0, connect_timeout=2.0)
    on_app = create_app(gone, settings, ApiSettings(direct=True))
    off_app = create_app(gone, settings, ApiSettings(direct=False))
    with in_process(on_app) as on, in_process(off_app) as off:
        body = _same((on, off), "{ plans(first: 1) { nodes { id } } }")
    assert body["errors"]


def test_a_statement_that_runs_too_long_is_told_alike_and_not_run_again(
    store_endpoint: BoltEndpoint, taken: list[str]
) -> None:
    settings = StoreSettings(statement_timeout=0.001)
    on_app = create_app(store_endpoint, settings, ApiSettings(direct=True))
    off_app = create_app(store_endpoint, settings, ApiSettings(direct=False))
    query = "{ plans(first: 50) { nodes { id commitments(first: 50) { nodes { id title } } } } }"
    with in_process(on_app) as on, in_process(off_app) as off:
        body = _same((on, off), query)
    assert taken == [query]  # answered by the direct path, which did not hand it back
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("The request ran longer than 0.001 s")
    assert body["errors"][0]["path"] == ["plans"]


def test_records_the_schema_would_refuse_send_that_query_the_usual_way(
    pair: tuple[Send, Send], taken: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    query = "query Refused { plans(first: 2) { nodes { id commitmentsAggregate { count } } } }"
    _same(pair, query)
    assert taken == [query]

    def refuse(props: Any, slot: str) -> Any:
        raise direct.Fallback("as if a non-null field held null")

    with monkeypatch.context() as patch:
        patch.setattr(direct, "_slot", refuse)
        _same(pair, query)  # declined after its statement: the usual path answered
    _same(pair, query)  # and answers it from now on: the plan is marked declined
    assert taken == [query]


def test_a_search_with_matches_and_entity_fragments_goes_direct(
    pair: tuple[Send, Send], taken: list[str]
) -> None:
    """Only an entity field that needs more than the hit's properties (a related field)
    leaves a search to the usual path."""
    shown = (
        '{ search(query: "données ouvertes", first: 4) { totalCount edges { cursor node { '
        "score matches { field lang snippet } entity { __typename id ... on Indicator { code "
        "title } ... on Plan { title(lang: EN) } } } } } }"
    )
    for _ in range(2):  # the first request of a document validates it on the usual path
        body = _same(pair, shown, None, **{"Accept-Language": "fr"})
    assert body["data"]["search"]["edges"] and shown in taken
    related = (
        '{ search(query: "budget") { nodes { entity { ... on Plan { country { code } } } } } }'
    )
    for _ in range(2):
        _same(pair, related)
    assert related not in taken
