"""The Node interface every entity implements, and helpers for their fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from schema.context import Context, Props
from schema.lang import Lang, pick

#: label -> the GraphQL type that shows it
TYPES: dict[str, type[Node]] = {}

T = TypeVar("T", bound="Node")


@strawberry.interface(description="An entity of the graph, found anywhere by its global id.")
class Node:
    props: strawberry.Private[Props]

    @strawberry.field(
        description="Global id, `Type:key` (e.g. `Plan:CAN-2016-2018`): stable across loads; "
        "pass it to `node(id:)`."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.props["id"])

    @strawberry.field(description="Where the facts come from: `file#entry`, one per source file.")
    def sources(self) -> list[str]:
        return list(self.props.get("sources") or [])

    @strawberry.field(description="When the entity was last written to the graph (ISO 8601, UTC).")
    def loaded_at(self) -> str | None:
        return self.props.get("loadedAt")


def register(label: str) -> Callable[[type[T]], type[T]]:
    """Record the GraphQL type that shows nodes of ``label``."""

    def decorate(cls: type[T]) -> type[T]:
        TYPES[label] = cls
        return cls

    return decorate


def wrap(props: Props | None) -> Node | None:
    """The GraphQL object for a node's properties (by the label in its id)."""
    if props is None:
        return None
    label = str(props["id"]).split(":", 1)[0]
    return TYPES[label](props=props)


def ctx(info: Info) -> Context:
    """The request context, typed."""
    context: Any = info.context
    found: Context = context["ogp"]
    return found


def text(root: Node, info: Info, name: str, lang: Lang | None) -> str | None:
    """A bilingual text of ``root`` in the asked (or the request's) language."""
    return pick(root.props, name, ctx(info).lang_for(lang))
