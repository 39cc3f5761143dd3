"""Ranking over decoded postings (no store): the top of a ranking is its head, ties by number;
then, on the store, the per-process postings cache follows the index's generation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from graph.model import ENTITY_LABELS
from graph.search import Ranking, _Index, plan_query, rank
from graph.search_index import LABEL_BITS, META_ID, READ_BUCKETS, WEIGHT_SCALE
from graph.search_postings import IndexView, KeyPostings, PostingsCache
from graph.store import BoltEndpoint, Store
from tests.conftest import run


def _postings(entries: dict[int, float]) -> KeyPostings:
    docs = sorted(entries)
    return KeyPostings(
        np.array(docs, np.uint32),
        np.array([round(entries[d] * WEIGHT_SCALE) for d in docs], np.uint16),
    )


def _doc(number: int, label_code: int = 0) -> int:
    return (number << LABEL_BITS) | label_code


def test_the_top_is_the_head_of_the_whole_order_with_ties_by_number() -> None:
    generator = random.Random(7)
    docs = np.array(sorted(generator.sample(range(1, 100_000), 3000)), np.int64)
    scores = np.array([generator.choice([1.0, 2.0, 2.5, 3.0]) for _ in docs], np.float64)
    ranking = Ranking(docs, scores)
    whole = sorted(zip(docs.tolist(), scores.tolist(), strict=True), key=lambda x: (-x[1], x[0]))
    for count in (0, 1, 7, 10, 750, 2999, 3000, 5000):
        assert ranking.top(count) == whole[:count]


def _view(postings: dict[str, KeyPostings], labels: list[str]) -> IndexView:
    return IndexView(docs=100, labels=labels, postings=postings)


def test_every_word_is_required_and_exact_names_come_first() -> None:
    plan = plan_query("open data", ["en"])
    labels = ["Commitment", "Department"]
    a, b, c, d = _doc(1), _doc(2), _doc(3), _doc(4, 1)
    postings = {
        "en:open": _postings({a: 1.0, b: 3.0, c: 1.0}),
        "en:data": _postings({a: 1.0, b: 1.0, d: 2.0}),
        "en:open data": _postings({a: 1.0}),
        "en=open data": _postings({d: 0.9}),
    }
    ranking = rank(plan, _Index(_view(postings, labels), list(ENTITY_LABELS)))
    order = [doc for doc, _ in ranking.top(10)]
    # d: the whole query is its name; a: both words side by side; b: both words; c: one word
    assert order == [d, b, a] or order == [d, a, b]
    assert c not in order and len(ranking) == 3
    only_commitments = rank(plan, _Index(_view(postings, labels), ["Commitment"]))
    assert d not in {doc for doc, _ in only_commitments.top(10)}


def test_when_no_entity_holds_every_word_those_holding_most_are_shown() -> None:
    plan = plan_query("budget transparency portal", ["en"])
    postings = {
        "en:budget": _postings({_doc(1): 1.0, _doc(2): 1.0}),
        "en:transpar": _postings({_doc(1): 1.0}),
        "en:portal": _postings({_doc(3): 1.0}),
    }
    ranking = rank(plan, _Index(_view(postings, ["Commitment"]), ["Commitment"]))
    assert [doc for doc, _ in ranking.top(5)] == [_doc(1)]


@pytest.mark.store
def test_the_postings_cache_drops_what_another_generation_held(
    store_endpoint: BoltEndpoint,
) -> None:
    async def check() -> None:
        store = Store.connect(store_endpoint, 30.0)
        try:
            key = "en:reconcili"
            truth = await PostingsCache().view(store, [key])
            assert len(truth.postings[key]) > 0
            stale = PostingsCache()
            await stale.view(store, [key])
            # as if a load had changed the index since: a cache of another generation...
            stale.generation = ("another load",)
            stale._keys[key] = KeyPostings(np.array([7], np.uint32), np.array([1], np.uint16))
            seen = await stale.view(store, [key])
            # ...is dropped at the next query, which reads the buckets again
            assert seen.postings[key].docs.tolist() == truth.postings[key].docs.tolist()
            meta = (await store.read(READ_BUCKETS, ids=[META_ID]))[0]
            assert meta["generation"], "every index update leaves a generation token"
            # and a cache of the current generation answers without reading buckets
            cached = await stale.view(store, [key])
            assert cached.postings[key] is seen.postings[key]
        finally:
            await store.close()

    run(check())
