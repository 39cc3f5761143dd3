"""Paths of the real partnership sources (../shared/data/ogp) and helpers to edit them in tests."""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OGP_DIR = ROOT.parent / "shared" / "data" / "ogp"
COMMITMENTS_CSV = OGP_DIR / "commitments-2024" / "ogp-commitments-2024-subset.csv"
EXPLORER_CSV = OGP_DIR / "explorer-2016" / "ogp-explorer-commitments-2016.csv"
PROCESS_CSV = OGP_DIR / "explorer-2016" / "ogp-process-database-2016-07.csv"
US_TRACKER_DIR = OGP_DIR / "us-nap5-tracker"
FACTS_DIR = OGP_DIR / "facts"


@cache
def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(path), newline="")))


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def edited_commitments(edits: dict[int, dict[str, str]], keep: int = 5) -> str:
    """The header and the first ``keep`` rows of OGP's data, with ``{row: {column: value}}`` set."""
    rows = csv_rows(COMMITMENTS_CSV)
    header, body = rows[0], [list(r) for r in rows[1 : keep + 1]]
    for index, changes in edits.items():
        for column, value in changes.items():
            body[index][header.index(column)] = value
    return csv_text([header, *body])
