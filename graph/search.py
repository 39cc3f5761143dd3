"""Search across every entity: words, not substrings, ranked like a search engine.

The query goes through the same analyser as the texts (:mod:`graph.analysis`);
its keys are looked up in the index the writer keeps (:mod:`graph.search_index`),
so a search reads the few index buckets of its words and then the page of
entities it shows: two statements, whatever the size of the graph, never a scan
of the entities. Ranking:

- every word is required (a word found through either language counts); when no
  entity holds them all, those holding the most words (at least half) are shown;
- BM25 over fields with weights (codes, abbreviations, names and titles above full
  text), with a word's best language;
- two adjacent words found side by side (a phrase) add their pair's BM25;
- the whole query equal to an entity's code, abbreviation, id, name or title puts it
  first.

Both stores hold the same index and the ranking is computed here, so both give the
same results.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graph.analysis import Language, exact_key, query_words, words
from graph.highlight import Match, highlights
from graph.model import ENTITY_LABELS
from graph.search_index import (
    LABEL_BITS,
    META_ID,
    READ_BUCKETS,
    WEIGHT_SCALE,
    bucket_id,
    read_bucket,
)
from graph.search_index import (
    lintable_statements as index_statements,
)
from graph.statements import Statement, statement
from graph.store import Store

MAX_WORDS = 12
K1 = 1.2
#: what a whole-query match of a code, abbreviation, id, name or title adds (times its weight)
EXACT_BONUS = 1000.0
#: how much a pair of adjacent words found as a phrase counts, against its BM25
PHRASE_WEIGHT = 1.0
#: how much a compound's whole form (``tbs-sct``) counts besides its parts
COMPOUND_WEIGHT = 0.5

_BRANCHES = " UNION ALL ".join(
    f"MATCH (n:{label}) WHERE n.searchDoc IN $docs.{label} RETURN properties(n) AS node"
    for label in ENTITY_LABELS
)
FETCH_HITS = statement("search.entities", _BRANCHES)


@dataclass(frozen=True)
class QueryPlan:
    """The keys a query looks up: required words, optional ones, phrases, the exact key."""

    #: per required word: its key in each language
    required: list[dict[Language, str]]
    #: keys that raise the score without being required, with their weight
    optional: list[tuple[dict[Language, str], float]]
    exact: dict[Language, str]
    #: per language, every term of the query (for highlights)
    terms: dict[Language, set[str]] = field(default_factory=dict)

    def keys(self) -> set[str]:
        found = set(self.exact.values())
        for per_lang in self.required:
            found.update(per_lang.values())
        for per_lang, _ in self.optional:
            found.update(per_lang.values())
        return found

    @property
    def empty(self) -> bool:
        return not self.required and not self.exact


def plan_query(query: str, langs: Sequence[Language]) -> QueryPlan:
    """What to look up for ``query`` in the indexes of ``langs``."""
    qwords = query_words(query, langs)[: MAX_WORDS * 2]
    required = [w for w in qwords if w.required][:MAX_WORDS]
    required_keys = [{lang: f"{lang}:{t}" for lang, t in w.terms.items()} for w in required]
    optional: list[tuple[dict[Language, str], float]] = [
        ({lang: f"{lang}:{t}" for lang, t in w.terms.items()}, COMPOUND_WEIGHT)
        for w in qwords
        if not w.required
    ]
    for first, second in itertools.pairwise(required):
        pair = {
            lang: f"{lang}:{first.terms[lang]} {second.terms[lang]}"
            for lang in langs
            if lang in first.terms and lang in second.terms
        }
        if pair:
            optional.append((pair, PHRASE_WEIGHT))
    whole = exact_key(query)
    exact: dict[Language, str] = {lang: f"{lang}={whole}" for lang in langs} if whole else {}
    terms: dict[Language, set[str]] = {lang: set() for lang in langs}
    for w in qwords:
        for lang, t in w.terms.items():
            terms[lang].add(t)
    return QueryPlan(required_keys, optional, exact, terms)


@dataclass(frozen=True)
class Hit:
    """One entity found: its relevance (1 for the best of the search), properties, matches."""

    score: float
    node: dict[str, Any]
    matches: list[Match]


@dataclass(frozen=True)
class SearchResult:
    """How many entities match, and the asked page of them, best first."""

    total: int
    hits: list[Hit]


class _Index:
    """The postings of a query's keys (weights per document), restricted to the asked labels."""

    def __init__(self, rows: Iterable[dict[str, Any]], keys: set[str], labels: Sequence[str]):
        self.docs = 1
        codes: set[int] = set()
        every_label = False
        texts: dict[str, str | None] = {}
        for row in rows:
            if row["id"] == META_ID:
                self.docs = max(1, row.get("docs") or 1)
                stored = list(row.get("labels") or [])
                codes = {stored.index(label) for label in labels if label in stored}
                every_label = all(label in labels for label in stored)
            else:
                texts[row["id"]] = row["postings"]
        self.weights: dict[str, dict[int, int]] = {}
        mask = (1 << LABEL_BITS) - 1
        by_bucket: dict[str, list[str]] = {}
        for key in keys:
            by_bucket.setdefault(bucket_id(key), []).append(key)
        for bucket, wanted in by_bucket.items():
            for key, found in read_bucket(texts.get(bucket), wanted).items():
                if every_label:
                    self.weights[key] = dict(zip(found.docs, found.weights, strict=True))
                else:
                    self.weights[key] = {
                        doc: weight
                        for doc, weight in zip(found.docs, found.weights, strict=True)
                        if doc & mask in codes
                    }

    def holders(self, per_lang: dict[Language, str]) -> set[int]:
        """The documents that hold a word in any of its languages."""
        found: set[int] = set()
        for key in per_lang.values():
            found.update(self.weights.get(key, ()))
        return found

    def best(self, per_lang: dict[Language, str], docs: Iterable[int]) -> dict[int, float]:
        """BM25 of a word for each of ``docs`` that holds it, in its best language."""
        parts = []
        for key in per_lang.values():
            postings = self.weights.get(key)
            if postings:
                df = len(postings)
                idf = math.log(1 + (self.docs - df + 0.5) / (df + 0.5))
                parts.append((postings, idf))
        result: dict[int, float] = {}
        for doc in docs:
            top = 0.0
            for postings, idf in parts:
                stored = postings.get(doc)
                if stored is not None:
                    w = stored / WEIGHT_SCALE
                    top = max(top, idf * w * (K1 + 1) / (w + K1))
            if top:
                result[doc] = top
        return result


