"""The tables of facts in ``data/ogp/facts/``: co-chairs, Global Summits, membership events.

Each row names its source address. These tables are what the bundled partnership
dataset (``datasets/ogp_partnership.yaml``) was written from; the tests check that the
two agree. Dates are as precise as the sources are (``2012``, ``2012-04``,
``2016-09-20``) or empty where they are silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from loaders.csv_table import csv_records, first_line, header_cells
from loaders.errors import SourceError
from loaders.ogp_rows import RowModel, missing_columns, validate_row
from loaders.values import PartialDate


def _optional(raw: Any) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    return text or None


OptionalCell = Annotated[str | None, BeforeValidator(_optional)]
DateCell = Annotated[PartialDate | None, BeforeValidator(_optional)]


def _url(raw: Any) -> str:
    text = str(raw).strip()
    if not text.startswith(("http://", "https://")):
        raise PydanticCustomError("url", "expected an http(s) address", {})
    return text


UrlCell = Annotated[str, BeforeValidator(_url)]


def _required(raw: Any) -> str:
    text = str(raw).strip()
    if not text:
        raise PydanticCustomError("required", "must not be empty", {})
    return text


TextCell = Annotated[str, BeforeValidator(_required)]


class CoChairRow(RowModel):
    """One seat held: who, for which sector and position, from when to when."""

    term_start: DateCell = Field(alias="term_start")
    term_end: DateCell = Field(alias="term_end")
    position: Literal["founding co-chair", "lead", "support"] = Field(alias="position")
    sector: Literal["government", "civil_society"] = Field(alias="sector")
    holder: TextCell = Field(alias="holder")
    organization: OptionalCell = Field(alias="organization")
    source_url: UrlCell = Field(alias="source_url")
    note: OptionalCell = Field(None, alias="note")


class SummitRow(RowModel):
    """One Global Summit."""

    ordinal: int = Field(alias="ordinal", ge=1)
    city: TextCell = Field(alias="city")
    country: TextCell = Field(alias="country")
    start_date: DateCell = Field(alias="start_date")
    end_date: DateCell = Field(alias="end_date")
    host_government: TextCell = Field(alias="host_government")
    source_url: UrlCell = Field(alias="source_url")
    note: OptionalCell = Field(None, alias="note")


MembershipEventKind = Literal[
    "founding member",
    "committed to join at launch",
    "member since",
    "action plan cohort",
    "joined",
    "announced joining",
    "withdrew",
    "suspended (inactive)",
    "suspended permanently",
    "declared intent only",
]


class MembershipEventRow(RowModel):
    """One event of a member's membership."""

    member: TextCell = Field(alias="member")
    event: MembershipEventKind = Field(alias="event")
    date: DateCell = Field(alias="date")
    detail: OptionalCell = Field(alias="detail")
    source_url: UrlCell = Field(alias="source_url")


R = TypeVar("R", bound=RowModel)


@dataclass(frozen=True)
class FactRow:
    """A checked row and the line it is on."""

    line: int
    row: Any


def _columns(model: type[RowModel]) -> list[str]:
    return [
        str(info.alias) for info in model.model_fields.values() if info.alias and info.is_required()
    ]


def _read(text: str, file: str, model: type[R]) -> list[tuple[int, R]]:
    records = csv_records(text, file)
    first = next(records, None)
    if first is None:
        raise SourceError.single(file, "", "is empty")
    header = [cell.strip() for cell in first.cells]
    problems = missing_columns(header, _columns(model), file, 1)
    if problems:
        raise SourceError(problems)
    rows: list[tuple[int, R]] = []
    for record in records:
        if not any(cell.strip() for cell in record.cells):
            continue
        cells = dict(zip(header, record.cells, strict=False))
        row, row_problems = validate_row(model, cells, file, record.line)
        problems += row_problems
        if row is not None:
            rows.append((record.line, row))
    if problems:
        raise SourceError(problems)
    return rows


def _has_columns(text: str, *names: str) -> bool:
    header = header_cells(first_line(text))
    return all(name in header for name in names)


def looks_like_co_chairs(text: str) -> bool:
    return _has_columns(text, "term_start", "position", "sector", "holder")


def looks_like_summits(text: str) -> bool:
    return _has_columns(text, "ordinal", "city", "host_government")


def looks_like_membership_events(text: str) -> bool:
    return _has_columns(text, "member", "event", "date", "source_url")


def read_co_chairs(text: str, file: str) -> list[tuple[int, CoChairRow]]:
    """Every row of ``co-chairs.csv`` with its line; ``SourceError`` lists every bad cell."""
    return _read(text, file, CoChairRow)


def read_summits(text: str, file: str) -> list[tuple[int, SummitRow]]:
    """Every row of ``global-summits.csv`` with its line."""
    return _read(text, file, SummitRow)


def read_membership_events(text: str, file: str) -> list[tuple[int, MembershipEventRow]]:
    """Every row of ``membership-events.csv`` with its line."""
    return _read(text, file, MembershipEventRow)


def co_chair_term_years(row: CoChairRow) -> tuple[int, int]:
    """The term a seat belongs to: the year it started and the next (or, with no start,
    the year before it ended and that year)."""
    if row.term_start is not None:
        year = int(row.term_start[:4])
    elif row.term_end is not None:
        year = int(row.term_end[:4]) - 1
    else:
        raise ValueError("a co-chair row needs term_start or term_end")
    return year, year + 1
