"""The labels and relationship types the store holds, derived from :mod:`graph.domain`.

Labels and types cannot travel as Cypher parameters, so every statement that
names one takes it from these tables and nothing else: a name that is not here
never reaches Cypher text.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.domain import DATASET_LABEL, ENTITIES, LINKS_OF


@dataclass(frozen=True)
class Relation:
    """A relationship type between two labels, read from ``start`` to ``end``."""

    start: str
    type: str
    end: str


#: labels users see as entities (the bookkeeping Dataset label is not one)
ENTITY_LABELS: tuple[str, ...] = tuple(entity.label for entity in ENTITIES)

#: every label of the store
LABELS: tuple[str, ...] = (*ENTITY_LABELS, DATASET_LABEL)


def _relations() -> tuple[Relation, ...]:
    found: dict[Relation, None] = {}
    for label, links in LINKS_OF.items():
        for link in links:
            if link.direction == "out":
                found[Relation(label, link.type, link.target)] = None
            else:
                found[Relation(link.target, link.type, label)] = None
    return tuple(found)


#: every relationship the store may hold (start label, type, end label)
RELATIONS: tuple[Relation, ...] = _relations()
RELATION_TYPES: frozenset[str] = frozenset(rel.type for rel in RELATIONS)
_RELATION_SET: frozenset[Relation] = frozenset(RELATIONS)


def _single_start() -> frozenset[Relation]:
    found = set()
    for label, links in LINKS_OF.items():
        for link in links:
            if link.direction == "in" and not link.many:
                found.add(Relation(link.target, link.type, label))
    return frozenset(found)


#: relations whose end node has one start at most (a department's member): a statement
#: that looks for one such relationship starts from its end, which has few of them
SINGLE_START: frozenset[Relation] = _single_start()


def label_of(node_id: str) -> str | None:
    """The entity label encoded in a global id (``Plan:CAN-2016-2018`` -> ``Plan``), if any.

    Bookkeeping labels (``Dataset``) are not entities: their ids give ``None``.
    """
    label = node_id.split(":", 1)[0]
    return label if label in ENTITY_LABELS and ":" in node_id else None


def relation(start: str, rel_type: str, end: str) -> Relation:
    """The declared relation, or ``KeyError`` when the model has no such relation."""
    wanted = Relation(start, rel_type, end)
    if wanted not in _RELATION_SET:
        raise KeyError(f"no relation ({start})-[:{rel_type}]->({end}) in the model")
    return wanted
