"""The compiled engine without a store: a GraphQL selection in, one statement and its parameters out."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse
from strawberry.types.nodes import SelectedField, convert_selections

from graph import compile as cc
from graph import query_builder as qb
from schema.app import build_schema
from schema.compiled import USES, Bridge, Decline
from schema.entities import ENTITY_TYPES
from schema.settings import ApiSettings

SCHEMA = build_schema()


def root_field(document: str, variables: dict[str, Any] | None = None) -> SelectedField:
    """The first root field of ``document`` as Strawberry hands it to a resolver."""
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    info = SimpleNamespace(fragments=fragments, variable_values=variables or {})
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    converted = convert_selections(info, [field])[0]  # type: ignore[arg-type]
    assert isinstance(converted, SelectedField)
    return converted


def bridge(lang: str = "en") -> Bridge:
    return Bridge(SCHEMA._schema, ApiSettings(), lang)


NESTED = """query ($after: String, $kind: [ReportKind!]) {
  plan(id: "Plan:CAN-2018-2020") {
    title
    ...More
    reports: reportsAggregate(where: { kind: { in: $kind } }) { count }
    commitments(first: 3, after: $after, sort: [{ code: DESC }], where: { title: { contains: "open" } }) {
      totalCount
      edges { cursor node { code milestones(first: 2) { nodes { code title(lang: FR)
        departments { nodes { code name } } commitment { code } indicatorCount } } } }
    }
  }
}
fragment More on Plan { startYear country { code } previous { id } }"""


def test_a_nested_request_becomes_one_pick_with_only_what_it_asks() -> None:
    field = root_field(NESTED, {"after": "b2Zmc2V0OjA=", "kind": ["IRM_PROGRESS_REPORT"]})
    pick = bridge().pick("Plan", field.selections)
    assert pick.props == ("startYear",)  # `previous` reads the id
    assert pick.texts == ("title",)  # in the request's language only, the other as fallback
    by_key = {r.key: r for r in pick.related}
    assert isinstance(by_key["country"], cc.One) and by_key["country"].node.props == ("code",)
    reports = by_key["reports"]
    assert isinstance(reports, cc.Count)
    assert reports.where == qb.Where(
        conditions=(qb.Condition("kind", "in", ("IRM_PROGRESS_REPORT",)),)
    )
    commitments = by_key["commitments"]
    assert isinstance(commitments, cc.Many)
    assert (commitments.skip, commitments.limit, commitments.total) == (1, 3, True)
    assert commitments.sort == (qb.Order("code", "DESC"),)
    milestones = commitments.node.related[0]
    assert isinstance(milestones, cc.Many) and (milestones.limit, milestones.total) == (2, False)
    assert [r.key for r in milestones.node.related] == [
        "departments",
        "commitment",
        "indicatorCount",
    ]
    # `title(lang: FR)` asks one language whatever the request's: both are fetched
    assert milestones.node.props == ("code", "title_en", "title_fr") and not milestones.node.texts


def test_the_statement_projects_asked_properties_and_pages_inside() -> None:
    field = root_field(NESTED, {"after": "b2Zmc2V0OjA="})
    pick = bridge().pick("Plan", field.selections)
    built = cc.by_ids("Plan", pick, "fr")
    cypher = built.statement.cypher
    assert cypher.startswith(
        "MATCH (n:Plan) WHERE n.id IN $ids RETURN n {.id, .startYear, "
        "title_fr: CASE WHEN n.title_fr <> '' THEN n.title_fr ELSE n.title_en END, "
    )
    assert "properties(" not in cypher and ".description_en" not in cypher
    assert "__commitments: [COUNT { MATCH (n)-[:HAS_COMMITMENT]->" in cypher
    # sorted by the asked key, then id; the page is parameters, the filter value folded
    assert "ORDER BY n4.code_sort DESC, n4.id_sort ASC SKIP $p1 LIMIT $p2" in cypher
    assert "head(COLLECT { MATCH (n)<-[:HAS_PLAN]-(" in cypher
    assert built.params == {"p0": "open", "p1": 1, "p2": 3, "p3": 2, "p4": 20, "p5": "open"}


def test_a_root_page_counts_only_when_the_total_is_shown() -> None:
    pick = cc.Pick("Indicator", ("code",))
    # sorting every match: the shape where the store walks no index (tests/test_index_order.py)
    counted = cc.page("Indicator", pick, qb.EVERYTHING, (), "en", 5, 10, True, index_walked=False)
    assert "size(matched) AS total" in counted.statement.cypher
    assert "matched[$p0..($p0 + $p1)]" in counted.statement.cypher
    rows = cc.page("Indicator", pick, qb.EVERYTHING, (), "en", 5, 10, False, index_walked=False)
    assert "collect(" not in rows.statement.cypher
    assert rows.statement.cypher.endswith("SKIP $p0 LIMIT $p1 RETURN n {.id, .code} AS node")
    assert rows.params == {"p0": 5, "p1": 10}


def test_connections_merge_edges_and_nodes_and_fragments() -> None:
    field = root_field(
        "{ indicators { edges { node { code } } nodes { title ...on Indicator { dueDate } } } }"
    )
    found = bridge().page("Indicator", field.selections)
    assert found.total is False
    assert found.node.props == ("code", "dueDate") and found.node.texts == ("title",)


def test_fragments_on_other_types_are_left_out() -> None:
    field = root_field('{ node(id: "x") { id ... on Plan { title } ... on Indicator { code } } }')
    assert bridge().pick("Indicator", field.selections).props == ("id", "code")
    plan = bridge().pick("Plan", field.selections)
    assert (plan.props, plan.texts) == (("id",), ("title",))


def test_what_it_cannot_read_falls_back_to_the_resolvers() -> None:
    # a bad sort (two keys in one item) is left to the resolver, which refuses it
    field = root_field(
        "{ plans { nodes { commitments(sort: [{ code: ASC, title: ASC }]) { totalCount } } } }"
    )
    found = bridge().page("Plan", field.selections)
    assert found.node.related == ()
    # one response key with different arguments: left to the resolvers
    field = root_field(
        "{ plans { nodes { c: commitments(first: 1) { totalCount } } edges { node { "
        "c: commitments(first: 2) { totalCount } } } } }"
    )
    assert bridge().page("Plan", field.selections).node.related == ()
    with pytest.raises(Decline):
        bridge().page("Plan", root_field("{ plans { nodes { nope } } }").selections)


def test_where_values_are_read_as_the_resolvers_read_them() -> None:
    b = bridge()
    where = b.where(
        "Plan",
        {
            "startYear": {"gte": "2016", "lt": None},
            "OR": [{"title": {"contains": "Open"}}, {"id": {"eq": "Plan:x"}}],
            "NOT": {"country": {"code": {"eq": "CAN"}}},
            "commitments": {"some": {"milestones": {"none": {"code": {"in": "C01.1"}}}}},
        },
    )
    assert where.conditions == (qb.Condition("startYear", "gte", 2016),)
    assert len(where.any_of) == 2 and where.negated is not None
    inner = where.related[0].where.related[0]
    assert inner.quantifier == "none" and inner.where.conditions[0].value == ("C01.1",)
    with pytest.raises(Decline):
        b.where("Plan", {"nope": {"eq": 1}})
    with pytest.raises(Decline):
        b.sort("Plan", [{"code": "ASC", "title": "DESC"}])
    assert b.bounds(None, None) == (0, 20)
    with pytest.raises(Decline):
        b.bounds(-1, None)


def test_every_field_of_every_entity_type_is_known() -> None:
    for cls in ENTITY_TYPES:
        label = cls.__name__
        graphql_type = SCHEMA._schema.get_type(label)
        assert graphql_type is not None
        unknown = set(graphql_type.fields) - set(USES[label])  # type: ignore[attr-defined]
        assert not unknown, (label, unknown)


def test_properties_and_keys_are_checked() -> None:
    with pytest.raises(qb.QueryError):
        cc.by_ids("Plan", cc.Pick("Plan", ("title",)), "en")  # a bilingual text has two
    with pytest.raises(qb.QueryError):
        cc.by_ids("Plan", cc.Pick("Plan", ("nope",)), "en")
    with pytest.raises(qb.QueryError):
        cc.by_ids("Plan", cc.Pick("Plan", (), (cc.Count("a b", "commitments"),)), "en")


def test_previous_and_next_are_fetched_with_the_plan() -> None:
    field = root_field(NESTED, {})
    pick = bridge().pick("Plan", field.selections)
    previous = next(r for r in pick.related if r.key == "previous")
    assert previous == cc.Neighbour("previous", "previous", cc.Pick("Plan", ("id",), keep_id=False))
    cypher = cc.by_ids("Plan", pick, "en").statement.cypher
    # the nearest start year first, ties by id, as graph.reads.PLAN_NEIGHBOURS orders them
    assert (
        "__previous: head(COLLECT { MATCH (n)<-[:HAS_PLAN]-(:Country)-[:HAS_PLAN]->(n2:Plan) "
        "WHERE n2.startYear < n.startYear WITH n2 ORDER BY n2.startYear DESC, n2.id_sort DESC "
        "LIMIT 1 RETURN n2 {.id} })"
    ) in cypher
    with pytest.raises(qb.QueryError):
        cc.by_ids("Country", cc.Pick("Country", (), (cc.Neighbour("p", "previous", pick),)), "en")


def test_a_nested_node_goes_without_its_id_unless_asked_or_a_resolver_needs_it() -> None:
    document = (
        '{ plan(id: "Plan:CAN-2018-2020") { commitments(first: 2) { edges { node { code '
        "milestones(first: %s) { totalCount } } } } country { id } } }"
    )
    pick = bridge().pick("Plan", root_field(document % 2).selections)
    commitments = next(r for r in pick.related if r.key == "commitments")
    country = next(r for r in pick.related if r.key == "country")
    assert isinstance(commitments, cc.Many) and isinstance(country, cc.One)
    assert pick.keep_id  # a root node's rows are matched by its id
    assert not commitments.node.keep_id  # every field of it compiled: no id fetched
    assert country.node.props == ("id",)  # asked: fetched
    cypher = cc.by_ids("Plan", pick, "en").statement.cypher
    assert "RETURN n1 {.code, __milestones: " in cypher
    assert "RETURN n2 {.id} }]" in cypher  # a node of which nothing is asked keeps its id
    # milestones(first: 100000) is over the page limit: left to its resolver, which finds
    # the commitment by its id
    pick = bridge().pick("Plan", root_field(document % 100000).selections)
    commitments = next(r for r in pick.related if r.key == "commitments")
    assert isinstance(commitments, cc.Many)
    assert commitments.node.keep_id and not commitments.node.related
    assert "RETURN n1 {.id, .code} }" in cc.by_ids("Plan", pick, "en").statement.cypher


def test_a_member_lookup_is_one_statement_that_tries_each_label_in_turn() -> None:
    from schema.compiled import commitment_lookup, member_lookup

    field = root_field(
        '{ member(code: " esmd ") { __typename ... on LocalGovernment { code country { name } } '
        "... on Country { name } } }"
    )
    lookup = member_lookup(bridge("fr"), " esmd ", field.selections)
    assert lookup.picks == {
        "LocalGovernment": cc.Pick(
            "LocalGovernment",
            ("code",),
            (cc.One("country", "country", cc.Pick("Country", texts=("name",), keep_id=False)),),
        ),
        "Country": cc.Pick("Country", texts=("name",)),
    }
    cypher = lookup.built.statement.cypher
    assert cypher.startswith(
        "WITH head(COLLECT { MATCH (n1:LocalGovernment) WHERE n1.id = $p0 RETURN n1 {.id, .code, "
    )
    assert " WITH found0, CASE WHEN coalesce(found0) IS NULL THEN head(COLLECT { MATCH " in cypher
    assert cypher.endswith("RETURN coalesce(found0, found1) AS node")
    assert lookup.built.params == {"p0": "LocalGovernment:ESMD", "p1": "Country:ESMD"}
    field = root_field('{ commitment(ogpId: "Al0002") { title } }')
    lookup = commitment_lookup(bridge(), "Al0002", field.selections)
    assert lookup.built.params == {"p0": "Commitment:AL0002", "p1": "al0002"}
    assert "WITH n2 ORDER BY n2.id_sort ASC LIMIT 1 RETURN n2 {.id, title_en: CASE WHEN " in (
        lookup.built.statement.cypher
    )
    with pytest.raises(qb.QueryError):
        cc.first_found((), "en")


def test_a_to_one_link_is_every_node_it_reaches_with_its_sort_keys() -> None:
    pick = cc.Pick("CoChair", (), (cc.One("term", "term", cc.Pick("CoChairTerm", ("startYear",))),))
    cypher = cc.by_ids("CoChair", pick, "fr").statement.cypher
    assert (
        "__term: [(n)<-[:HAS_CHAIR]-(n1:CoChairTerm) | n1 {.id, .startYear, "
        "_order: [n1.startYear, n1.id_sort]}]"
    ) in cypher


def test_first_of_picks_as_order_by_and_limit_1_would() -> None:
    def term(year: int | None, key: str) -> dict[str, Any]:
        return {"id": key, cc.ORDER_KEY: [year, key]}

    assert cc.first_of([], "CoChairTerm") is None and cc.first_of(None, "CoChairTerm") is None
    only = term(None, "a")
    assert cc.first_of([only], "CoChairTerm") is only
    # CoChairTerm: startYear DESC (nulls first, as Cypher puts them), then id ascending
    terms = [term(2018, "b"), term(2020, "c"), term(2020, "a"), term(None, "d")]
    assert cc.first_of(terms, "CoChairTerm") == term(None, "d")
    assert cc.first_of(terms[:3], "CoChairTerm") == term(2020, "a")
    # Region: code ASC (nulls last), then id
    regions: list[dict[str, Any]] = [
        {"id": "r2", cc.ORDER_KEY: [None, "r2"]},
        {"id": "r1", cc.ORDER_KEY: ["EU", "r1"]},
    ]
    assert cc.first_of(regions, "Region") == regions[1]
    # values of different kinds in Cypher's order of kinds: strings before numbers
    mixed: list[dict[str, Any]] = [
        {"id": "y", cc.ORDER_KEY: [3, "y"]},
        {"id": "x", cc.ORDER_KEY: ["EU", "x"]},
    ]
    assert cc.first_of(mixed, "Region") == mixed[1]
