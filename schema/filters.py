"""The scalar filters of ``where`` inputs, and how a ``where``/``sort`` input becomes the query builder's.

The per-label inputs (``PlanWhere``, ``PlanListWhere``, ``PlanSort``...) are
generated into ``schema/entities.py`` from :mod:`graph.domain`; they use the
filters below, in the idioms of the Neo4j GraphQL Library.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import Any

import strawberry

from graph import query_builder as qb
from graph.fields import FIELDS, LINKS
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


@strawberry.input(
    description="Conditions on a date, `YYYY-MM` or `YYYY-MM-DD`, compared in calendar order: "
    '`lt: "2023-06"` is before June 2023, `gte: "2024"` from 2024 on.'
)
class DateFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")
    gt: str | None = strawberry.field(default=None, description="After.")
    gte: str | None = strawberry.field(default=None, description="On or after.")
    lt: str | None = strawberry.field(default=None, description="Before.")
    lte: str | None = strawberry.field(default=None, description="On or before.")


@strawberry.input(description="Conditions on a yes/no value: exact match (null never matches).")
class BooleanFilter:
    eq: bool | None = strawberry.field(default=None, description="Equal to.")


@strawberry.input(description="Conditions on a global id: exact match.")
class IdFilter:
    eq: strawberry.ID | None = strawberry.field(default=None, description="Equal to.")
    in_: list[strawberry.ID] | None = strawberry.field(
        default=None, name="in", description="One of."
    )


_OPS = {"eq": "eq", "in_": "in", "contains": "contains", "starts_with": "startsWith"}
_OPS.update({"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"})
_BOOLEAN = ("and_", "or_", "not_")


def graph_name(attribute: str) -> str:
    """The declared name of an input's attribute (``start_year`` -> ``startYear``)."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), attribute)


def _value(given: Any) -> Any:
    """Enum members become their values; everything else is passed as is."""
    if isinstance(given, Enum):
        return given.value
    if isinstance(given, list):
        return [_value(item) for item in given]
    return given


def to_where(label: str, value: Any) -> qb.Where:
    """The query builder's filter for a ``XWhere`` input (``None``: everything)."""
    if value is None:
        return qb.EVERYTHING
    conditions: list[qb.Condition] = []
    related: list[qb.Related] = []
    for item in dataclasses.fields(value):
        given = getattr(value, item.name)
        if given is None or item.name in _BOOLEAN:
            continue
        name = graph_name(item.name)
        if name in FIELDS[label]:
            for op_field in dataclasses.fields(given):
                op_value = getattr(given, op_field.name)
                if op_value is not None:
                    conditions.append(qb.Condition(name, _OPS[op_field.name], _value(op_value)))
        else:
            link = LINKS[label][name]
            if link.many:
                for quantifier in ("some", "none", "all"):
                    inner = getattr(given, quantifier)
                    if inner is not None:
                        related.append(qb.Related(name, quantifier, to_where(link.target, inner)))
            else:
                related.append(qb.Related(name, "single", to_where(link.target, given)))
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
        orders.append(qb.Order(graph_name(name), direction.value))
    return tuple(orders)
