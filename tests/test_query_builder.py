"""The Cypher compiler, with no store: statement text and parameters for filters, sorts, pages, groups."""

from __future__ import annotations

import pytest

from graph import query_builder as qb
from graph import statements
from graph.derived import derived_properties, natural_key
from graph.groups import grouped_counts
from graph.statements import statement
from schema.entities import (
    ChairRole,
    ChairRoleFilter,
    CoChairWhere,
    IndicatorSort,
    IndicatorWhere,
    MilestoneListWhere,
    PlanWhere,
)
from schema.errors import UserInputError
from schema.filters import DateFilter, IntFilter, SortDirection, TextFilter, to_sort, to_where


def where(*conditions: qb.Condition, **kw: object) -> qb.Where:
    return qb.Where(conditions=conditions, **kw)  # type: ignore[arg-type]


def test_a_bilingual_text_is_matched_folded_in_either_language() -> None:
    built = qb.count_of("Plan", where(qb.Condition("title", "contains", "Réconciliation")))
    assert built.statement.cypher == (
        "MATCH (n:Plan) WHERE (any(t IN coalesce(n.title_norm, []) WHERE t CONTAINS $p0)) "
        "RETURN count(n) AS total"
    )
    assert built.params == {"p0": "reconciliation"}


def test_each_kind_compiles_to_its_own_test() -> None:
    compiler = qb.FilterCompiler()
    text = compiler.where(
        "Indicator",
        "n",
        where(
            qb.Condition("code", "startsWith", "C01"),
            qb.Condition("dueDate", "lt", "2023-06"),
            qb.Condition("updateCount", "gte", 1),
            qb.Condition("id", "in", ["Indicator:a"]),
        ),
    )
    assert text == (
        "(coalesce(toLower(n.code) STARTS WITH $p0, false) AND "
        "coalesce(n.dueDate < $p1, false) AND "
        "coalesce(COUNT { (n)-[:HAS_UPDATE]->(:ProgressUpdate) } >= $p2, false) AND "
        "n.id IN $p3)"
    )
    assert compiler.params == {"p0": "c01", "p1": "2023-06", "p2": 1, "p3": ["Indicator:a"]}
    role = qb.FilterCompiler().where(
        "CoChair", "n", where(qb.Condition("role", "eq", "GOVERNMENT"))
    )
    assert role == "(coalesce(n.role = $p0, false))"


def test_related_filters_use_the_declared_pattern() -> None:
    inner = where(qb.Condition("code", "eq", "tbs-sct"))
    compiler = qb.FilterCompiler()
    text = compiler.where(
        "Milestone",
        "n",
        qb.Where(
            related=(
                qb.Related("departments", "all", inner),
                qb.Related("commitment", "single", qb.EVERYTHING),
            ),
            any_of=(inner, qb.EVERYTHING),
            negated=inner,
        ),
    )
    assert "NOT EXISTS { MATCH (n)-[:LED_BY]->(m1:Department) WHERE NOT " in text
    assert "EXISTS { MATCH (n)<-[:HAS_MILESTONE]-(m2:Commitment) WHERE true }" in text
    assert " OR true)" in text and "NOT (coalesce(toLower(n.code) = $p" in text


@pytest.mark.parametrize(
    ("label", "condition", "message"),
    [
        ("Plan", qb.Condition("nothing", "eq", 1), "Plan has no field 'nothing'"),
        ("Plan", qb.Condition("startYear", "contains", 1), "does not take the operator"),
        ("CoChair", qb.Condition("role", "gt", "X"), "does not take the operator"),
    ],
)
def test_bad_filters_say_what_is_wrong(label: str, condition: qb.Condition, message: str) -> None:
    with pytest.raises(qb.QueryError, match=message):
        qb.count_of(label, where(condition))


def test_bad_relationship_filters_say_what_is_wrong() -> None:
    with pytest.raises(qb.QueryError, match="Plan has no relationship 'x'"):
        qb.count_of("Plan", qb.Where(related=(qb.Related("x", "some", qb.EVERYTHING),)))
    with pytest.raises(qb.QueryError, match="takes some, none or all"):
        qb.count_of("Plan", qb.Where(related=(qb.Related("commitments", "single", qb.EVERYTHING),)))
    with pytest.raises(qb.QueryError, match="unknown quantifier"):
        qb.count_of("Plan", qb.Where(related=(qb.Related("commitments", "any", qb.EVERYTHING),)))


def test_a_page_sorts_by_the_keys_then_the_default_then_the_id() -> None:
    built = qb.page_of("Plan", qb.EVERYTHING, (qb.Order("title", "DESC"),), "fr")
    assert "ORDER BY toLower(coalesce(n.title_fr, n.title_en)) DESC, n.id_sort ASC" in (
        built.statement.cypher
    )
    assert "[x IN matched[$skip..($skip + $limit)] | properties(x)] AS nodes" in (
        built.statement.cypher
    )
    default = qb.order_by("Commitment", "n", (), "en")
    assert default == "n.id_sort ASC"
    assert qb.order_by("Department", "n", (), "en") == "n.code_sort ASC, n.id_sort ASC"
    assert qb.order_by("Plan", "n", (qb.Order("commitmentCount", "DESC"),), "en") == (
        "COUNT { (n)-[:HAS_COMMITMENT]->(:Commitment) } DESC, n.id_sort ASC"
    )
    with pytest.raises(qb.QueryError, match="unknown sort direction"):
        qb.order_by("Plan", "n", (qb.Order("title", "UP"),), "en")
    with pytest.raises(qb.QueryError, match="unknown language"):
        qb.order_by("Plan", "n", (), "de")