def rank(plan: QueryPlan, index: _Index) -> list[tuple[int, float]]:
    """Every matching document with its score, best first (ties: the earlier indexed)."""
    holders = [index.holders(per_lang) for per_lang in plan.required]
    matching: set[int] = set()
    if holders:
        ordered = sorted(holders, key=len)
        matching = set(ordered[0]).intersection(*ordered[1:])
        if not matching and len(holders) > 1:
            coverage: dict[int, int] = {}
            for held in holders:
                for doc in held:
                    coverage[doc] = coverage.get(doc, 0) + 1
            most = max(coverage.values(), default=0)
            if 2 * most >= len(holders):
                matching = {doc for doc, count in coverage.items() if count == most}
    exact: dict[int, float] = {}
    for key in plan.exact.values():
        for doc, weight in index.weights.get(key, {}).items():
            exact[doc] = max(exact.get(doc, 0.0), weight / WEIGHT_SCALE)
    matching |= exact.keys()
    scores = dict.fromkeys(matching, 0.0)
    for per_lang in plan.required:
        for doc, score in index.best(per_lang, matching).items():
            scores[doc] += score
    for per_lang, share in plan.optional:
        for doc, score in index.best(per_lang, matching & index.holders(per_lang)).items():
            scores[doc] += share * score
    for doc, closeness in exact.items():
        scores[doc] += EXACT_BONUS * closeness
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _page_params(docs: Sequence[int], meta_labels: Sequence[str]) -> dict[str, list[int]]:
    by_label: dict[str, list[int]] = {label: [] for label in ENTITY_LABELS}
    mask = (1 << LABEL_BITS) - 1
    for doc in docs:
        code = doc & mask
        if code < len(meta_labels) and meta_labels[code] in by_label:
            by_label[meta_labels[code]].append(doc)
    return by_label


async def search(
    store: Store,
    query: str,
    langs: Sequence[Language],
    labels: Sequence[str],
    skip: int,
    limit: int,
    show: Sequence[Language],
) -> SearchResult:
    """The ``skip``/``limit`` page of the entities of ``labels`` that match ``query``.

    ``langs`` are the languages searched; ``show`` the order in which languages are
    tried for highlights.
    """
    plan = plan_query(query, langs)
    if plan.empty:
        return SearchResult(0, [])
    keys = plan.keys()
    rows = await store.read(READ_BUCKETS, ids=sorted({bucket_id(k) for k in keys} | {META_ID}))
    meta_labels = next((list(r.get("labels") or []) for r in rows if r["id"] == META_ID), [])
    ranked = rank(plan, _Index(rows, keys, labels))
    page = ranked[skip : skip + limit]
    if not page:
        return SearchResult(len(ranked), [])
    found = await store.read(FETCH_HITS, docs=_page_params([d for d, _ in page], meta_labels))
    nodes = {row["node"].get("searchDoc"): row["node"] for row in found}
    best = ranked[0][1] or 1.0
    hits = [
        Hit(round(score / best, 4), nodes[doc], highlights(nodes[doc], plan.terms, show))
        for doc, score in page
        if doc in nodes
    ]
    return SearchResult(len(ranked), hits)


def query_has_words(query: str) -> bool:
    """True when ``query`` holds at least one word (stop words count)."""
    return bool(words(query))


@cache
def _fetch_example() -> Statement:
    return Statement(
        FETCH_HITS.name, FETCH_HITS.cypher, {"docs": {label: [1] for label in ENTITY_LABELS}}
    )


def lintable_statements() -> Iterator[Statement]:
    """The statements of search and of its index."""
    yield from index_statements()
    yield _fetch_example()
