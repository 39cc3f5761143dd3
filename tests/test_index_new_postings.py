"""The batched postings of new documents are those the key-by-key merge gives (no store needed).

``NewPostings`` groups every new document's postings with numpy and ``_key_postings``
appends them to a key's stored ones; both must give exactly what ``_apply`` gives
one document after the other, including the weights' rounding.
"""

from __future__ import annotations

import random
from array import array

import numpy as np

from graph.search_index import (
    WEIGHT_SCALE,
    DocumentIndex,
    NewPostings,
    Postings,
    _appended,
    _apply,
    _key_postings,
    _last_doc,
)


def _by_apply(
    stored: dict[int, int], added: dict[int, dict[str, float]], key: str
) -> dict[int, int]:
    deltas = {
        doc: min(65535, round(keys[key] * WEIGHT_SCALE))
        for doc, keys in added.items()
        if key in keys
    }
    return _apply(Postings.from_dict(dict(stored)), deltas).as_dict()  # type: ignore[arg-type]


def test_new_postings_are_those_of_apply() -> None:
    rng = random.Random(7)
    words = [f"en:w{i}" for i in range(40)]
    # weights that round half-way (x.xx5), that overflow, and plain ones
    weights = [0.125, 0.135, 2.675, 1.005, 700.0, 0.0, 3.3333333333333335, 0.015]
    added = {
        doc: {word: rng.choice(weights) for word in rng.sample(words, rng.randint(0, 12))}
        for doc in rng.sample(range(1000, 3000), 60)
    }
    stored = {
        word: {d: rng.randint(1, 500) for d in rng.sample(range(1, 900), 5)} for word in words
    }
    stored["en:w0"] = {}
    batch = NewPostings()
    for doc in sorted(added, key=lambda _: rng.random()):  # any order: grouped sorts them
        batch.add(doc, DocumentIndex.from_keys(added[doc]))
    grouped = batch.grouped()
    for word in words:
        expected = _by_apply(stored[word], added, word)
        text = Postings.from_dict(stored[word]).encode() if stored[word] else None
        got = _key_postings(text, None, grouped.get(word)) if word in grouped else text
        assert (Postings.decode(got).as_dict() if got else {}) == expected, word


def test_new_documents_below_a_stored_one_are_merged() -> None:
    batch = NewPostings()
    batch.add(5, DocumentIndex.from_keys({"en:x": 0.5}))
    batch.add(20, DocumentIndex.from_keys({"en:x": 0.25}))
    text = Postings.from_dict({3: 1, 9: 2}).encode()
    merged = _key_postings(text, {3: None}, batch.grouped()["en:x"])
    assert list(Postings.decode(merged).docs) == [5, 9, 20]
    assert Postings.decode(merged).as_dict() == {5: 50, 9: 2, 20: 25}


def test_a_key_no_document_holds_any_more_is_emptied() -> None:
    text = Postings.from_dict({3: 1}).encode()
    assert _key_postings(text, {3: None}, None) == ""


def test_appended_text_is_the_text_of_the_whole_postings() -> None:
    """Appending to stored base64 decodes only its last group: the same text as
    encoding every number again, at every length modulo 3 of the stored bytes."""
    rng = random.Random(11)
    for stored_count in range(0, 9):
        for added_count in range(1, 5):
            stored = sorted(rng.sample(range(1, 10_000), stored_count))
            added = sorted(rng.sample(range(10_001, 20_000), added_count))
            weights = [rng.randrange(65536) for _ in stored + added]
            text = Postings(array("I", stored), array("H", weights[:stored_count])).encode()
            whole = Postings(array("I", stored + added), array("H", weights)).encode()
            new = (
                np.array(added, np.uint32),
                np.array(weights[stored_count:], np.uint16),
            )
            assert _appended(text if stored else None, *new) == whole
            assert _last_doc(text if stored else None) == (stored[-1] if stored else -1)
