"""``search``: ranked matches across every entity's text, with highlights, in one or both languages."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from graph import search as engine
from graph.analysis import Language
from graph.model import ENTITY_LABELS
from schema.connection import Connection, build_connection
from schema.entities import EntityType
from schema.errors import UserInputError
from schema.fields import AfterArg, FirstArg, page_bounds
from schema.lang import Lang
from schema.node import Node, ctx, wrap


def search_scope(
    lang: Lang | None, types: list[EntityType] | None, request: Lang
) -> tuple[list[Language], list[str], list[Language]]:
    """What a search reads, from its arguments: the languages searched, the labels, and the
    order in which languages are tried for highlights (``lang``, else the request's, first).
    The resolver below and the direct path (schema/direct.py) both ask the engine so."""
    shown = lang or request
    labels = [cast(str, t.value) for t in types] if types else list(ENTITY_LABELS)
    return [lang.code] if lang else ["en", "fr"], labels, [shown.code, shown.other.code]


@strawberry.type(description="A field of a search result that holds words of the query.")
class SearchMatch:
    field: str = strawberry.field(
        description="The name of the field that matched (`title`, `name`, `code`, "
        "`abbreviation`, `description`, `fullText`, ...), as on the entity's type."
    )
    lang: Lang = strawberry.field(description="The language of the text the snippet comes from.")
    snippet: str = strawberry.field(
        description="A short extract of the field (at most about 180 characters, `…` where "
        "cut) with the matched words wrapped in `<mark>`…`</mark>`; the rest of the text is "
        "HTML-escaped, so it can be shown as HTML."
    )


@strawberry.type(description="One search result: the entity, how well it matches, and where.")
class SearchHit:
    score: float = strawberry.field(
        description="Relevance from 0 to 1, relative to the best result of this search (1). "
        "Results come best first: an exact code, abbreviation, id, name or title first, then "
        "by BM25 over fields (names, titles and codes weigh more than full text), words found "
        "side by side above scattered ones."
    )
    entity: Node = strawberry.field(description="The entity that matches.")
    hit: strawberry.Private[engine.Hit]

    @strawberry.field(
        description="The fields that hold the query's words (best first, at most 3), in the "
        "language asked (`lang`, else the request's language) when that language has any."
    )
    def matches(self) -> list[SearchMatch]:
        return [
            SearchMatch(field=m.field, lang=Lang(m.lang), snippet=m.snippet)
            for m in self.hit.matches
        ]


async def search(
    info: Info,
    query: Annotated[
        str,
        strawberry.argument(
            description="Words to look for. Case, accents, plurals and small words (`the`, "
            "`de`, `l'`) do not matter; codes (`C01.1.1`, `tbs-sct`) are matched whole. "
            "Every word is required; when no entity holds them all, those holding the most "
            "(at least half) are returned."
        ),
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
    if not engine.query_has_words(query):
        raise UserInputError("'query' needs at least one word")
    offset, limit = page_bounds(info, first, after)
    langs, labels, show = search_scope(lang, types, ctx(info).lang)
    result = await engine.search(
        ctx(info).store, query, langs=langs, labels=labels, skip=offset, limit=limit, show=show
    )
    hits = [
        SearchHit(
            score=hit.score,
            entity=wrap(hit.node),  # type: ignore[arg-type]
            hit=hit,
        )
        for hit in result.hits
    ]
    return build_connection(hits, offset, result.total, offset + len(hits) < result.total)
