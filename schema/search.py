"""``search``: ranked matches across every entity's text, in one or both languages."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.model import ENTITY_LABELS
from graph.normalize import fold
from graph.search import SEARCH, search_words
from schema.connection import Connection, build_connection
from schema.entities import EntityType
from schema.errors import UserInputError
from schema.fields import AfterArg, FirstArg, page_bounds
from schema.lang import Lang
from schema.node import Node, ctx, wrap


@strawberry.type(description="One search result: the entity and how well it matches.")
class SearchHit:
    score: float = strawberry.field(
        description="From 0 to 1: 0.6 for the share of words found, 0.3 for the share found in "
        "its title or name, 0.1 for the whole phrase. Results come best first."
    )
    entity: Node = strawberry.field(description="The entity that matches.")


async def search(
    info: Info,
    query: Annotated[
        str, strawberry.argument(description="Words to look for; case and accents do not matter.")
    ],
    lang: Annotated[
        Lang | None,
        strawberry.argument(description="Search one language only; default: both."),
    ] = None,
    types: Annotated[
        list[EntityType] | None,
        strawberry.argument(description="Only these kinds of entity; default: all."),
    ] = None,
    first: FirstArg = None,
    after: AfterArg = None,
) -> Connection[SearchHit]:
    words = search_words(query)
    if not words:
        raise UserInputError("'query' needs at least one word")
    offset, limit = page_bounds(info, first, after)
    chosen = [t.value for t in types] if types else list(ENTITY_LABELS)
    rows = await ctx(info).store.read(
        SEARCH,
        words=words,
        phrase=fold(query),
        lang=lang.value if lang else "both",
        types=chosen,
        skip=offset,
        limit=limit,
    )
    total = rows[0]["total"] if rows else 0
    hits = [
        SearchHit(score=round(float(hit["score"]), 4), entity=wrap(hit["node"]))  # type: ignore[arg-type]
        for hit in (rows[0]["page"] if rows else [])
    ]
    return build_connection(hits, offset, total, offset + len(hits) < total)
