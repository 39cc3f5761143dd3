"""How the API behaves for a front end: ids, languages, pages, errors, statement counts."""

from __future__ import annotations

import re

import httpx
import pytest

from graph.store import BoltEndpoint
from schema.settings import ApiSettings
from tests.conftest import GraphQLClient, Server, free_port

pytestmark = pytest.mark.store  # the embedded store (a JVM) and the app


def test_node_finds_any_entity_by_its_global_id(gql: GraphQLClient) -> None:
    data = gql.data(
        '{ a: node(id: "Plan:CAN-2016-2018") { __typename id ... on Plan { startYear } } '
        '  b: node(id: "Country:GEO") { __typename ... on Country { code } } '
        '  c: node(id: "Commitment:CAN-2022-2024:C01") { __typename ... on Commitment { code } } }'
    )
    assert data["a"] == {"__typename": "Plan", "id": "Plan:CAN-2016-2018", "startYear": 2016}
    assert data["b"] == {"__typename": "Country", "code": "GEO"}
    assert data["c"] == {"__typename": "Commitment", "code": "C01"}


@pytest.mark.parametrize(
    "query",
    [
        '{ node(id: "Plan:CAN-1900-1901") { id } }',
        '{ node(id: "nonsense") { id } }',
        '{ node(id: "Dataset:ogp-seed") { id } }',  # bookkeeping, not an entity
        '{ node(id: "") { id } }',
        '{ country(code: "XXX") { code } }',
        '{ plan(id: "Country:CAN") { id } }',
        '{ department(code: "nope") { code } }',
    ],
)
def test_unknown_ids_and_codes_give_null_without_error(gql: GraphQLClient, query: str) -> None:
    body = gql.post(query)
    assert "errors" not in body
    assert next(iter(body["data"].values())) is None


