"""``member(code)``, ``commitment(ogpId)`` and ``Plan.previous``/``next``, compiled: one
statement, and the same answers on every path.

Three apps on the session store answer each query: the compiled engine with the direct
path on (answered from the records), the compiled engine with it off (graphql-core's
execution over the compiled statement), and the compiler switched off (every field read
by its own loader, as before). The JSON must be the same, key order included (data and
errors, with the error's wording), and the compiled answers must take one statement.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from graph import compile as cc
from graph import query_builder as qb
from graph.settings import StoreSettings
from graph.store import BoltEndpoint, Store
from graph.writer import WriteReport
from schema.app import create_app
from schema.settings import ApiSettings
from tests.conftest import compiler_off, in_process, post_status, run

Send = Any

MEMBERS = [
    '{ member(code: "GBSC") { __typename ... on LocalGovernment { code name country { name } } '
    "... on Country { code name } } }",
    '{ member(code: " can ") { __typename ... on Country { code nameFr: name(lang: FR) '
    "plans(first: 2, sort: [{ startYear: DESC }]) { totalCount pageInfo { hasNextPage } "
    "nodes { id title } } } ... on LocalGovernment { code } } }",
    '{ member(code: "gbsc") { ... on Country { code region { code } } } }',
    '{ member(code: "nope") { __typename } }',
    '{ member(code: "") { ... on Country { code } } }',
    '{ a: member(code: "FRA") { ... on Country { code } } b: member(code: "gbsc") { '
    "... on LocalGovernment { code name } } }",
]

COMMITMENTS = [
    '{ commitment(ogpId: "can-2018-2020:c10") { id code title plan { id title(lang: FR) } '
    "milestones(first: 2) { totalCount nodes { code } } } }",
    '{ commitment(ogpId: " CAN-2018-2020:C01 ") { __typename id code milestonesAggregate '
    "{ count } } }",
    '{ commitment(ogpId: "NOPE") { id } }',
]

DEPARTMENTS = [
    '{ department(code: "TBS-SCT") { code name abbreviation milestoneCount } }',
    '{ department(code: "sct") { code name(lang: FR) milestones(first: 2) { nodes { code } } } }',
    '{ department(code: "nope") { code } }',
]

NEIGHBOURS = [
    '{ plan(id: "Plan:CAN-2018-2020") { id previous { id title startYear previous { id } } '
    "next { id next { id next { id } } } } }",
    "{ plans(first: 50) { nodes { id p: previous { id } next { id startYear } } } }",
    '{ country(code: "CAN") { plans { nodes { id previous { id } next { __typename id } } } } }',
    '{ member(code: "can") { ... on Country { plans(first: 1) { nodes { next { id } } } } } }',
]

#: refused before any statement runs: the same errors on every path
REFUSED = [
    "{ member(code: 5) { __typename } }",
    "{ member { __typename } }",
    "{ commitment(ogpId: null) { id } }",
    '{ member(code: "CAN") { code } }',
]


@pytest.fixture(scope="module")
def apps(store_endpoint: BoltEndpoint) -> Iterator[tuple[Send, Send, Send]]:
    """Send functions: direct path on, compiled without it, compiler off."""
    settings = StoreSettings(statement_timeout=10.0)
    made = [create_app(store_endpoint, settings, ApiSettings(direct=d)) for d in (True, False)]
    loaders_app = create_app(store_endpoint, settings, ApiSettings(direct=False))
    with (
        in_process(made[0]) as on,
        in_process(made[1]) as usual,
        in_process(loaders_app) as loaders,
    ):
        yield on, usual, loaders


def _alike(
    apps: tuple[Send, Send, Send],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    variables: dict[str, Any] | None = None,
    **headers: str,
) -> list[dict[str, Any]]:
    """Asserts the three apps answer alike; their bodies (direct, usual, loaders)."""
    on, usual, loaders = apps
    post_status(on, query, variables, headers)  # validated the usual way first
    answers = [
        post_status(on, query, variables, headers),
        post_status(usual, query, variables, headers),
    ]
    with monkeypatch.context() as patch:
        compiler_off(patch)
        answers.append(post_status(loaders, query, variables, headers))
    statuses = {status for status, _ in answers}
    assert len(statuses) == 1, (query[:80], statuses)
    bodies = [body for _, body in answers]
    for part in ("data", "errors"):
        shown = {json.dumps(body.get(part)) for body in bodies}
        assert len(shown) == 1, (query[:80], part, shown)
    return bodies


def _statements(body: dict[str, Any]) -> int:
    return int(body["extensions"]["cypher"]["statements"])


@pytest.mark.parametrize("query", MEMBERS + COMMITMENTS + DEPARTMENTS + NEIGHBOURS)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_compiled_lookup_is_one_statement_and_answers_alike(
    apps: tuple[Send, Send, Send],
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    query: str,
    lang: str,
) -> None:
    on, usual, loaders = _alike(apps, monkeypatch, query, None, **{"Accept-Language": lang})
    assert "errors" not in on, on["errors"]
    roots = len(on["data"])
    assert _statements(on) == _statements(usual) == roots  # one statement per root field
    assert _statements(loaders) >= roots
    assert taken and set(taken) == {query}  # answered from the records


def test_the_lookups_find_what_they_should(
    apps: tuple[Send, Send, Send], monkeypatch: pytest.MonkeyPatch
) -> None:
    local, country, other, missing, empty, both = (
        _alike(apps, monkeypatch, q)[0]["data"] for q in MEMBERS
    )
    assert local["member"]["__typename"] == "LocalGovernment"
    assert local["member"]["country"]["name"] == "United Kingdom"
    assert country["member"]["__typename"] == "Country"
    assert country["member"]["plans"]["totalCount"] >= 2
    assert other == {"member": {}}  # a local government, only a Country fragment asked
    assert missing == {"member": None} and empty == {"member": None}
    assert both["a"] == {"code": "FRA"} and both["b"]["code"] == "GBSC"
    found, trimmed, nope = (_alike(apps, monkeypatch, q)[0]["data"] for q in COMMITMENTS)
    assert found["commitment"]["id"] == "Commitment:CAN-2018-2020:C10"
    assert trimmed["commitment"]["code"] and nope == {"commitment": None}
    by_code, by_abbreviation, unknown = (
        _alike(apps, monkeypatch, q)[0]["data"]["department"] for q in DEPARTMENTS
    )
    assert by_code["code"] == by_abbreviation["code"] == "tbs-sct" and unknown is None
    plan = _alike(apps, monkeypatch, NEIGHBOURS[0])[0]["data"]["plan"]
    assert plan["previous"]["id"] == "Plan:CAN-2016-2018"
    assert plan["next"]["id"] == "Plan:CAN-2022-2024"


@pytest.mark.parametrize("query", REFUSED)
def test_refused_lookups_are_refused_alike(
    apps: tuple[Send, Send, Send], monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    on, _, _ = _alike(apps, monkeypatch, query)
    assert on["errors"]


def test_a_lookup_with_variables_answers_alike(
    apps: tuple[Send, Send, Send], monkeypatch: pytest.MonkeyPatch, taken: list[str]
) -> None:
    query = (
        "query M($code: String!, $lang: Lang) { member(code: $code) { __typename "
        "... on Country { code name(lang: $lang) } ... on LocalGovernment { code name } } }"
    )
    for variables in (
        {"code": "fra", "lang": "FR"},
        {"code": "GBSC", "lang": None},
        {"code": "zzz"},
    ):
        on, _, _ = _alike(apps, monkeypatch, query, variables)
        assert "errors" not in on and _statements(on) == 1
    for wrong in ({"code": None}, {"code": 3}, {}):
        on, _, _ = _alike(apps, monkeypatch, query, wrong)
        assert on["errors"]
    assert len(taken) >= 3 and set(taken) == {query}


def test_the_partnership_lookups_answer_alike(
    apps: tuple[Send, Send, Send],
    monkeypatch: pytest.MonkeyPatch,
    partnership_loaded: list[WriteReport],
    taken: list[str],
) -> None:
    query = (
        '{ commitment(ogpId: "al0002") { ogpId title potentialImpact specificity '
        "specificityReason ogpValues supportingInstitutions { name } plan { ogpId previous "
        "{ ogpId } next { ogpId } country { name } } } }"
    )
    on, _, _ = _alike(apps, monkeypatch, query)
    assert on["data"]["commitment"]["ogpId"] == "AL0002"
    assert _statements(on) == 1 and set(taken) == {query}


def test_a_lookup_falls_back_to_its_filter_only_when_the_id_is_not_there(
    store_endpoint: BoltEndpoint, partnership_loaded: list[WriteReport]
) -> None:
    pick = cc.Pick("Commitment", ("ogpId",), (cc.One("plan", "plan", cc.Pick("Plan")),))
    by_ogp_id = qb.Where(conditions=(qb.Condition("ogpId", "eq", "al0002"),))
    by_code = qb.Where(conditions=(qb.Condition("code", "eq", "1.1"),))

    async def first(*candidates: cc.Candidate) -> Any:
        built = cc.first_found(candidates, "en")
        client = Store.connect(store_endpoint, 30.0)
        try:
            rows = await client.read(built.statement, **built.params)
            listed = qb.page_of("Commitment", by_code, (), "en")
            page = await client.read(listed.statement, skip=0, limit=1, **listed.params)
        finally:
            await client.close()
        return rows[0]["node"], page[0]["nodes"][0]["id"]

    found, _ = run(
        first(cc.Candidate(pick, "Commitment:NOPE"), cc.Candidate(pick, where=by_ogp_id))
    )
    plan = cc.first_of(found["__plan"], "Plan")
    assert found["id"] == "Commitment:AL0002" and plan and plan["id"].startswith("Plan:")
    found, _ = run(
        first(cc.Candidate(pick, "Commitment:AL0002"), cc.Candidate(pick, where=by_code))
    )
    assert found["id"] == "Commitment:AL0002"  # the id first: the filter is not used
    found, first_by_code = run(
        first(cc.Candidate(pick, "Commitment:NOPE"), cc.Candidate(pick, where=by_code))
    )
    assert found["id"] == first_by_code  # the first in the default order, as the page gives
    found, _ = run(first(cc.Candidate(pick, "Commitment:NOPE")))
    assert found is None


AGGREGATES = [
    "{ plansAggregate { count } }",
    '{ c: commitmentsAggregate(where: { title: { contains: "donn" } }) { __typename n: count } '
    'indicatorsAggregate(where: { milestone: { code: { startsWith: "C01" } } }) { count } }',
    "{ plans(first: 2) { totalCount nodes { id } } plansAggregate(where: { startYear: { gte: 2018 } "
    "}) { count } }",
]


@pytest.mark.parametrize("query", AGGREGATES)
def test_root_aggregates_are_answered_from_the_records_alike(
    apps: tuple[Send, Send, Send],
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    query: str,
) -> None:
    on, usual, _ = _alike(apps, monkeypatch, query)
    assert "errors" not in on, on["errors"]
    assert _statements(on) == _statements(usual) == len(on["data"])
    assert taken and set(taken) == {query}


def test_grouped_counts_are_answered_from_the_records_alike(
    apps: tuple[Send, Send, Send],
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
) -> None:
    query = "{ indicatorsAggregate { count groupedBy(by: [PLAN]) { count } } }"
    on, usual, _ = _alike(apps, monkeypatch, query)
    assert "errors" not in on, on["errors"]
    assert _statements(on) == _statements(usual)
    assert taken == [query]


@pytest.mark.parametrize(
    "query",
    [
        "{ plansAggregate(where: { nope: { eq: 1 } }) { count } }",
        '{ plansAggregate(where: { title: { gt: "a" } }) { count } }',
    ],
)
def test_what_the_direct_path_does_not_count_goes_the_usual_way(
    apps: tuple[Send, Send, Send],
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    query: str,
) -> None:
    on, _, _ = _alike(apps, monkeypatch, query)
    assert on.get("errors")  # refused alike
    assert taken == []
