"""Grouped counts for dashboards: entities of a label counted per related entity or value.

``Indicator`` by ``DEPARTMENT``, ``ProgressUpdate`` by ``STATUS`` and ``PERIOD``,
``Commitment`` by ``PLAN``... Each grouping is a pattern from the counted node
``n`` to a group node ``g`` (or a property of ``n``); several groupings give one
row per combination. The filter is the list's own ``where``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import permutations
from typing import Any, TypeAlias, TypeVar

from graph import domain
from graph import query_builder as qb
from graph.domain import Kind
from graph.statements import Statement
from graph.store import Store

T = TypeVar("T")
#: a value, or the exception that stopped its statement
Outcome: TypeAlias = T | BaseException
#: rows of grouped counts: ``keys``, ``labels``, ``entities``, ``total``
Rows: TypeAlias = list[dict[str, Any]]


@dataclass(frozen=True)
class Grouping:
    """How to find the group of ``n``: a pattern to ``{g}``, its key and label expressions."""

    pattern: str | None
    key: str
    #: bilingual property of the group node that names it, or None
    label: str | None
    #: True when the key is a node id the API can show as an entity
    entity: bool
    #: for a one-link grouping, the group node's label and the pattern with ``n`` labelled
    #: (the shape :func:`split_counts` can answer from the group nodes), else None
    target: str | None = None
    near: str | None = None


def _grouping(label: str, choice: domain.Grouping) -> Grouping:
    if choice.prop is not None:
        return Grouping(None, "n." + choice.prop, None, False)
    target = domain.ENTITY_BY_LABEL[domain.path_target(label, choice.path)]
    named = target.props.get(target.display)
    display = target.display if named is not None and named.kind is Kind.BILINGUAL else None
    pattern = domain.path_pattern(label, choice.path, "n", "{g}")
    entity = choice.key == "id"
    if entity and len(choice.path) == 1:
        near = domain.path_pattern(label, choice.path, f"n:{label}", "{g}")
        return Grouping(pattern, "{g}.id", display, True, target.label, near)
    return Grouping(pattern, "{g}." + choice.key, display, entity)


#: label -> grouping name -> how to group, from each entity's declared groupings
GROUPINGS: dict[str, dict[str, Grouping]] = {
    entity.label: {choice.name: _grouping(entity.label, choice) for choice in entity.groupings}
    for entity in domain.ENTITIES
    if entity.groupings
}


def _checked(label: str, by: tuple[str, ...], lang: str) -> dict[str, Grouping]:
    table = GROUPINGS.get(label, {})
    unknown = [name for name in by if name not in table]
    if unknown or not by:
        allowed = ", ".join(table) or "nothing"
        raise qb.QueryError(
            f"{label} can be grouped by {allowed}; not by {', '.join(unknown) or 'an empty list'}"
        )
    if len(set(by)) != len(by):
        raise qb.QueryError("each grouping may appear once")
    if lang not in qb.LANGS:
        raise qb.QueryError(f"unknown language {lang!r}")
    return table


def grouped_counts(label: str, by: tuple[str, ...], where: qb.Where, lang: str) -> qb.Built:
    """One row per combination of groups: ``keys``, ``labels``, ``entities``, ``total``.

    Follows each grouping from every counted node (``OPTIONAL MATCH``): the general
    shape, for what :func:`split_counts` does not answer.
    """
    table = _checked(label, by, lang)
    compiler = qb.FilterCompiler()
    match = qb.match_where(label, "n", where, compiler)
    matches, keys, labels, entities = [], [], [], []
    for index, name in enumerate(by):
        grouping = table[name]
        var = f"g{index}"
        if grouping.pattern is not None:
            matches.append(f"OPTIONAL MATCH {grouping.pattern.format(g=var)}")
        keys.append(f"toString({grouping.key.format(g=var)})")
        labels.append(qb.localized(var, grouping.label, lang) if grouping.label else "null")
        entities.append(f"{var}.id" if grouping.entity else "null")
    cypher = (
        f"{match} "
        + " ".join(matches)
        + f" WITH [{', '.join(keys)}] AS keys, [{', '.join(labels)}] AS labels, "
        f"[{', '.join(entities)}] AS entities, n "
        "RETURN keys, labels, entities, count(DISTINCT n) AS total "
        "ORDER BY total DESC, keys"
    )
    name = f"groups.count[{label}:{'+'.join(by)}]"
    return qb.Built(Statement(name, cypher, compiler.params), compiler.params)


@dataclass(frozen=True)
class Split:
    """Grouped counts in two statements: ``groups`` (one row, ``groups``: a map per group
    that has members, as :func:`grouped_counts` gives its rows; see :func:`group_rows`) and
    ``ungrouped`` (one row: ``total``, the nodes in no group, and ``matching``, every node
    passing ``where``: the aggregate's ``count``)."""

    groups: qb.Built
    ungrouped: qb.Built


def split_counts(label: str, by: tuple[str, ...], where: qb.Where, lang: str) -> Split | None:
    """The same rows as :func:`grouped_counts`, counted from the group nodes, where it can be.

    For one grouping by a node one link away (``DEPARTMENT`` of an indicator): each group
    node counts its own members, and the "no group" row is every node passing ``where``
    less those with a group; that statement also gives the number of nodes passing
    ``where``, so a root aggregate asking ``count`` beside one such ``groupedBy`` needs no
    statement of its own (:meth:`GroupedCounts.read_with_count`). ArcadeDB follows a link from each of 30,000 counted nodes
    (``OPTIONAL MATCH``, or ``NOT EXISTS`` for the "no group" row) in 2-7 s at 100x, and
    from the group nodes in 0.03-0.3 s. Put together in one statement (``CALL`` subqueries
    or a ``UNION``) the same parts took 0.6-2.7 s, so they are two. None for other shapes
    (several groupings, longer paths, keys that are not ids, and filters that start from
    a related node, whose few matches are quicker to follow one by one). A group's members
    are a ``COUNT {}`` subquery: 3.8 against 5.3 ms at 1x and 4.8 against 12.6 ms at 100x for
    ``CALL { ... count(DISTINCT n) }``.
    """
    table = _checked(label, by, lang)
    grouping = table[by[0]]
    if len(by) != 1 or grouping.near is None or grouping.target is None:
        return None
    if qb.anchored(label, where):
        return None
    compiler = qb.FilterCompiler()
    condition = qb.where_clause(compiler.where(label, "n", where))
    near = grouping.near.format(g="g")
    name = qb.localized("g", grouping.label, lang) if grouping.label else "null"
    # COUNT {} counts paths: one per member here, as the writer keeps one relationship of a
    # type between two nodes (graph/writer.py creates one only where it finds none),
    # so no DISTINCT is needed
    # one row holding every group: a row per group cost the embedded store and the driver
    # about 0.2 ms more for the 20 departments at 1x (0.95 against 0.73 ms)
    groups = (
        f"MATCH (g:{grouping.target}) "
        f"WITH g, COUNT {{ MATCH {near}{condition} }} AS total WHERE total > 0 "
        f"RETURN collect({{keys: [toString(g.id)], labels: [{name}], entities: [g.id], "
        "total: total}) AS groups"
    )
    ungrouped = (
        f"MATCH (g:{grouping.target}) MATCH {near}{condition} "
        "WITH count(DISTINCT n) AS grouped "
        f"WITH grouped, COUNT {{ MATCH (n:{label}){condition} }} AS matching "
        "RETURN matching - grouped AS total, matching"
    )
    params = compiler.params
    key = f"{label}:{by[0]}"
    return Split(
        qb.Built(Statement(f"groups.by_group[{key}]", groups, params, projected=True), params),
        qb.Built(Statement(f"groups.ungrouped[{key}]", ungrouped, params, projected=True), params),
    )


def group_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups of a :class:`Split`'s ``groups`` statement, a row each (it returns one)."""
    return list(found[0]["groups"]) if found else []


def merged(groups: list[dict[str, Any]], ungrouped: int) -> list[dict[str, Any]]:
    """The rows of a :class:`Split` in the order of :func:`grouped_counts`: largest first,
    then by keys (a missing key last, as Cypher sorts null)."""
    rows = list(groups)
    if ungrouped > 0:
        rows.append({"keys": [None], "labels": [None], "entities": [None], "total": ungrouped})
    return sorted(rows, key=lambda r: (-r["total"], [(k is None, k or "") for k in r["keys"]]))


@dataclass(frozen=True)
class GroupedCounts:
    """How one grouping is read: :func:`split_counts` where it answers, else
    :func:`grouped_counts` (``whole``)."""

    split: Split | None
    whole: qb.Built | None

    async def read(self, store: Store) -> list[dict[str, Any]]:
        """The rows, largest group first; a split's two statements are read at once (two
        read transactions: the request waits for the longer, not for both)."""
        if self.split is None:
            assert self.whole is not None
            return await store.read(self.whole.statement, **self.whole.params)
        groups, ungrouped = self.split.groups, self.split.ungrouped
        found, rest = await asyncio.gather(
            store.read(groups.statement, **groups.params),
            store.read(ungrouped.statement, **ungrouped.params),
        )
        return merged(group_rows(found), rest[0]["total"] if rest else 0)

    async def read_with_count(self, store: Store) -> tuple[Outcome[int], Outcome[Rows]]:
        """The number of nodes passing ``where`` (from the split's ``ungrouped`` statement)
        and the rows, both statements at once: a root aggregate's ``count`` and its one
        ``groupedBy`` in two statements instead of three. Each part is its value or the
        exception that stopped it (rows need both statements, the count only the second).
        """
        assert self.split is not None
        groups, ungrouped = self.split.groups, self.split.ungrouped
        found, rest = await asyncio.gather(
            store.read(groups.statement, **groups.params),
            store.read(ungrouped.statement, **ungrouped.params),
            return_exceptions=True,
        )
        for outcome in (found, rest):
            if isinstance(outcome, asyncio.CancelledError):
                raise outcome
        if isinstance(rest, BaseException):
            return rest, rest
        row = rest[0] if rest else {"total": 0, "matching": 0}
        if isinstance(found, BaseException):
            return row["matching"], found
        return row["matching"], merged(group_rows(found), row["total"])


def counts_of(label: str, by: tuple[str, ...], where: qb.Where, lang: str) -> GroupedCounts:
    """How the counts of ``label`` per group of ``by`` are read."""
    split = split_counts(label, by, where, lang)
    return GroupedCounts(
        split, None if split is not None else grouped_counts(label, by, where, lang)
    )


def lintable_statements() -> Iterator[Statement]:
    """Every grouping of every label, alone and in pairs, and the split shapes."""
    for label, table in GROUPINGS.items():
        for size in (1, 2):
            for by in permutations(table, size):
                yield grouped_counts(label, by, qb.EVERYTHING, "fr").statement
        for name in table:
            where = qb.Where(conditions=(qb.Condition("id", "in", ("x",)),))
            split = split_counts(label, (name,), where, "en")
            if split is not None:
                yield split.groups.statement
                yield split.ungrouped.statement
