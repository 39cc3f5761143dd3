"""Uniqueness constraints and indexes, created at start-up if missing."""

from __future__ import annotations

import re

from graph import search_index
from graph.domain import ENTITIES
from graph.model import LABELS
from graph.query_builder import order_by
from graph.statements import Statement, statement
from graph.store import Store

#: label -> properties worth an index besides the unique id (declared ``indexed``)
_INDEXED: dict[str, tuple[str, ...]] = {
    entity.label: tuple(name for name, prop in entity.props.items() if prop.indexed)
    for entity in ENTITIES
    if any(prop.indexed for prop in entity.props.values())
}


#: labels listed in id order by default (no sort of their own): an ``id_sort`` index
#: serves a page of them (:mod:`graph.index_order`)
ID_ORDERED: tuple[str, ...] = tuple(
    entity.label for entity in ENTITIES if order_by(entity.label, "n", (), "en") == "n.id_sort ASC"
)


def _snake(label: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()


def index_name(label: str, prop: str) -> str:
    """The name of the index of ``label`` on ``prop``."""
    return f"{_snake(label)}_{prop.lower()}"


def index_statement(label: str, prop: str) -> Statement:
    """Create the index of ``label`` on ``prop`` if it is missing."""
    return Statement(
        f"constraints.index[{label}.{prop}]",
        f"CREATE INDEX {index_name(label, prop)} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})",
    )


def schema_statements() -> list[Statement]:
    """One statement per constraint or index, each idempotent (``IF NOT EXISTS``)."""
    result = [
        statement(
            f"constraints.unique_id[{label}]",
            f"CREATE CONSTRAINT {_snake(label)}_id IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE",
        )
        for label in LABELS
    ]
    result += [index_statement(label, prop) for label, props in _INDEXED.items() for prop in props]
    result += [index_statement(label, "id_sort") for label in ID_ORDERED]
    return result + search_index.schema_statements()


async def ensure_schema(store: Store) -> None:
    """Create every constraint and index that is missing.

    An ``id_sort`` index created before its label has nodes may need creating again once
    it has some: :func:`graph.index_order.ensure_index_order`, run after loads.
    """
    for item in schema_statements():
        await store.write(item)


def lintable_statements() -> list[Statement]:
    """Every statement of this module."""
    return schema_statements()
