"""Languages of text fields, and how a request picks one."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

import strawberry

from graph.analysis import Language


@strawberry.enum(description="A language in which the graph holds text.")
class Lang(Enum):
    EN = strawberry.enum_value("en", description="English")
    FR = strawberry.enum_value("fr", description="French (français)")

    @property
    def code(self) -> Language:
        """``en`` or ``fr``, as the graph's property names, the compiler and the search
        analyser spell it."""
        return "fr" if self is Lang.FR else "en"

    @property
    def other(self) -> Lang:
        """The other language: where a text missing in this one is read."""
        return Lang.EN if self is Lang.FR else Lang.FR


def from_accept_language(header: str | None) -> Lang:
    """The first of English or French the ``Accept-Language`` header prefers (default English)."""
    if not header:
        return Lang.EN
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for piece in pieces[1:]:
            key, _, value = piece.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if primary in ("en", "fr"):
            return Lang(primary)
    return Lang.EN


def pick(props: dict[str, Any], name: str, lang: Lang) -> str | None:
    """The text ``name`` in ``lang``, else in the other language, else ``None``."""
    return picker(name, lang)(props)


def picker(name: str, lang: Lang) -> Callable[[dict[str, Any]], str | None]:
    """:func:`pick` of ``name`` in ``lang``, its property names spelt once (for renderers
    that show the field on every node of a page)."""
    first = f"{name}_{lang.code}"
    second = f"{name}_{lang.other.code}"

    def text(props: dict[str, Any]) -> str | None:
        value = props.get(first)
        if value is None or value == "":
            value = props.get(second)
        return value or None

    return text
