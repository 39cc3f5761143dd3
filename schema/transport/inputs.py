"""The one bound the transport checks itself: the document is valid Unicode.

It must hold before the document is hashed for the cache (a lone surrogate cannot be
encoded to UTF-8). Every other bound on what a request carries (variables, strings,
lists, nesting, tokens, cost) is checked in one place, :mod:`schema.cost`.
"""

from __future__ import annotations

import re

from schema.errors import Refusal, RequestError

_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> str | None:
    """Where ``text`` holds a lone surrogate (which cannot be encoded), or ``None``."""
    match = _SURROGATE.search(text)
    if match is None:
        return None
    return f"a lone surrogate U+{ord(match.group()):04X} at character {match.start()}"


def check_text(text: str, where: str) -> None:
    """Refuse text holding a lone surrogate."""
    found = lone_surrogate(text)
    if found is not None:
        raise RequestError(f"{where} is not valid Unicode: {found}", refusal=Refusal.GRAPHQL)
