"""Grouped counts counted from the group nodes give the rows of the general statement.

:func:`graph.groups.split_counts` answers one grouping by a node one link away in two
statements from the group side; on the loaded store its merged rows must equal, in
the same order, those of :func:`graph.groups.grouped_counts` for every such grouping,
with and without a filter.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph import query_builder as qb
from graph.groups import GROUPINGS, group_rows, grouped_counts, merged, split_counts
from graph.store import BoltEndpoint, Store
from tests.conftest import run

SPLIT = [
    (label, name)
    for label, table in GROUPINGS.items()
    for name in table
    if split_counts(label, (name,), qb.EVERYTHING, "en") is not None
]

#: no filter, or every other node of the label (by id)
FILTERS = ("everything", "every other node")


def test_only_one_link_groupings_by_id_are_split() -> None:
    assert ("Indicator", "DEPARTMENT") in SPLIT
    assert ("Milestone", "DEPARTMENT") in SPLIT
    assert split_counts("Indicator", ("PLAN",), qb.EVERYTHING, "en") is None  # three links
    assert split_counts("Indicator", ("DEPARTMENT", "DUE_DATE"), qb.EVERYTHING, "en") is None
    assert split_counts("ProgressUpdate", ("STATUS",), qb.EVERYTHING, "en") is None  # by code
    anchored = qb.Where(related=(qb.Related("milestone", "single", qb.EVERYTHING),))
    assert split_counts("Indicator", ("DEPARTMENT",), anchored, "en") is None


def test_the_no_group_row_sorts_as_cypher_sorts_null() -> None:
    rows = [{"keys": ["b"], "labels": ["B"], "entities": ["b"], "total": 2}]
    rows.append({"keys": ["a"], "labels": ["A"], "entities": ["a"], "total": 2})
    assert [r["keys"] for r in merged(rows, 2)] == [["a"], ["b"], [None]]
    assert [r["keys"] for r in merged(rows, 3)] == [[None], ["a"], ["b"]]
    assert [r["keys"] for r in merged(rows, 0)] == [["a"], ["b"]]


@pytest.mark.parametrize("chosen", FILTERS)
def test_split_counts_equal_the_general_statement(
    store_endpoint: BoltEndpoint, chosen: str
) -> None:
    async def compare() -> list[tuple[str, str]]:
        store = Store.connect(store_endpoint, 30)
        differ = []
        try:
            for label, name in SPLIT:
                where = qb.EVERYTHING
                if chosen != "everything":
                    every = qb.page_of(label, qb.EVERYTHING, (), "en")
                    page = await store.read(every.statement, skip=0, limit=100_000)
                    ids = tuple(node["id"] for node in page[0]["nodes"][::2])
                    where = qb.Where(conditions=(qb.Condition("id", "in", ids),))
                for lang in qb.LANGS:
                    general = grouped_counts(label, (name,), where, lang)
                    expected: list[dict[str, Any]] = await store.read(
                        general.statement, **general.params
                    )
                    split = split_counts(label, (name,), where, lang)
                    assert split is not None
                    found = await store.read(split.groups.statement, **split.groups.params)
                    rest = await store.read(split.ungrouped.statement, **split.ungrouped.params)
                    if merged(group_rows(found), rest[0]["total"]) != expected:
                        differ.append((label, name))
        finally:
            await store.close()
        return differ

    assert run(compare()) == []
