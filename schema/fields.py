"""Field factories: the few shapes every entity field takes.

A bilingual text with ``lang``, a plain property, a to-one link, a list of
related entities as a connection with ``where``/``sort``/``first``/``after``,
and its ``...Aggregate``. Return and argument types are given as names,
resolved in :mod:`schema.entities`, where every entity type is defined.
"""

from __future__ import annotations

import asyncio
import re
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import query_builder as qb
from graph.fields import LINKS
from graph.groups import ALL_GROUPINGS, GROUPING_DESCRIPTIONS, grouped_counts
from schema.connection import Connection, build_connection, decode_cursor
from schema.errors import UserInputError
from schema.filters import to_sort, to_where
from schema.lang import Lang
from schema.node import Node, ctx, text, wrap

#: the module whose namespace resolves the type names these factories use
ENTITIES = "schema.entities"

LangArg = Annotated[
    Lang | None,
    strawberry.argument(
        description="Language of the answer; default: the request's Accept-Language, else English. "
        "A text missing in one language is given in the other."
    ),
]
FirstArg = Annotated[
    int | None,
    strawberry.argument(description="How many items (default 20, at most 500 unless configured)."),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Start after this cursor (from `pageInfo`).")
]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def text_field(name: str, description: str) -> Any:
    """A bilingual text property, answered in one language."""

    def resolve(root: Any, info: Info, lang: LangArg = None) -> str | None:
        return text(root, info, name, lang)

    resolve.__name__ = _snake(name)
    resolve.__module__ = ENTITIES
    return strawberry.field(resolver=resolve, description=description)


def plain_field(name: str, type_: Any, description: str) -> Any:
    """A plain property."""

    def resolve(root: Any) -> Any:
        return root.props.get(name)

    resolve.__annotations__ = {"root": Any, "return": type_}
    resolve.__name__ = _snake(name)
    resolve.__module__ = ENTITIES
    return strawberry.field(resolver=resolve, description=description)


def page_bounds(info: Info, first: int | None, after: str | None) -> tuple[int, int]:
    """``(offset, limit)`` for ``first``/``after``, checked against the limits."""
    settings = ctx(info).settings
    if first is None:
        first = settings.default_page_size
    if first < 0:
        raise UserInputError(f"'first' must be 0 or more, not {first}")
    if first > settings.max_page_size:
        raise UserInputError(
            f"'first' may be at most {settings.max_page_size}, not {first}; page with 'after'"
        )
    return decode_cursor(after), first


def one_field(label: str, link: str, description: str) -> Any:
    """A to-one link (``Plan.country``)."""
    target = LINKS[label][link].target

    async def resolve(root: Any, info: Info) -> Any:
        return wrap(await ctx(info).related_one(label, root.props["id"], link))

    resolve.__annotations__ = {"root": Any, "info": Info, "return": f"{target} | None"}
    resolve.__name__ = _snake(link)
    resolve.__module__ = ENTITIES
    return strawberry.field(resolver=resolve, description=description)


def list_field(label: str, link: str, description: str) -> Any:
    """A short to-many link given as a plain list (``CoChairTerm.chairs``)."""
    target = LINKS[label][link].target

    async def resolve(root: Any, info: Info) -> Any:
        context = ctx(info)
        found = await context.related(label, root.props["id"], link, lang=context.lang)
        return [wrap(p) for p in found]

    resolve.__annotations__ = {"root": Any, "info": Info, "return": f"list[{target}]"}
    resolve.__name__ = _snake(link)
    resolve.__module__ = ENTITIES
    return strawberry.field(resolver=resolve, description=description)


def many_field(label: str, link: str, description: str) -> Any:
    """A to-many link as a connection, with filter, sort and pages."""
    target = LINKS[label][link].target

    async def resolve(
        root: Any,
        info: Info,
        where: Any = None,
        sort: Any = None,
        first: Any = None,
        after: Any = None,
    ) -> Any:
        context = ctx(info)
        offset, limit = page_bounds(info, first, after)
        found = await context.related(
            label,
            root.props["id"],
            link,
            to_where(target, where),
            to_sort(target, sort),
            context.lang,
        )
        items = [wrap(p) for p in found[offset : offset + limit]]
        return build_connection(items, offset, len(found), offset + limit < len(found))

    resolve.__annotations__ = {
        "root": Any,
        "info": Info,
        "where": f"Annotated[{target}Where | None, strawberry.argument(description='Keep only "
        f"the {target} entities that match.')]",
        "sort": f"Annotated[list[{target}Sort] | None, strawberry.argument(description='Sort "
        "keys, first one first; default: the natural order of the list.')]",
        "first": "FirstArg",
        "after": "AfterArg",
        "return": f"Connection[{target}]",
    }
    resolve.__name__ = _snake(link)
    resolve.__module__ = ENTITIES
    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="Counts over a list, with the same `where` as the list.")
class Aggregate:
    count: int = strawberry.field(description="How many entities match.")


