"""CSV files read with the line each record starts on, for error messages that say where."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from loaders.errors import SourceError


@dataclass(frozen=True)
class CsvRecord:
    """One record of a CSV file and the line (1-based) it starts on."""

    line: int
    cells: list[str]


def csv_records(text: str, file: str) -> Iterator[CsvRecord]:
    """Every record of ``text`` (a BOM is dropped), with its first line number."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield CsvRecord(start, cells)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError.single(file, f"line {start}", f"not valid CSV: {exc}") from None


def first_line(text: str, limit: int = 20_000) -> str:
    """The first line of a text (for recognising a format), at most ``limit`` characters."""
    head = text[:limit].lstrip("\ufeff")
    return head.split("\n", 1)[0].rstrip("\r")


def header_cells(line: str) -> list[str]:
    """The cells of one CSV line."""
    return next(csv.reader([line]), [])
