"""Languages and cursors, with no store."""

from __future__ import annotations

import pytest

from schema.connection import Connection, build_connection, decode_cursor, encode_cursor
from schema.errors import UserInputError
from schema.lang import Lang, from_accept_language, pick


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, Lang.EN),
        ("", Lang.EN),
        ("fr-CA,fr;q=0.9,en;q=0.8", Lang.FR),
        ("en;q=0.5, fr;q=0.7", Lang.FR),
        ("de, fr;q=bad, en;q=0.1", Lang.EN),
        ("de, es", Lang.EN),
    ],
)
def test_accept_language_picks_english_or_french(header: str | None, lang: Lang) -> None:
    assert from_accept_language(header) is lang


def test_a_missing_text_is_given_in_the_other_language() -> None:
    props = {"title_en": "Open", "title_fr": ""}
    assert pick(props, "title", Lang.FR) == "Open"
    assert pick(props, "title", Lang.EN) == "Open"
    assert pick({}, "title", Lang.EN) is None


def test_cursors_are_opaque_offsets() -> None:
    assert decode_cursor(None) == 0
    assert decode_cursor(encode_cursor(4)) == 5
    for bad in ("nope", encode_cursor(-1), "b2Zmc2V0Oi0x", "eHl6"):
        with pytest.raises(UserInputError, match="'after' is not a cursor this API gave out"):
            decode_cursor(bad)


def test_a_connection_tells_where_its_page_stands() -> None:
    page = build_connection(["a", "b"], 2, 10, True)
    assert [e.cursor for e in page.edges] == [encode_cursor(2), encode_cursor(3)]
    assert page.nodes() == ["a", "b"]
    assert page.page_info.has_previous_page and page.page_info.has_next_page
    empty: Connection[str] = build_connection([], 0, 0, False)
    assert empty.page_info.start_cursor is None and empty.total_count == 0