def aggregate_field(label: str, link: str) -> Any:
    """``<link>Aggregate(where) { count }`` beside a to-many link."""
    target = LINKS[label][link].target

    async def resolve(root: Any, info: Info, where: Any = None) -> Aggregate:
        count = await ctx(info).count_related(
            label, root.props["id"], link, to_where(target, where)
        )
        return Aggregate(count=count)

    resolve.__annotations__ = {
        "root": Any,
        "info": Info,
        "where": f"Annotated[{target}Where | None, strawberry.argument(description='Count only "
        f"the {target} entities that match.')]",
        "return": Aggregate,
    }
    resolve.__name__ = f"{_snake(link)}_aggregate"
    resolve.__module__ = ENTITIES
    return strawberry.field(
        resolver=resolve, description=f"Counts of `{link}`, with the same filter as the list."
    )


__all__ = [
    "AfterArg",
    "Aggregate",
    "Connection",
    "FirstArg",
    "LangArg",
    "aggregate_field",
    "build_connection",
    "many_field",
    "one_field",
    "page_bounds",
    "plain_field",
    "text_field",
]


def root_list_field(label: str, description: str) -> Any:
    """A root list of every entity of ``label``, as a connection (one statement)."""

    async def resolve(
        info: Info, where: Any = None, sort: Any = None, first: Any = None, after: Any = None
    ) -> Any:
        context = ctx(info)
        offset, limit = page_bounds(info, first, after)
        built = qb.page_of(label, to_where(label, where), to_sort(label, sort), context.lang.value)
        rows = await context.store.read(built.statement, skip=offset, limit=limit, **built.params)
        total = rows[0]["total"] if rows else 0
        items = [wrap(p) for p in (rows[0]["nodes"] if rows else [])]
        return build_connection(items, offset, total, offset + len(items) < total)

    resolve.__annotations__ = {
        "info": Info,
        "where": f"Annotated[{label}Where | None, strawberry.argument(description='Keep only "
        f"the {label} entities that match.')]",
        "sort": f"Annotated[list[{label}Sort] | None, strawberry.argument(description='Sort "
        "keys, first one first; default: the natural order of the list.')]",
        "first": "FirstArg",
        "after": "AfterArg",
        "return": f"Connection[{label}]",
    }
    resolve.__name__ = f"all_{label.lower()}"
    resolve.__module__ = ENTITIES
    return strawberry.field(resolver=resolve, description=description)


GroupField = strawberry.enum(
    Enum(
        "GroupField",
        {
            name: strawberry.enum_value(name, description=GROUPING_DESCRIPTIONS[name])
            for name in ALL_GROUPINGS
        },
    ),
    description="What to group counted entities by; each list accepts the ones that fit it "
    "(e.g. indicators: PLAN, COMMITMENT, MILESTONE, DEPARTMENT, DUE_DATE; progress updates: "
    "STATUS, PERIOD, PLAN, DEPARTMENT).",
)


@strawberry.type(description="How many entities fall in one group (one value per grouping asked).")
class GroupCount:
    keys: list[str | None] = strawberry.field(
        description="The group, one key per grouping: an id, a code or a value."
    )
    labels: list[str | None] = strawberry.field(
        description="A readable name of each key, where it has one."
    )
    count: int = strawberry.field(description="How many entities are in the group.")
    entity_ids: strawberry.Private[list[str | None]]

    @strawberry.field(description="The entity of each key, where the key is one (else null).")
    async def entities(self, info: Info) -> list[Node | None]:
        context = ctx(info)
        found = await asyncio.gather(*(context.node(i) for i in self.entity_ids if i))
        by_id = {props["id"]: props for props in found if props}
        return [wrap(by_id.get(i)) if i else None for i in self.entity_ids]


@strawberry.type(description="Counts over a root list, with the same `where` as the list.")
class ListAggregate:
    count: int = strawberry.field(description="How many entities match.")
    label: strawberry.Private[str]
    where: strawberry.Private[Any]

    @strawberry.field(
        description="Counts per group, largest first: e.g. indicators by DEPARTMENT, progress "
        "updates by [STATUS, PERIOD]. Several groupings give one row per combination."
    )
    async def grouped_by(
        self,
        info: Info,
        by: Annotated[list[GroupField], strawberry.argument(description="Groupings, in order.")],
        lang: LangArg = None,
    ) -> list[GroupCount]:
        context = ctx(info)
        chosen = context.lang_for(lang).value
        built = grouped_counts(self.label, tuple(b.value for b in by), self.where, chosen)
        rows = await context.store.read(built.statement, **built.params)
        return [
            GroupCount(
                keys=row["keys"],
                labels=row["labels"],
                count=row["total"],
                entity_ids=row["entities"],
            )
            for row in rows
        ]


def root_aggregate_field(label: str) -> Any:
    """``<list>Aggregate(where) { count groupedBy(by) }`` beside a root list."""

    async def resolve(info: Info, where: Any = None) -> ListAggregate:
        condition = to_where(label, where)
        built = qb.count_of(label, condition)
        rows = await ctx(info).store.read(built.statement, **built.params)
        return ListAggregate(count=rows[0]["total"] if rows else 0, label=label, where=condition)

    resolve.__annotations__ = {
        "info": Info,
        "where": f"Annotated[{label}Where | None, strawberry.argument(description='Count only "
        f"the {label} entities that match.')]",
        "return": ListAggregate,
    }
    resolve.__name__ = f"count_{label.lower()}"
    resolve.__module__ = ENTITIES
    return strawberry.field(
        resolver=resolve,
        description=f"Counts of {label} entities, with the same filter as the list.",
    )
