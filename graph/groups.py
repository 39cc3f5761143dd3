"""Grouped counts for dashboards: entities of a label counted per related entity or value.

``Indicator`` by ``DEPARTMENT``, ``ProgressUpdate`` by ``STATUS`` and ``PERIOD``,
``Commitment`` by ``PLAN``... Each grouping is a pattern from the counted node
``n`` to a group node ``g`` (or a property of ``n``); several groupings give one
row per combination. The filter is the list's own ``where``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import permutations

from graph import domain
from graph import query_builder as qb
from graph.domain import Kind
from graph.statements import Statement


@dataclass(frozen=True)
class Grouping:
    """How to find the group of ``n``: a pattern to ``{g}``, its key and label expressions."""

    pattern: str | None
    key: str
    #: bilingual property of the group node that names it, or None
    label: str | None
    #: True when the key is a node id the API can show as an entity
    entity: bool


def _grouping(label: str, choice: domain.Grouping) -> Grouping:
    if choice.prop is not None:
        return Grouping(None, "n." + choice.prop, None, False)
    target = domain.ENTITY_BY_LABEL[domain.path_target(label, choice.path)]
    named = target.props.get(target.display)
    display = target.display if named is not None and named.kind is Kind.BILINGUAL else None
    pattern = domain.path_pattern(label, choice.path, "n", "{g}")
    return Grouping(pattern, "{g}." + choice.key, display, choice.key == "id")


#: label -> grouping name -> how to group, from each entity's declared groupings
GROUPINGS: dict[str, dict[str, Grouping]] = {
    entity.label: {choice.name: _grouping(entity.label, choice) for choice in entity.groupings}
    for entity in domain.ENTITIES
    if entity.groupings
}


def grouped_counts(label: str, by: tuple[str, ...], where: qb.Where, lang: str) -> qb.Built:
    """One row per combination of groups: ``keys``, ``labels``, ``entities``, ``count``."""
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


def lintable_statements() -> Iterator[Statement]:
    """Every grouping of every label, alone and in pairs."""
    for label, table in GROUPINGS.items():
        for size in (1, 2):
            for by in permutations(table, size):
                yield grouped_counts(label, by, qb.EVERYTHING, "fr").statement
