"""Bounds on what a request carries besides its document: variables and their strings.

Checked before anything runs, so a 10 MB search string, a ``where`` nested 900
levels or text that is not valid Unicode is a client error that says where,
never a failure deep inside the service.
"""

from __future__ import annotations

import re
from typing import Any

from schema.errors import Refusal, RequestError

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str, where: str) -> None:
    """Refuse text holding a lone surrogate (it cannot be encoded to UTF-8)."""
    match = _SURROGATE.search(text)
    if match is not None:
        raise RequestError(
            f"{where} is not valid Unicode: a lone surrogate "
            f"U+{ord(match.group()):04X} at character {match.start()}",
            refusal=Refusal.GRAPHQL,
        )


def check_variables(
    variables: dict[str, Any] | None, max_string_length: int, max_depth: int
) -> None:
    """Refuse variables whose strings are too long or invalid, or whose values nest too deeply."""
    if not variables:
        return
    # an explicit stack: a value nested thousands of levels must not exhaust Python's
    stack: list[tuple[str, Any, int]] = [
        (f"${name}", value, 1) for name, value in variables.items()
    ]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            if len(value) > max_string_length:
                raise RequestError(
                    f"Variable {path} is a string of {len(value)} characters; "
                    f"at most {max_string_length} are accepted",
                    refusal=Refusal.GRAPHQL,
                )
            check_text(value, f"Variable {path}")
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                raise RequestError(
                    f"Variable {path} nests objects and lists more than {max_depth} levels deep",
                    refusal=Refusal.GRAPHQL,
                )
            if isinstance(value, dict):
                for key, item in value.items():
                    check_text(key, f"A field name in variable {path}")
                    stack.append((f"{path}.{key}", item, depth + 1))
            else:
                stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))
