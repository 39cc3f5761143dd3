"""Errors raised while reading and validating source files.

Every problem names the file, where in it (an entry path or a line number) and
what is wrong, so that a person can fix the file without reading a traceback.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError


@dataclass(frozen=True)
class SourceProblem:
    """One thing wrong with one source file."""

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


class SourceError(Exception):
    """A source file cannot be loaded; carries every problem found in it."""

    def __init__(self, problems: list[SourceProblem]) -> None:
        if not problems:
            raise ValueError("SourceError needs at least one problem")
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, file: str, location: str, message: str) -> SourceError:
        """Build an error that holds one problem."""
        return cls([SourceProblem(file, location, message)])


# --- pydantic's errors, in the words of a file's author ------------------------------

#: the part of a pydantic location that says "the key of this mapping" (dropped: the
#: location already names the key)
_KEY_PART = "[key]"


def field_error(field: str, message: str, **context: object) -> PydanticCustomError:
    """A problem found by comparing an entry's fields, reported at ``field`` of the entry.

    Raise it from a model validator: :func:`entry_path` appends ``field`` to the entry's
    location (``plans[3]`` + ``key``).
    """
    return PydanticCustomError("entry", message, {"field": field, **context})


def error_loc(error: ErrorDetails) -> tuple[str | int, ...]:
    """The location of a pydantic error, with the field of a :func:`field_error` added."""
    loc = tuple(part for part in error["loc"] if part != _KEY_PART)
    ctx = error.get("ctx") or {}
    if error["type"] == "entry" and ctx.get("field"):
        loc = (*loc, str(ctx["field"]))
    return loc


def entry_path(error: ErrorDetails) -> str:
    """``('plans', 2, 'title', 'fr')`` -> ``plans[2].title.fr``."""
    path = ""
    for part in error_loc(error):
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def describe(error: ErrorDetails) -> str:
    """What is wrong, with the value found where that helps: ``expected ..., got '2012'``."""
    if error["type"] == "missing":
        return "field required"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    message = error["msg"]
    message = message[0].lower() + message[1:]
    value = error.get("input")
    if error["type"] not in ("format", "entry"):
        if isinstance(value, str | int | float | bool | None):
            message += f", got {value!r}"
        elif isinstance(value, datetime.date):
            message += f", got {value.isoformat()}"
    return message


def validation_problems(
    error: ValidationError,
    file: str,
    *,
    location: Callable[[ErrorDetails], str] = entry_path,
    message: Callable[[ErrorDetails], str] = describe,
) -> list[SourceProblem]:
    """Every error of a pydantic validation as a problem of ``file``.

    ``location`` and ``message`` say where and what in the format's own terms; the
    defaults give an entry path (``plans[2].title.fr``) and :func:`describe`.
    """
    return [SourceProblem(file, location(e), message(e)) for e in error.errors()]
