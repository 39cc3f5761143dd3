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

from graph import query_builder as qb
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


def _node(pattern: str, label: str = "name") -> Grouping:
    return Grouping(pattern, "{g}.id", label, True)


def _value(prop: str) -> Grouping:
    return Grouping(None, "n." + prop, None, False)


_PLAN_OF_COMMITMENT = "(n)<-[:HAS_COMMITMENT]-({g}:Plan)"
_PLAN_OF_MILESTONE = "(n)<-[:HAS_MILESTONE]-(:Commitment)<-[:HAS_COMMITMENT]-({g}:Plan)"
_PLAN_OF_INDICATOR = (
    "(n)<-[:HAS_INDICATOR]-(:Milestone)<-[:HAS_MILESTONE]-(:Commitment)"
    "<-[:HAS_COMMITMENT]-({g}:Plan)"
)

GROUPINGS: dict[str, dict[str, Grouping]] = {
    "Plan": {"COUNTRY": _node("(n)<-[:HAS_PLAN]-({g}:Country)"), "START_YEAR": _value("startYear")},
    "Commitment": {"PLAN": _node(_PLAN_OF_COMMITMENT, "title")},
    "Milestone": {
        "PLAN": _node(_PLAN_OF_MILESTONE, "title"),
        "COMMITMENT": _node("(n)<-[:HAS_MILESTONE]-({g}:Commitment)", "title"),
        "DEPARTMENT": _node("(n)-[:LED_BY]->({g}:Department)"),
    },
    "Indicator": {
        "PLAN": _node(_PLAN_OF_INDICATOR, "title"),
        "COMMITMENT": _node(
            "(n)<-[:HAS_INDICATOR]-(:Milestone)<-[:HAS_MILESTONE]-({g}:Commitment)", "title"
        ),
        "MILESTONE": _node("(n)<-[:HAS_INDICATOR]-({g}:Milestone)", "title"),
        "DEPARTMENT": _node("(n)-[:LED_BY]->({g}:Department)"),
        "DUE_DATE": _value("dueDate"),
    },
    "ProgressUpdate": {
        "STATUS": Grouping("(n)-[:HAS_STATUS]->({g}:Status)", "{g}.code", "label", False),
        "PERIOD": _value("period"),
        "PLAN": _node("(n)-[:IN_PERIOD]->(:ReportingPeriod)<-[:HAS_PERIOD]-({g}:Plan)", "title"),
        "DEPARTMENT": _node("(n)<-[:HAS_UPDATE]-(:Indicator)-[:LED_BY]->({g}:Department)"),
    },
    "Report": {"KIND": _value("kind"), "PLAN": _node("(n)-[:ASSESSES]->({g}:Plan)", "title")},
    "Initiative": {"KIND": _value("kind")},
    "Theme": {"KIND": _value("kind")},
    "Department": {},
    "Country": {},
    "CoChairTerm": {"START_YEAR": _value("startYear")},
    "Event": {"HOST": _node("(n)-[:HOSTED_BY]->({g}:Country)")},
}

ALL_GROUPINGS: tuple[str, ...] = tuple(
    sorted({name for table in GROUPINGS.values() for name in table})
)


GROUPING_DESCRIPTIONS: dict[str, str] = {
    "COUNTRY": "The country (of a plan).",
    "START_YEAR": "The first year (of a plan or a term).",
    "PLAN": "The action plan the entity belongs to or assesses.",
    "COMMITMENT": "The commitment the entity belongs to.",
    "MILESTONE": "The milestone the entity belongs to.",
    "DEPARTMENT": "A department that leads it (an entity led by two counts in both groups).",
    "DUE_DATE": "The due date, `YYYY-MM` (of an indicator).",
    "STATUS": "The status code reported (of a progress update), e.g. `SP`.",
    "PERIOD": "The reporting period, `YYYY-MM` (of a progress update).",
    "KIND": "The kind (of a report, an initiative or a theme).",
    "HOST": "The host country (of an event).",
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
    condition = compiler.where(label, "n", where)
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
        f"MATCH (n:{label}) WHERE {condition} "
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