def test_text_follows_lang_then_accept_language_then_english(gql: GraphQLClient) -> None:
    query = '{ plan(id: "Plan:CAN-2014-2016") { title en: title(lang: EN) fr: title(lang: FR) } }'
    default = gql.data(query)["plan"]
    assert default["title"] == default["en"] != default["fr"]
    french = gql.data(query, **{"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})["plan"]
    assert french["title"] == french["fr"]
    assert french["en"] == default["en"]  # an explicit lang wins over the header
    weighted = gql.data(query, **{"Accept-Language": "de, en;q=0.4, fr;q=0.8"})["plan"]
    assert weighted["title"] == default["fr"]
    other = gql.data(query, **{"Accept-Language": "de-DE"})["plan"]
    assert other["title"] == default["en"]


def test_a_missing_translation_falls_back_to_the_other_language(gql: GraphQLClient) -> None:
    # progress updates written in English only keep their French field empty
    data = gql.data(
        '{ node(id: "ProgressUpdate:CAN-2023-2024:C01.1.1:2023-06") { id } '
        '  indicator: node(id: "Indicator:CAN-2022-2024:C01.1.1") { ... on Indicator { '
        "  updates { edges { node { period evidence fr: evidence(lang: FR) } } } } } }"
    )
    updates = [e["node"] for e in data["indicator"]["updates"]["edges"]]
    june = next(u for u in updates if u["period"] == "2023-06")
    assert june["evidence"] == june["fr"] == "https://example.org/a, b"


def test_lists_page_with_stable_cursors(gql: GraphQLClient) -> None:
    query = """query ($after: String) { indicators(first: 50, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id } } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = gql.data(query, {"after": after})["indicators"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 135 + 106 + 65
    # natural code order inside a plan: C01.1.2 before C01.1.10
    for plan in ("CAN-2018-2020", "CAN-2022-2024", "CAN-2025-2029"):
        codes = [i.split(":")[-1] for i in seen if f":{plan}:" in i]
        assert codes == sorted(codes, key=lambda c: [int(n) for n in re.findall(r"\d+", c)])
        assert len(codes) > 50


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ plans(first: -5) { totalCount } }", "'first' must be 0 or more"),
        ("{ plans(first: 100000) { totalCount } }", "'first' may be at most 500"),
        ('{ plans(after: "not-a-cursor") { totalCount } }', "'after' is not a cursor"),
        (
            '{ plan(id: "Plan:CAN-2018-2020") { progress(period: "May 2020") { count } } }',
            "YYYY-MM",
        ),
        (
            "{ plans(sort: [{ startYear: DESC, endYear: ASC }]) { totalCount } }",
            "exactly one field",
        ),
        ("{ plans { nope } }", "Cannot query field 'nope'"),
    ],
)
def test_bad_arguments_give_plain_graphql_errors(
    gql: GraphQLClient, query: str, message: str
) -> None:
    body = gql.post(query)
    assert body["errors"], body
    text = body["errors"][0]["message"]
    assert message in text
    assert "Traceback" not in str(body) and 'File "' not in str(body)


def test_statements_do_not_grow_with_the_number_of_results(store_endpoint: BoltEndpoint) -> None:
    # a shape far over the cost budget (it multiplies big pages): this checks batching only
    with Server(store_endpoint, ApiSettings(cost_budget=10**12)) as server:
        _statements_do_not_grow(GraphQLClient(server.url))


def _statements_do_not_grow(gql: GraphQLClient) -> None:
    nested = """query ($first: Int) { plans(first: $first, sort: [{ startYear: DESC }]) { edges { node {
        title country { code name } previous { id } next { id }
        reports { totalCount edges { node { kind plan { id } } } }
        commitments(first: 50) { totalCount edges { node { code title
            milestones(first: 50) { edges { node { code departments { edges { node { code } } }
                indicators(first: 100) { edges { node { code updates { edges { node { period status { code } } } } } } }
            } } }
        } } }
    } } } }"""
    # the four newest plans already reach every level (updates in 2022-2024, reports in 2016-2018)
    few = gql.statements(nested, {"first": 4})
    every = gql.statements(nested, {"first": 50})
    assert few == every
    # the list and everything under it, previous/next included, compiled into one statement
    # (graph/compile.py)
    assert every == 1


def test_graphiql_is_served_to_browsers_with_example_queries(server: Server) -> None:
    response = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "OGP_EXAMPLES" in response.text and "coChairTerms" in response.text


def test_health_reports_the_store(server: Server) -> None:
    response = httpx.get(f"{server.url}/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_an_unreachable_store_gives_a_graphql_error_that_says_so() -> None:
    dead = BoltEndpoint(f"bolt://127.0.0.1:{free_port()}", "root", "x", "ogp")
    with Server(dead) as server:
        client = GraphQLClient(server.url)
        body = client.post("{ plans { totalCount } }")
        assert body["data"] is None
        message = body["errors"][0]["message"]
        assert "unreachable" in message and "127.0.0.1" in message
        assert "Traceback" not in str(body)
        ready = httpx.get(f"{server.url}/ready")
        assert ready.status_code == 503


def test_limits_refuse_abusive_documents(store_endpoint: BoltEndpoint) -> None:
    settings = ApiSettings(max_depth=4, max_aliases=3, max_tokens=200)
    with Server(store_endpoint, settings) as server:
        client = GraphQLClient(server.url)
        deep = "{ plans { edges { node { country { plans { edges { node { id } } } } } } } }"
        assert "exceeds maximum operation depth" in client.error(deep)
        aliases = "{ a: partnership { id } b: partnership { id } c: partnership { id } d: partnership { id } }"
        assert "aliases" in client.error(aliases).lower()
        tokens = "{ " + " ".join(f"f{i}: partnership {{ id }}" for i in range(60)) + " }"
        assert "token" in client.error(tokens).lower()


def test_every_graphiql_example_runs_without_errors(gql: GraphQLClient) -> None:
    from schema.web import example_queries

    examples = example_queries()
    assert len(examples) >= 5
    for tab in examples:
        body = gql.post(tab["query"])
        assert "errors" not in body, (tab["query"][:80], body.get("errors"))


def test_nodes_and_group_entities_are_batched(gql: GraphQLClient) -> None:
    ids = [f"Indicator:CAN-2022-2024:C01.1.{n}" for n in range(1, 4)] + ["Plan:CAN-2012-2014", "x"]
    body = gql.post("query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [n and n["id"] for n in body["data"]["nodes"]] == [*ids[:4], None]
    assert body["extensions"]["cypher"]["statements"] == 2  # one per label
    grouped = gql.post(
        "{ indicatorsAggregate { groupedBy(by: [DEPARTMENT]) { entities { id } } } }"
    )
    # the groups, then the indicators in none (graph.groups.split_counts); departments (no
    # count: it is not selected)
    assert grouped["extensions"]["cypher"]["statements"] == 3
