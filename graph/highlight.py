"""Highlights: which fields of a search hit hold the query's words, with the words marked.

Snippets are HTML-safe: the text is escaped and the matched words are wrapped in
``<mark>``...``</mark>``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.analysis import Language, tokens_among
from graph.search_index import FIELD_WEIGHTS, search_fields

#: the longest snippet, in characters of the original text
SNIPPET_LENGTH = 180
MAX_MATCHES = 3


@dataclass(frozen=True)
class Match:
    """A field of a hit that holds words of the query, and a snippet with them marked."""

    field: str
    lang: Language
    snippet: str


def _snippet(text: str, spans: list[tuple[int, int]]) -> str:
    start, end = 0, len(text)
    if len(text) > SNIPPET_LENGTH:
        start = max(0, spans[0][0] - SNIPPET_LENGTH // 4)
        if start:  # begin at a word
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < spans[0][0] else spans[0][0]
        end = min(len(text), start + SNIPPET_LENGTH)
        if end < len(text):
            space = text.rfind(" ", max(spans[0][1], start), end)
            end = space if space > spans[0][1] else max(end, spans[0][1])
    parts, at = [], start
    for begin, stop in spans:
        if begin < at or stop > end:
            continue
        parts += [
            html.escape(text[at:begin], quote=False),
            "<mark>",
            html.escape(text[begin:stop], quote=False),
            "</mark>",
        ]
        at = stop
    parts.append(html.escape(text[at:end], quote=False))
    return ("…" if start else "") + "".join(parts).strip() + ("…" if end < len(text) else "")


def highlights(
    props: dict[str, Any], terms: dict[Language, set[str]], order: Sequence[Language]
) -> list[Match]:
    """The best matching fields of a node (at most :data:`MAX_MATCHES`), in the first of
    ``order`` that has any, each with a snippet."""
    fields = list(search_fields(props))
    langs = [lang for lang in order if lang in terms]
    langs += [lang for lang in terms if lang not in langs]
    for lang in langs:
        found = _matches(fields, lang, terms[lang])
        if found:
            return found[:MAX_MATCHES]
    return []


def _matches(
    fields: list[tuple[str, Language, str]], lang: Language, wanted: set[str]
) -> list[Match]:
    """The fields of ``lang`` that hold words of ``wanted``, best first."""
    if not wanted:
        return []
    # stems keep the start of their words: a text without any such start holds none
    starts = {t.split(" ")[0][:4] for t in wanted}
    found: dict[str, tuple[float, Match]] = {}
    for name, text_lang, text in fields:
        if text_lang != lang:
            continue
        hits = tokens_among(text, lang, wanted, starts)
        spans = [(t.start, t.end) for t in hits if t.primary]
        whole = [(t.start, t.end) for t in hits if not t.primary]
        spans = sorted(set(spans or whole))
        if not spans:
            continue
        weight = FIELD_WEIGHTS.get(name, 1.0) * len({text[a:b].casefold() for a, b in spans})
        if name not in found or weight > found[name][0]:
            found[name] = (weight, Match(name, lang, _snippet(text, spans)))
    return [match for _, match in sorted(found.values(), key=lambda item: -item[0])]
