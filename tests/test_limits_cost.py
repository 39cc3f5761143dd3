"""The cost estimate and the input bounds, without a store: the attack shapes of issue 10
are refused before anything runs, and every example query stays well within the budget."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import parse

from schema.app import build_schema
from schema.cost import COST_LIMIT, INPUT_LIMIT, estimate_cost
from schema.settings import ApiSettings
from schema.web import example_queries

SETTINGS = ApiSettings()
SCHEMA = build_schema(SETTINGS)


def estimate(query: str, variables: dict[str, Any] | None = None, **settings: Any) -> int:
    chosen = ApiSettings(**settings) if settings else SETTINGS
    return estimate_cost(SCHEMA._schema, parse(query), variables, chosen)


def refusal(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error of a request refused before execution (no context: nothing may run)."""
    result = asyncio.run(SCHEMA.execute(query, variables))
    assert result.data is None and result.errors and len(result.errors) == 1, result
    error = result.errors[0]
    assert error.original_error is None  # a refusal, not a failure: never masked
    return {"message": error.message, **(error.extensions or {})}


def rounds(first: int, hops: list[str], count: int, leaf: str = "id") -> str:
    """``hops[0](first) { nodes { hops[1](first) { nodes { ... leaf } } } }``, ``count`` hops."""
    body = leaf
    for i in reversed(range(count)):
        body = f"{hops[i % len(hops)]}(first: {first}) {{ nodes {{ {body} }} }}"
    return "{ " + body + " }"


def nested_some(levels: int, links: tuple[str, str] = ("indicators", "departments")) -> str:
    condition = '{ code: { eq: "x" } }'
    for i in reversed(range(levels)):
        condition = f"{{ {links[i % 2]}: {{ some: {condition} }} }}"
    return condition


# --- the attacks of issue 10 -------------------------------------------------------------


def test_the_319_byte_four_round_query_is_refused_with_estimate_and_budget() -> None:
    query = rounds(500, ["indicators", "departments"], 4)
    assert len(query) < 320
    assert estimate(query) > 10**10
    refused = refusal(query)
    assert refused["code"] == COST_LIMIT
    assert refused["budget"] == SETTINGS.cost_budget and refused["cost"] > 10**10
    assert f"{SETTINGS.cost_budget:,}" in refused["message"]
    assert f"{refused['cost']:,}" in refused["message"]


@pytest.mark.parametrize("count", [2, 3])
def test_fewer_rounds_of_big_pages_are_refused_too(count: int) -> None:
    assert estimate(rounds(500, ["indicators", "departments"], count)) > SETTINGS.cost_budget


@pytest.mark.parametrize(
    "hops",
    [
        ["progressUpdates", "indicator { updates"],
        ["milestones", "departments"],
        ["plans", "commitments", "milestones", "indicators"],
        ["departments", "milestones"],
    ],
)
def test_the_same_shape_on_other_lists_is_refused(hops: list[str]) -> None:
    if hops[1].endswith("updates"):  # progressUpdates -> indicator -> updates, 3 rounds
        query = (
            "{ progressUpdates(first: 500) { nodes { indicator { updates(first: 500) { nodes { "
            "indicator { updates(first: 500) { nodes { indicator { id } } } } } } } } } }"
        )
    else:
        query = rounds(500, hops, 3 if len(hops) == 2 else 4)
    assert refusal(query)["code"] == COST_LIMIT


def test_progress_update_rounds_with_default_pages_stay_bounded() -> None:
    two = "{ progressUpdates(first: 100) { nodes { indicator { updates { nodes { id } } } } } }"
    assert estimate(two) <= SETTINGS.cost_budget
    three = (
        "{ progressUpdates(first: 100) { nodes { indicator { updates(first: 100) { nodes { "
        "indicator { updates(first: 100) { nodes { id } } } } } } } } }"
    )
    assert estimate(three) > SETTINGS.cost_budget


def test_nodes_with_100000_ids_is_refused_in_a_variable_and_in_the_document() -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    refused = refusal(query, {"ids": [f"Plan:CAN-{i}" for i in range(100_000)]})
    assert refused["code"] == INPUT_LIMIT and "100,000 items" in refused["message"]
    literal = "{ nodes(ids: [" + ", ".join(f'"Plan:{i}"' for i in range(800)) + "]) { id } }"
    assert refusal(literal)["code"] == INPUT_LIMIT
    assert estimate(query, {"ids": ["Plan:CAN-2016-2018"] * 500}) <= SETTINGS.cost_budget


def test_relationship_filters_nested_eight_levels_are_refused() -> None:
    query = f"{{ departments(where: {nested_some(8)}) {{ totalCount }} }}"
    assert estimate(query) > 10**10
    assert refusal(query)["code"] == COST_LIMIT
    none_all = query.replace("some", "none", 4).replace("some", "all")
    assert refusal(none_all)["code"] == COST_LIMIT
    in_variable = "query($w: DepartmentWhere) { departments(where: $w) { totalCount } }"
    deep: dict[str, Any] = {"code": {"eq": "x"}}
    for i in reversed(range(8)):
        deep = {("indicators", "departments")[i % 2]: {"some": deep}}
    assert refusal(in_variable, {"w": deep})["code"] == COST_LIMIT


def test_one_or_two_levels_of_relationship_filters_are_accepted() -> None:
    for levels in (1, 2):
        query = f"{{ departments(where: {nested_some(levels)}) {{ totalCount }} }}"
        assert estimate(query) <= SETTINGS.cost_budget


