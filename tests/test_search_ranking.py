"""Ranking over decoded postings (no store): the top of a ranking is its head, ties by number;
then, on the store, the per-process postings cache follows the index's generation."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from graph.analysis import Language
from graph.compile import Pick
from graph.model import ENTITY_LABELS, label_of
from graph.search import EXACT_BONUS, K1, QueryPlan, Ranking, _Index, plan_query, rank, search
from graph.search_index import LABEL_BITS, META_ID, READ_BUCKETS, WEIGHT_SCALE
from graph.search_postings import IndexView, KeyPostings, PostingsCache, cache_for
from graph.store import BoltEndpoint, Store, statement_log
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


def _reference_rank(plan: QueryPlan, index: _Index) -> dict[int, float]:
    """The ranking's definition, a document at a time: BM25 of each word in its best
    language; documents holding every word (else the most, if at least half) or the exact
    key; scores summed word by word, then the optional keys, then the exact bonus."""

    def best(per_lang: dict[Language, str]) -> dict[int, float]:
        found: dict[int, float] = {}
        for key in per_lang.values():
            docs, weights = index.postings.get(key, (np.zeros(0, np.int64), np.zeros(0)))
            if not len(docs):
                continue
            df = len(docs)
            idf = math.log(1 + (index.docs - df + 0.5) / (df + 0.5))
            for doc, w in zip(docs.tolist(), weights.tolist(), strict=True):
                found[doc] = max(found.get(doc, -math.inf), idf * w * (K1 + 1) / (w + K1))
        return found

    words = [best(per_lang) for per_lang in plan.required]
    counts: dict[int, int] = {}
    for word in words:
        for doc in word:
            counts[doc] = counts.get(doc, 0) + 1
    matching = {doc for doc, n in counts.items() if n == len(words)}
    if not matching and len(words) > 1 and counts:
        most = max(counts.values())
        if 2 * most >= len(words):
            matching = {doc for doc, n in counts.items() if n == most}
    exact: dict[int, float] = {}
    for key in plan.exact.values():
        docs, weights = index.postings.get(key, (np.zeros(0, np.int64), np.zeros(0)))
        for doc, w in zip(docs.tolist(), weights.tolist(), strict=True):
            exact[doc] = max(exact.get(doc, -math.inf), w)
    scores: dict[int, float] = {}
    for doc in sorted(matching | set(exact)):
        score = 0.0
        for word in words:
            if doc in word:
                score += word[doc]
        for per_lang, share in plan.optional:
            found = best(per_lang)
            if doc in found:
                score += share * found[doc]
        if doc in exact:
            score += EXACT_BONUS * exact[doc]
        scores[doc] = score
    return scores


@pytest.mark.parametrize("seed", range(12))
def test_the_ranking_is_its_definition_bit_for_bit(seed: int) -> None:
    generator = random.Random(seed)
    query = generator.choice(
        ["open data portal", "données ouvertes", "budget", "access to information act", "TBS"]
    )
    plan = plan_query(query, ["en", "fr"])
    pool = [_doc(n, generator.randrange(3)) for n in range(1, generator.choice([30, 400, 3000]))]
    postings = {
        key: _postings({d: generator.choice([0.2, 0.5, 1.0, 2.0]) for d in chosen})
        for key in sorted(plan.keys())
        if (chosen := generator.sample(pool, generator.randrange(len(pool) // 2 + 1)))
    }
    for labels in (list(ENTITY_LABELS), ["Commitment", "Department"], ["Commitment"]):
        index = _Index(_view(postings, ["Commitment", "Department", "Milestone"]), labels)
        ranking = rank(plan, index)
        expected = _reference_rank(plan, index)
        assert ranking.docs.tolist() == sorted(expected)
        assert ranking.scores.tolist() == [expected[d] for d in sorted(expected)]


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


@pytest.mark.store
def test_a_search_whose_postings_are_held_checks_the_generation_with_its_page(
    store_endpoint: BoltEndpoint,
) -> None:
    """Ranked from postings the process holds, a search sends one statement (its page, with
    the index's meta node); if the index changed since, it reads the buckets and ranks again."""

    async def check() -> None:
        store = Store.connect(store_endpoint, 30.0)
        try:
            query, labels = "données ouvertes", list(ENTITY_LABELS)
            langs: list[Language] = ["en", "fr"]
            cache_for(store).clear()  # whatever earlier tests left
            with statement_log() as first:
                truth = await search(store, query, langs, labels, 0, 5, langs)
            assert first.names == ["search.read_index", "search.entities"]
            assert truth.hits
            with statement_log() as held:
                again = await search(store, query, langs, labels, 0, 5, langs)
            assert held.names == ["search.entities"]
            assert [h.node["id"] for h in again.hits] == [h.node["id"] for h in truth.hits]
            # as if a load had changed the index since these postings were read
            stale = cache_for(store)
            stale.generation = ("another load",)
            for key in list(stale._keys):
                stale._keys[key] = KeyPostings(np.array([7], np.uint32), np.array([1], np.uint16))
            with statement_log() as checked:
                seen = await search(store, query, langs, labels, 0, 5, langs)
            # the page of the stale postings (if they rank any), then the careful way
            assert checked.names[-2:] == ["search.read_index", "search.entities"]
            assert checked.names[:-2] in ([], ["search.entities"])
            assert [h.node["id"] for h in seen.hits] == [h.node["id"] for h in truth.hits]
            assert seen.total == truth.total
            with statement_log() as after:  # the postings of the index's generation, held again
                await search(store, query, langs, labels, 0, 5, langs)
            assert after.names == ["search.entities"]
            # a page fetched with picks holds what they name (and the document number)
            picks = {"Commitment": Pick("Commitment", ("code",)), "Milestone": Pick("Milestone")}
            only = ["Commitment", "Milestone"]
            picked = await search(store, query, langs, only, 0, 5, langs, picks, "fr")
            assert picked.hits
            for hit in picked.hits:
                label = label_of(hit.node["id"])
                allowed = {"id", "searchDoc"} | ({"code"} if label == "Commitment" else set())
                assert set(hit.node) <= allowed, hit.node
        finally:
            await store.close()

    run(check())