def test_related_and_counted_lists_are_one_statement_per_field() -> None:
    built = qb.related_to("Plan", "commitments", qb.EVERYTHING, (), "en")
    assert built.statement.cypher.startswith(
        "MATCH (p:Plan) WHERE p.id IN $parents MATCH (p)-[:HAS_COMMITMENT]->(n:Commitment)"
    )
    counted = qb.count_related("Department", "milestones", qb.EVERYTHING)
    assert "OPTIONAL MATCH (p)<-[:LED_BY]-(n:Milestone) WHERE true" in counted.statement.cypher
    assert qb.by_ids("Plan").cypher == (
        "MATCH (n:Plan) WHERE n.id IN $ids RETURN properties(n) AS node"
    )


def test_grouped_counts_follow_the_declared_paths() -> None:
    built = grouped_counts(
        "Indicator", ("PLAN", "DUE_DATE"), where(qb.Condition("code", "eq", "x")), "en"
    )
    cypher = built.statement.cypher
    assert (
        "OPTIONAL MATCH (n)<-[:HAS_INDICATOR]-(:Milestone)<-[:HAS_MILESTONE]-(:Commitment)"
        "<-[:HAS_COMMITMENT]-(g0:Plan)"
    ) in cypher
    assert "[toString(g0.id), toString(n.dueDate)] AS keys" in cypher
    assert "[coalesce(g0.title_en, g0.title_fr), null] AS labels" in cypher
    assert built.params == {"p0": "x"}
    status = grouped_counts("ProgressUpdate", ("STATUS",), qb.EVERYTHING, "fr").statement.cypher
    assert "toString(g0.code)" in status and "[null] AS entities" in status


@pytest.mark.parametrize(
    ("label", "by", "message"),
    [
        ("Commitment", ("STATUS",), "Commitment can be grouped by PLAN, MEMBER, .*; not by STATUS"),
        ("Department", ("PLAN",), "Department can be grouped by nothing"),
        ("Plan", (), "not by an empty list"),
        ("Plan", ("COUNTRY", "COUNTRY"), "each grouping may appear once"),
    ],
)
def test_bad_groupings_say_what_is_wrong(label: str, by: tuple[str, ...], message: str) -> None:
    with pytest.raises(qb.QueryError, match=message):
        grouped_counts(label, by, qb.EVERYTHING, "en")
    with pytest.raises(qb.QueryError, match="unknown language"):
        grouped_counts("Plan", ("COUNTRY",), qb.EVERYTHING, "de")


def test_graphql_inputs_become_the_compilers_filters() -> None:
    value = PlanWhere(
        start_year=IntFilter(gte=2018),
        title=TextFilter(contains="data"),
        or_=[PlanWhere(end_year=IntFilter(eq=2020))],
        not_=PlanWhere(ordinal=IntFilter(in_=[1])),
    )
    converted = to_where("Plan", value)
    assert converted.conditions == (
        qb.Condition("title", "contains", "data"),
        qb.Condition("startYear", "gte", 2018),
    )
    assert converted.any_of == (where(qb.Condition("endYear", "eq", 2020)),)
    assert converted.negated == where(qb.Condition("ordinal", "in", (1,)))
    enum = to_where("CoChair", CoChairWhere(role=ChairRoleFilter(in_=[ChairRole.GOVERNMENT])))
    assert enum.conditions == (qb.Condition("role", "in", ("GOVERNMENT",)),)
    nested = to_where(
        "Indicator",
        IndicatorWhere(due_date=DateFilter(lt="2023-06"), milestone=None),
    )
    assert nested.conditions == (qb.Condition("dueDate", "lt", "2023-06"),)
    some = to_where("Commitment", _commitment_with_milestones())
    assert some.related[0].link == "milestones" and some.related[0].quantifier == "none"


def _commitment_with_milestones() -> object:
    from schema.entities import CommitmentWhere, MilestoneWhere

    return CommitmentWhere(
        milestones=MilestoneListWhere(none=MilestoneWhere(code=TextFilter(eq="C01.1")))
    )


def test_graphql_sorts_set_one_key_each() -> None:
    sort = to_sort(
        "Indicator",
        [IndicatorSort(due_date=SortDirection.DESC), IndicatorSort(id=SortDirection.ASC)],
    )
    assert sort == (qb.Order("dueDate", "DESC"), qb.Order("id", "ASC"))
    with pytest.raises(UserInputError, match=r"sort\[0\] must set exactly one field, not 2"):
        to_sort("Indicator", [IndicatorSort(code=SortDirection.ASC, title=SortDirection.ASC)])


def test_derived_properties_fold_text_and_pad_numbers() -> None:
    derived = derived_properties(
        {"id": "Milestone:C01.10", "code": "C01.10", "title_en": "Réconciliation", "url_en": "x"}
    )
    assert derived["title_norm"] == ["reconciliation"]
    assert derived["code_sort"] == natural_key("C01.10") == "C000001.000010"
    assert "searchText" not in derived  # search keeps its own index (graph.search_index)


def test_two_statements_cannot_share_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statements, "_REGISTRY", {})  # leave the real registry alone
    statement("test.unique", "RETURN 1 AS one")
    assert statement("test.unique", "RETURN 1 AS one").cypher == "RETURN 1 AS one"
    with pytest.raises(ValueError, match=r"two statements are named 'test\.unique'"):
        statement("test.unique", "RETURN 2 AS two")
