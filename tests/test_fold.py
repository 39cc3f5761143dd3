"""``fold`` replaces characters one distinct character at a time: the same as the
``str.translate`` definition (no store needed)."""

from __future__ import annotations

import random
import sys
import unicodedata

import pytest

from graph.normalize import fold

_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "–": "-", "—": "-"})
_COMBINING = {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))}


def _by_translate(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION))
    return " ".join(decomposed.translate(_COMBINING).casefold().split())


@pytest.mark.parametrize(
    "text",
    [
        "Accès à l’information — « données » ouvertes d‘État",
        "Straße ﬁnance Ǆemal ÅNGSTRÖM naïve\u0301 café – ok",
        "\u0301a\u0327 ç  \t plain ASCII text  ",
        "Ελληνικά и кириллица, 日本語のテキスト, emoji 🙂",
        "",
    ],
)
def test_fold_is_that_of_translate(text: str) -> None:
    assert fold(text) == _by_translate(text)


def test_fold_of_random_text_is_that_of_translate() -> None:
    rng = random.Random(3)
    for _ in range(500):
        text = "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(40))
        assert fold(text) == _by_translate(text)
