"""The index's fast paths give exactly what the analyser's tokens give (no store needed).

``document_keys`` splits each text once and turns each distinct word into terms once;
these tests compare it with the plain token-by-token definition on awkward texts, and
the analyser's faster folding with ``str.translate``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import pytest

from graph import analysis
from graph.analysis import LANGUAGES, exact_key, fold_with_offsets, index_words, tokens, words
from graph.search_index import (
    EXACT_FIELDS,
    FIELD_WEIGHTS,
    Postings,
    _apply,
    _exact,
    _length_norm,
    document_keys,
    search_fields,
)

TEXTS = [
    "Accès à l'information et données ouvertes d’État",
    "Canada's open-data portal (open.canada.ca) 2018-2020, C01.1.1 and AP_ALB01",
    "Straße ﬁnance Ǆemal ÅNGSTRÖM naïve café — jusqu'à aujourd'hui, qu'il l’a dit",
    "TBS-SCT / tbs_sct: the Treasury Board of Canada Secretariat's plan; data data data",
    "ʼquoted‐word – x y z a b c 1 22 333 4444 55555",
    "Ελληνικά и кириллица, 日本語のテキスト, emoji 🙂 ok",
    "",
    "   ",
]


def _reference_keys(props: dict[str, Any]) -> dict[str, float]:
    """The index's keys by the definition: every token of every field, one at a time."""
    weights: dict[str, float] = defaultdict(float)
    for name, lang, text in search_fields(props):
        found = tokens(text, lang)
        primary = [t.term for t in found if t.primary]
        weight = FIELD_WEIGHTS.get(name, 1.0) / _length_norm(name, max(1, len(primary)))
        for token in found:
            weights[f"{lang}:{token.term}"] += weight
        for first, second in itertools.pairwise(primary):
            weights[f"{lang}:{first} {second}"] += weight
        if name in EXACT_FIELDS:
            _exact(weights, f"{lang}={exact_key(text)}", EXACT_FIELDS[name])
    node_id = props.get("id")
    if isinstance(node_id, str):
        for text in (node_id, node_id.split(":", 1)[-1]):
            for lang in LANGUAGES:
                _exact(weights, f"{lang}={exact_key(text)}", EXACT_FIELDS["id"])
    return {key: round(value, 2) for key, value in weights.items()}


@pytest.mark.parametrize("text", TEXTS)
def test_index_words_are_the_words_of_the_text(text: str) -> None:
    assert index_words(text) == [w.text for w in words(text)]


@pytest.mark.parametrize("text", TEXTS)
def test_folding_is_that_of_translate(text: str) -> None:
    plain = text.translate(analysis._PUNCTUATION)
    table = {ord(ch): analysis._fold_char(ch) for ch in set(plain) if not ch.isascii()}
    folded, _ = fold_with_offsets(text)
    if all(len(value) == 1 for value in table.values()):
        assert folded == plain.translate(table).lower()
    else:
        assert folded == "".join(analysis._fold_char(ch) for ch in plain)


def test_document_keys_are_those_of_the_tokens() -> None:
    for first, second in itertools.product(TEXTS, repeat=2):
        props = {
            "id": "Commitment:AL:C01.2",
            "title_en": first,
            "title_fr": second,
            "description_en": f"{second} {first} {first}",
            "name": first,
            "code": second,
            "homeUrl_en": "https://example.org/data",
            "loadedAt": "2026-11-28T00:00:00+00:00",
        }
        assert document_keys(props) == _reference_keys(props)


def test_new_documents_are_appended_and_others_merged() -> None:
    stored = Postings.from_dict({3: 10, 9: 20})
    assert _apply(Postings.decode(stored.encode()), {12: 5, 10: 7}).as_dict() == {
        3: 10,
        9: 20,
        10: 7,
        12: 5,
    }
    changed = _apply(Postings.decode(stored.encode()), {3: None, 5: 1, 9: 30})
    assert list(changed.docs) == [5, 9] and changed.as_dict() == {5: 1, 9: 30}


def test_term_tables_keep_every_word_of_a_text_when_they_start_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Full tables are cleared before new words go in: the words of the same text that were
    already there must go back in too (the index looks every word of the text up)."""
    monkeypatch.setattr(analysis, "_TERMS", {"en": {}, "fr": {}})
    monkeypatch.setattr(analysis, "_PRIMARY_TERMS", {"en": {}, "fr": {}})
    monkeypatch.setattr(analysis, "_VOCABULARY_LIMIT", 3)
    analysis.term_tables(["open", "data"], "en")
    terms, primary = analysis.term_tables(["open", "government", "budgets"], "en")
    assert {"open", "government", "budgets"} <= terms.keys()
    assert {"open", "government", "budgets"} <= primary.keys()
    keys = document_keys({"title_en": "open government budgets"})
    assert "en:open" in keys
