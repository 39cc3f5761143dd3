"""``where`` and ``sort`` inputs of every list, made from :mod:`graph.fields`.

For each label ``X`` there is ``XWhere`` (a filter on its fields, its to-one
links by the related node's fields, its to-many links by ``some``/``none``/
``all``, and ``AND``/``OR``/``NOT``), ``XListWhere`` and ``XSort``, in the
idioms of the Neo4j GraphQL Library. They are built from the same tables the
query builder reads, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

import strawberry

from graph import query_builder as qb
from graph.fields import FIELDS, LINKS, Kind
from schema.errors import UserInputError


@strawberry.enum(description="Sort order.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest first (A to Z, oldest first).")
    DESC = strawberry.enum_value("DESC", description="Largest first (Z to A, newest first).")


@strawberry.input(
    description="Conditions on a text. Case, accents and language do not matter: a bilingual "
    "text matches when its English or its French form does."
)
class TextFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")
    contains: str | None = strawberry.field(default=None, description="Contains.")
    starts_with: str | None = strawberry.field(default=None, description="Starts with.")


@strawberry.input(description="Conditions on a number.")
class IntFilter:
    eq: int | None = strawberry.field(default=None, description="Equal to.")
    in_: list[int] | None = strawberry.field(default=None, name="in", description="One of.")
    gt: int | None = strawberry.field(default=None, description="Greater than.")
    gte: int | None = strawberry.field(default=None, description="Greater than or equal to.")
    lt: int | None = strawberry.field(default=None, description="Less than.")
    lte: int | None = strawberry.field(default=None, description="Less than or equal to.")


@strawberry.input(description="Conditions on a fixed value (a kind, a role): exact match.")
class KeywordFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")


@strawberry.input(description="Conditions on a global id: exact match.")
class IdFilter:
    eq: strawberry.ID | None = strawberry.field(default=None, description="Equal to.")
    in_: list[strawberry.ID] | None = strawberry.field(
        default=None, name="in", description="One of."
    )


_FILTER_FOR: dict[Kind, type] = {
    Kind.ID: IdFilter,
    Kind.BILINGUAL: TextFilter,
    Kind.STRING: TextFilter,
    Kind.ENUM: KeywordFilter,
    Kind.INT: IntFilter,
    Kind.COUNT: IntFilter,
}
_OPS = {"eq": "eq", "in_": "in", "contains": "contains", "starts_with": "startsWith"}
_OPS.update({"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"})

WHERE: dict[str, type] = {}
LIST_WHERE: dict[str, type] = {}
SORT: dict[str, type] = {}


def _make_where(label: str) -> type:
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": __name__}
    notes = namespace["__annotations__"]
    for name, spec in FIELDS[label].items():
        notes[name] = f"{_FILTER_FOR[spec.kind].__name__} | None"
        namespace[name] = strawberry.field(default=None, description=f"Condition on `{name}`.")
    for name, link in LINKS.get(label, {}).items():
        if link.many:
            notes[name] = f"{link.target}ListWhere | None"
            text = f"Conditions on the related `{name}` (some, none or all of them)."
        else:
            notes[name] = f"{link.target}Where | None"
            text = f"Condition on the related `{name}`."
        namespace[name] = strawberry.field(default=None, description=text)
    notes["and_"] = f"list[{label}Where] | None"
    namespace["and_"] = strawberry.field(default=None, name="AND", description="All of these.")
    notes["or_"] = f"list[{label}Where] | None"
    namespace["or_"] = strawberry.field(default=None, name="OR", description="Any of these.")
    notes["not_"] = f"{label}Where | None"
    namespace["not_"] = strawberry.field(default=None, name="NOT", description="Not this.")
    cls = type(f"{label}Where", (), namespace)
    return strawberry.input(cls, description=f"A filter on {label} entities.")


def _make_list_where(label: str) -> type:
    namespace: dict[str, Any] = {"__module__": __name__}
    namespace["__annotations__"] = {q: f"{label}Where | None" for q in ("some", "none", "all")}
    for q, text in (("some", "At least one"), ("none", "None"), ("all", "Every one")):
        namespace[q] = strawberry.field(default=None, description=f"{text} of them matches.")
    cls = type(f"{label}ListWhere", (), namespace)
    return strawberry.input(cls, description=f"A condition on a list of related {label} entities.")


def _make_sort(label: str) -> type:
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": {}}
    for name in FIELDS[label]:
        namespace["__annotations__"][name] = "SortDirection | None"
        namespace[name] = strawberry.field(default=None, description=f"Sort by `{name}`.")
    cls = type(f"{label}Sort", (), namespace)
    return strawberry.input(
        cls,
        description=f"One sort key of {label} lists: set exactly one field. Give a list for "
        "several keys; ties are broken by id, so pages are stable.",
    )


for _label in FIELDS:
    WHERE[_label] = globals()[f"{_label}Where"] = _make_where(_label)
    LIST_WHERE[_label] = globals()[f"{_label}ListWhere"] = _make_list_where(_label)
    SORT[_label] = globals()[f"{_label}Sort"] = _make_sort(_label)


def to_where(label: str, value: Any) -> qb.Where:
    """The query builder's filter for a ``XWhere`` input (``None``: everything)."""
    if value is None:
        return qb.Where()
    conditions: list[qb.Condition] = []
    related: list[qb.Related] = []
    for item in dataclasses.fields(value):
        given = getattr(value, item.name)
        if given is None or item.name in ("and_", "or_", "not_"):
            continue
        if item.name in FIELDS[label]:
            for op_field in dataclasses.fields(given):
                op_value = getattr(given, op_field.name)
                if op_value is not None:
                    conditions.append(qb.Condition(item.name, _OPS[op_field.name], op_value))
        else:
            link = LINKS[label][item.name]
            if link.many:
                for quantifier in ("some", "none", "all"):
                    inner = getattr(given, quantifier)
                    if inner is not None:
                        related.append(
                            qb.Related(item.name, quantifier, to_where(link.target, inner))
                        )
            else:
                related.append(qb.Related(item.name, "single", to_where(link.target, given)))
    return qb.Where(
        conditions=tuple(conditions),
        related=tuple(related),
        all_of=tuple(to_where(label, w) for w in value.and_ or ()),
        any_of=tuple(to_where(label, w) for w in value.or_ or ()),
        negated=to_where(label, value.not_) if value.not_ is not None else None,
    )


def to_sort(label: str, values: list[Any] | None) -> tuple[qb.Order, ...]:
    """The query builder's sort keys for a list of ``XSort`` inputs."""
    orders = []
    for position, value in enumerate(values or ()):
        chosen = [
            (f.name, getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        ]
        if len(chosen) != 1:
            raise UserInputError(f"sort[{position}] must set exactly one field, not {len(chosen)}")
        name, direction = chosen[0]
        orders.append(qb.Order(name, direction.value))
    return tuple(orders)
