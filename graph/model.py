"""The labels and relationship types the store holds (see docs/graph-model.md).

Labels and types cannot travel as Cypher parameters, so every statement that
names one takes it from these tables and nothing else: a name that is not here
never reaches Cypher text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Relation:
    """A relationship type between two labels, read from ``start`` to ``end``."""

    start: str
    type: str
    end: str


#: every label of the store (the order of lists is in graph.fields.DEFAULT_SORT)
LABELS: tuple[str, ...] = (
    "Partnership",
    "Country",
    "Person",
    "CoChairTerm",
    "CoChair",
    "Plan",
    "Theme",
    "Commitment",
    "Milestone",
    "Indicator",
    "Department",
    "Status",
    "ReportingPeriod",
    "ProgressUpdate",
    "Report",
    "Event",
    "Initiative",
    "Dataset",
)

RELATIONS: tuple[Relation, ...] = (
    Relation("Country", "MEMBER_OF", "Partnership"),
    Relation("Partnership", "HAS_TERM", "CoChairTerm"),
    Relation("CoChairTerm", "HAS_CHAIR", "CoChair"),
    Relation("CoChair", "REPRESENTS", "Country"),
    Relation("CoChair", "HELD_BY", "Person"),
    Relation("Country", "HAS_PLAN", "Plan"),
    Relation("Plan", "HAS_THEME", "Theme"),
    Relation("Plan", "HAS_COMMITMENT", "Commitment"),
    Relation("Commitment", "HAS_MILESTONE", "Milestone"),
    Relation("Milestone", "HAS_INDICATOR", "Indicator"),
    Relation("Milestone", "LED_BY", "Department"),
    Relation("Indicator", "LED_BY", "Department"),
    Relation("Plan", "HAS_STATUS_LEVEL", "Status"),
    Relation("Plan", "HAS_PERIOD", "ReportingPeriod"),
    Relation("Indicator", "HAS_UPDATE", "ProgressUpdate"),
    Relation("ProgressUpdate", "HAS_STATUS", "Status"),
    Relation("ProgressUpdate", "IN_PERIOD", "ReportingPeriod"),
    Relation("Report", "ASSESSES", "Plan"),
    Relation("Event", "HOSTED_BY", "Country"),
    Relation("Event", "ORGANISED_BY", "Partnership"),
    Relation("Plan", "ESTABLISHED", "Initiative"),
    Relation("Initiative", "GUIDED", "Plan"),
)

#: labels users see as entities (the bookkeeping Dataset label is not one)
ENTITY_LABELS: tuple[str, ...] = tuple(label for label in LABELS if label != "Dataset")


def label_of(node_id: str) -> str | None:
    """The entity label encoded in a global id (``Plan:CAN-2016-2018`` -> ``Plan``), if any.

    Bookkeeping labels (``Dataset``) are not entities: their ids give ``None``.
    """
    label = node_id.split(":", 1)[0]
    return label if label in ENTITY_LABELS and ":" in node_id else None


def relation(start: str, rel_type: str, end: str) -> Relation:
    """The declared relation, or ``KeyError`` when the model has no such relation."""
    wanted = Relation(start, rel_type, end)
    if wanted not in RELATIONS:
        raise KeyError(f"no relation ({start})-[:{rel_type}]->({end}) in the model")
    return wanted
