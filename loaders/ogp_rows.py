"""Shared pieces of the readers of OGP's CSV files: typed cells and problems per cell.

Each reader describes one row as a pydantic model whose field aliases are the column
names; a bad cell is reported as ``line L, column 'Name'`` with its value, and every
problem of the file is listed before anything is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from loaders.errors import SourceProblem
from loaders.irm_ratings import NOT_RATED, E, Flag, NotRated, Rated, flag, rate


class RowModel(BaseModel):
    """A row: fields by column name; cells are text, converted by each field's type."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


def rating(scale: type[E]) -> BeforeValidator:
    """A field type converting a cell to a :class:`Rated` value of ``scale``."""
    return BeforeValidator(lambda raw: rate(scale, _text(raw)))


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else ""


FlagCell = Annotated[Flag, BeforeValidator(lambda raw: flag(_text(raw)))]


def _text_or_none(raw: Any) -> str | None:
    text = _text(raw).strip()
    if len(text) <= 3 and text.casefold() in ("", "na", "n/a", "nd", "nr"):
        return None
    return text


#: free text; ``NA``, ``ND``, ``NR`` and empty cells are ``None``
OptionalText = Annotated[str | None, BeforeValidator(_text_or_none)]


def _year_cell(raw: Any) -> Rated[Any]:
    text = _text(raw).strip()
    if text.isdigit() and len(text) == 4 and 1990 <= int(text) <= 2100:
        return Rated(value=int(text))
    if not text:
        return Rated()
    reason = NOT_RATED.get(text.casefold())
    if reason is None:
        raise PydanticCustomError("year", "expected a year or NA, ND, NR", {})
    return Rated(reason=reason)


#: a year, or a code saying why there is none (``ND``)
YearCell = Annotated[Rated[Any], BeforeValidator(_year_cell)]


def _count_cell(raw: Any) -> Rated[Any]:
    text = _text(raw).strip()
    if text.isdigit():
        return Rated(value=int(text))
    if not text:
        return Rated()
    reason = NOT_RATED.get(text.casefold())
    if reason is None:
        raise PydanticCustomError("count", "expected a whole number or NA, ND, NR", {})
    return Rated(reason=reason)


#: a count, or a code saying why there is none
CountCell = Annotated[Rated[Any], BeforeValidator(_count_cell)]


def _int_cell(raw: Any) -> int:
    text = _text(raw).strip()
    if not text.isdigit():
        raise PydanticCustomError("number", "expected a whole number", {})
    return int(text)


IntCell = Annotated[int, BeforeValidator(_int_cell)]

M = TypeVar("M", bound=BaseModel)


def validate_row(
    model: type[M], cells: dict[str, str], file: str, line: int
) -> tuple[M | None, list[SourceProblem]]:
    """The row as ``model``, or the problems of its cells (file, line, column, value)."""
    try:
        return model.model_validate(cells), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else ""
            value = cells.get(column, "")
            shown = value if len(value) <= 80 else value[:77] + "..."
            message = "missing" if error["type"] == "missing" else error["msg"]
            problems.append(
                SourceProblem(file, f"line {line}, column {column!r}", f"{message}, got {shown!r}")
            )
        return None, problems


def cell_problem(file: str, line: int, column: str, value: str, message: str) -> SourceProblem:
    """A problem with one cell, worded like the model's."""
    shown = value if len(value) <= 80 else value[:77] + "..."
    return SourceProblem(file, f"line {line}, column {column!r}", f"{message}, got {shown!r}")


def missing_columns(
    header: list[str], required: list[str], file: str, line: int
) -> list[SourceProblem]:
    """A problem for every required column the header lacks."""
    present = set(header)
    return [
        SourceProblem(file, f"line {line}", f"column {name!r} is missing")
        for name in required
        if name not in present
    ]


def reason_of(value: Rated[Any] | Flag) -> NotRated | None:
    """The reason a cell holds no value, if it holds none."""
    return value.reason


Converter = Callable[[str], Any]
