"""Dates as OGP's files write them (``9/1/2018``, ``31/12/2014``, ``July 2014``, ``2012``).

Only what the text says for certain becomes an ISO date (``2018-09-01``, ``2014-07``,
``2012``); anything else (``Underway``, ``Quarter 1 2014``, spreadsheet serial numbers)
gives ``None`` and the text is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def _year(text: str) -> int | None:
    year = int(text)
    if len(text) == 2:
        year += 2000
    return year if 1990 <= year <= 2100 else None


def parse_partial_date(text: str) -> str | None:
    """ISO ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` for a date OGP's files write; else ``None``.

    Slashed dates are month first, as OGP's export writes them, unless the first number
    cannot be a month (``31/12/2014``).
    """
    text = " ".join(text.split())
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text):
        first, second, year = int(match[1]), int(match[2]), _year(match[3])
        month, day = (second, first) if first > 12 else (first, second)
        if year is None:
            return None
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    if match := re.fullmatch(r"([A-Za-z]+)\.? (\d{4})", text):
        named_month = _MONTHS.get(match[1].casefold())
        named_year = _year(match[2])
        return f"{named_year:04d}-{named_month:02d}" if named_month and named_year else None
    if re.fullmatch(r"\d{4}", text):
        year = _year(text)
        return str(year) if year else None
    return None