def test_an_or_of_1000_terms_is_refused_and_a_short_one_accepted() -> None:
    query = "query($w: IndicatorWhere) { indicators(where: $w) { totalCount } }"
    terms = [{"code": {"eq": f"C{i}"}} for i in range(1000)]
    assert refusal(query, {"w": {"OR": terms}})["code"] == INPUT_LIMIT  # a list of 1,000
    assert estimate(query, {"w": {"OR": terms}}) > SETTINGS.cost_budget  # and too costly
    assert refusal(query, {"w": {"OR": terms[:400]}})["code"] == COST_LIMIT
    assert estimate(query, {"w": {"OR": terms[:20]}}) <= SETTINGS.cost_budget


def test_exploration_and_grouping_are_counted() -> None:
    small = '{ neighborhood(id: "Country:CAN", depth: 1, limit: 10) { nodes { id } } }'
    large = '{ neighborhood(id: "Country:CAN", depth: 3) { nodes { id } edges { type } } }'
    assert estimate(small) < estimate(large) <= SETTINGS.cost_budget
    path = '{ shortestPath(from: "Country:CAN", to: "Plan:CAN-2012-2014") { nodes { id } } }'
    assert estimate(path) > estimate(
        '{ shortestPath(from: "a", to: "b", maxLength: 2) { nodes { id } } }'
    )
    one = "{ indicatorsAggregate { groupedBy(by: [DEPARTMENT]) { count } } }"
    two = "{ indicatorsAggregate { groupedBy(by: [DEPARTMENT, PLAN]) { count } } }"
    assert estimate(one) < estimate(two) <= SETTINGS.cost_budget
    assert estimate('{ search(query: "open data", first: 10) { totalCount } }') > 1_000


def test_fragments_and_aliases_count_like_the_fields_they_stand_for() -> None:
    inline = rounds(100, ["indicators", "departments"], 2)
    with_fragment = (
        "{ indicators(first: 100) { nodes { ...D } } } "
        "fragment D on Indicator { departments(first: 100) { nodes { id } } }"
    )
    assert estimate(with_fragment) == estimate(inline)
    aliased = "{ a: plans(first: 50) { totalCount } b: plans(first: 50) { totalCount } }"
    assert estimate(aliased) == 2 * estimate("{ plans(first: 50) { totalCount } }")


def test_the_budget_and_the_assumptions_are_configurable() -> None:
    query = rounds(20, ["indicators", "departments"], 2)
    assert estimate(query, cost_fanout=100) > estimate(query)
    assert estimate(query, cost_scan_rows=10) < estimate(query)
    settings = ApiSettings(cost_budget=10)
    schema = build_schema(settings)
    result = asyncio.run(schema.execute("{ plans { totalCount } }"))
    assert result.errors and result.errors[0].extensions["code"] == COST_LIMIT  # type: ignore[index]


# --- normal requests ---------------------------------------------------------------------


@pytest.mark.parametrize("tab", example_queries(), ids=lambda t: t["query"].splitlines()[0][:40])
def test_every_example_query_is_well_within_the_budget(tab: dict[str, str]) -> None:
    assert estimate(tab["query"]) <= SETTINGS.cost_budget / 4


def test_typical_front_end_requests_are_within_the_budget() -> None:
    typical = [
        # the benchmark's nested plan: 50 commitments x 50 milestones x their departments
        """{ plan(id: "Plan:CAN-2018-2020") { commitments(first: 50) { edges { node { code
        milestones(first: 50) { edges { node { code departments { edges { node { code } } } } } }
        } } } } }""",
        "{ indicators(first: 500) { totalCount nodes { code title departments { nodes { code } } } } }",
        '{ department(code: "TBS") { milestones(first: 500) { nodes { commitment { plan { id } } } } } }',
        '{ nodes(ids: ["Plan:CAN-2016-2018", "Country:CAN"]) { id } }',
    ]
    for query in typical:
        assert estimate(query) <= SETTINGS.cost_budget, query


# --- bounded input -----------------------------------------------------------------------


def test_variables_count_toward_the_token_limit() -> None:
    query = "query($w: IndicatorWhere) { indicators(where: $w) { totalCount } }"
    many = {"OR": [{"code": {"in": [f"C{i}" for i in range(400)]}} for _ in range(20)]}
    refused = refusal(query, {"w": many})
    assert refused["code"] == INPUT_LIMIT and "tokens" in refused["message"]


def test_a_variable_nested_900_levels_deep_is_refused_without_recursion() -> None:
    deep: dict[str, Any] = {}
    for _ in range(900):
        deep = {"NOT": deep}
    query = "query($w: IndicatorWhere) { indicators(where: $w) { totalCount } }"
    refused = refusal(query, {"w": deep})
    assert refused["code"] == INPUT_LIMIT and "nested" in refused["message"]


def test_long_strings_and_documents_are_refused() -> None:
    query = "query($q: String!) { search(query: $q) { totalCount } }"
    assert "characters" in refusal(query, {"q": "données " * 200_000})["message"]
    literal = '{ search(query: "' + "x" * 5_000 + '") { totalCount } }'
    assert refusal(literal)["code"] == INPUT_LIMIT
    huge = "{ plans { totalCount } }" + " " * 200_000
    assert "characters long" in refusal(huge)["message"]


def test_400_chained_fragments_are_refused_without_recursion_error() -> None:
    count = 400
    parts = ["query { ...F0 }"]
    parts += [f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(count)]
    parts.append(f"fragment F{count} on Query {{ __typename }}")
    refused = refusal("\n".join(parts))
    assert refused["code"] == INPUT_LIMIT and "fragments" in refused["message"]


def test_literal_arguments_nested_too_deeply_are_refused() -> None:
    where = "{ NOT: " * 40 + "{}" + " }" * 40
    refused = refusal(f"{{ indicators(where: {where}) {{ totalCount }} }}")
    assert refused["code"] == INPUT_LIMIT
