"""The text of a source: its bytes decoded, and the header of a CSV.

Every format reads its file through these, so that a file that is not UTF-8 or starts
with a byte order mark is handled the same way whatever it holds.
"""

from __future__ import annotations

import codecs
import csv
import io

from loaders.errors import SourceError

BOM = "\ufeff"


def decode_utf8(data: bytes, file: str) -> str:
    """The text of a file's bytes: UTF-8, with or without a byte order mark.

    Raises :class:`SourceError` naming the line and the byte that is not UTF-8.
    """
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line = data[:offset].count(b"\n") + 1
        raise SourceError.single(
            file,
            f"line {line}",
            f"not UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); save the file as UTF-8",
        ) from exc


def without_bom(text: str) -> str:
    """``text`` without the byte order mark it may start with."""
    return text[1:] if text.startswith(BOM) else text


def header_names(cells: list[str]) -> list[str]:
    """Column names as compared: trimmed, in lower case."""
    return [cell.strip().lstrip(BOM).strip().lower() for cell in cells]


def csv_header(text: str) -> list[str]:
    """The column names of a CSV text's first row (``[]`` if it has none or is not CSV)."""
    try:
        header = next(csv.reader(io.StringIO(without_bom(text), newline="")), [])
    except csv.Error:
        return []
    return header_names(header)
