"""A root aggregate's ``count`` beside its one split ``groupedBy``: two statements, not three.

The split's second statement (the nodes in no group) also counts every node passing
``where``, so ``{ indicatorsAggregate { count groupedBy(by: [DEPARTMENT]) { ... } } }``
reads its count from it (:func:`schema.fields.count_from`). The answers must be those
of the count and the grouping asked apart (one statement, then two), on both paths (the direct
path on and off), with and without a filter, the "no group" row included. A count that is
not selected is not read at all.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph import query_builder as qb
from graph.groups import counts_of, split_counts
from graph.settings import StoreSettings
from graph.store import BoltEndpoint
from schema.app import create_app
from schema.fields import count_from
from schema.settings import ApiSettings
from tests.conftest import in_process, post_status

Send = Any

ROWS = "{ keys labels count }"
TOGETHER = (
    "query ($where: IndicatorWhere) { indicatorsAggregate(where: $where) "
    f"{{ count groupedBy(by: [DEPARTMENT], lang: FR) {ROWS} }} }}"
)
APART = (
    "query ($where: IndicatorWhere) { a: indicatorsAggregate(where: $where) { count } "
    f"b: indicatorsAggregate(where: $where) {{ groupedBy(by: [DEPARTMENT], lang: FR) {ROWS} }} }}"
)

#: no filter; a filter kept by the split shape; one that matches nothing
WHERES: list[dict[str, Any] | None] = [
    None,
    {"updateCount": {"gt": 0}},
    {"code": {"eq": "no such code"}},
]


# --- without the store --------------------------------------------------------------------


def test_only_count_beside_one_split_grouping_is_read_with_it() -> None:
    split = counts_of("Indicator", ("DEPARTMENT",), qb.EVERYTHING, "en")
    whole = counts_of("Indicator", ("PLAN",), qb.EVERYTHING, "en")
    assert split.split is not None and whole.split is None
    assert count_from(True, [split]) is split
    assert count_from(False, [split]) is None  # the count is not asked
    assert count_from(True, [whole]) is None  # not a split shape
    assert count_from(True, [split, split]) is None  # two groupings: the count on its own
    assert count_from(True, []) is None


def test_the_ungrouped_statement_counts_every_node_passing_the_filter() -> None:
    where = qb.Where(conditions=(qb.Condition("id", "in", ("x",)),))
    split = split_counts("Indicator", ("DEPARTMENT",), where, "en")
    assert split is not None
    cypher = split.ungrouped.statement.cypher
    assert cypher.endswith("RETURN matching - grouped AS total, matching")
    assert "COUNT { MATCH (n:Indicator) WHERE" in cypher


# --- on the store -------------------------------------------------------------------------


def _answers(
    pair: tuple[Send, Send], query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], int]:
    """The data and statement count of ``query``, the same on both paths (asserted)."""
    bodies = []
    for send in pair:
        for _ in range(2):  # the first validates the document the usual way
            status, body = post_status(send, query, variables, {})
        assert status == 200 and "errors" not in body, body.get("errors")
        bodies.append(body)
    on, off = bodies
    assert json.dumps(on["data"]) == json.dumps(off["data"])
    statements = [body["extensions"]["cypher"]["statements"] for body in bodies]
    assert statements[0] == statements[1], query
    return on["data"], statements[0]


@pytest.mark.parametrize("where", WHERES, ids=["everything", "with updates", "nothing"])
def test_count_and_groups_take_two_statements_and_answer_as_apart(
    pair: tuple[Send, Send], where: dict[str, Any] | None, taken: list[str]
) -> None:
    together, sent = _answers(pair, TOGETHER, {"where": where})
    assert TOGETHER in taken  # the direct path answered it
    apart, sent_apart = _answers(pair, APART, {"where": where})
    assert (sent, sent_apart) == (2, 1 + 2)
    found = together["indicatorsAggregate"]
    assert found["count"] == apart["a"]["count"]
    assert found["groupedBy"] == apart["b"]["groupedBy"]
    assert sum(row["count"] for row in found["groupedBy"]) >= found["count"]
    if where is None:
        assert found["count"] > 0
        assert [None] in [row["keys"] for row in found["groupedBy"]]  # the "no group" row
    if where == WHERES[2]:
        assert found == {"count": 0, "groupedBy": []}


@pytest.mark.parametrize(
    ("query", "variables", "sent"),
    [
        ("{ indicatorsAggregate { count } }", None, 1),
        (f"{{ indicatorsAggregate {{ groupedBy(by: [DEPARTMENT]) {ROWS} }} }}", None, 2),
        (
            "{ indicatorsAggregate { "
            f"g: groupedBy(by: [DEPARTMENT]) {ROWS} h: groupedBy(by: [PLAN]) {ROWS} }} }}",
            None,
            2 + 1,
        ),
        ("{ indicatorsAggregate { __typename } }", None, 0),
        (f"{{ indicatorsAggregate {{ count groupedBy(by: [PLAN]) {ROWS} }} }}", None, 2),
        (
            "{ indicatorsAggregate { n: count count "
            f"g: groupedBy(by: [DEPARTMENT]) {ROWS} h: groupedBy(by: [DEPARTMENT]) {ROWS} }} }}",
            None,
            5,
        ),
        (
            "query ($by: [IndicatorGroupBy!]!) { indicatorsAggregate { "
            f"...on IndicatorAggregate {{ count }} ...F }} }} "
            f"fragment F on IndicatorAggregate {{ groupedBy(by: $by) {ROWS} }}",
            {"by": ["DEPARTMENT"]},
            2,
        ),
        (
            "{ milestonesAggregate { count groupedBy(by: [DEPARTMENT]) { count keys } } }",
            None,
            2,
        ),
    ],
    ids=[
        "count",
        "groups",
        "groups, no count",
        "nothing counted",
        "not split",
        "two groupings",
        "fragments",
        "milestones",
    ],
)
def test_other_selections_send_what_they_sent(
    pair: tuple[Send, Send], query: str, variables: dict[str, Any] | None, sent: int
) -> None:
    assert _answers(pair, query, variables)[1] == sent


def test_a_directive_keeps_the_count_apart(pair: tuple[Send, Send]) -> None:
    plain = f"{{ indicatorsAggregate {{ count groupedBy(by: [DEPARTMENT]) {ROWS} }} }}"
    kept = plain.replace(
        "groupedBy(by: [DEPARTMENT])", "groupedBy(by: [DEPARTMENT]) @include(if: true)"
    )
    data, sent = _answers(pair, kept)  # the direct path leaves directives to the usual one
    assert sent == 3
    assert (data, 2) == _answers(pair, plain)


def test_a_statement_that_runs_too_long_is_told_alike(store_endpoint: BoltEndpoint) -> None:
    settings = StoreSettings(statement_timeout=0.001)
    on_app = create_app(store_endpoint, settings, ApiSettings(direct=True))
    off_app = create_app(store_endpoint, settings, ApiSettings(direct=False))
    with in_process(on_app) as on, in_process(off_app) as off:
        bodies = []
        for send in (on, off):
            post_status(send, TOGETHER, None, {})
            bodies.append(post_status(send, TOGETHER, None, {}))
    (status_on, body_on), (status_off, body_off) = bodies
    assert status_on == status_off
    assert json.dumps(body_on.get("data")) == json.dumps(body_off.get("data"))
    assert json.dumps(body_on.get("errors")) == json.dumps(body_off.get("errors"))
