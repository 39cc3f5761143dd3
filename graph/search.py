"""Search across every entity: words, not substrings, ranked like a search engine.

The query goes through the same analyser as the texts (:mod:`graph.analysis`);
its keys are looked up in the index the writer keeps (:mod:`graph.search_index`),
so a search reads the few index buckets of its words and then the page of
entities it shows: two statements, whatever the size of the graph, never a scan
of the entities; one when this process holds the postings of every word
(:mod:`graph.search_postings`). Ranking:

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
import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.analysis import VERSION, Language, exact_key, query_words, words
from graph.compile import Pick, projection
from graph.highlight import Match, highlights
from graph.model import ENTITY_LABELS
from graph.search_index import (
    COUNT_ENTITIES,
    LABEL_BITS,
    META_ID,
    WEIGHT_SCALE,
    IndexUpdate,
    Meta,
)
from graph.search_index import (
    lintable_statements as index_statements,
)
from graph.search_postings import IndexView, PostingsCache, cache_for, token
from graph.statements import Statement, statement
from graph.store import Store, Transaction

log = logging.getLogger("ogp_graph.search")

MAX_WORDS = 12
LABEL_MASK = (1 << LABEL_BITS) - 1
K1 = 1.2
#: what a whole-query match of a code, abbreviation, id, name or title adds (times its weight)
EXACT_BONUS = 1000.0
#: how much a pair of adjacent words found as a phrase counts, against its BM25
PHRASE_WEIGHT = 1.0
#: how much a compound's whole form (``tbs-sct``) counts besides its parts
COMPOUND_WEIGHT = 0.5


@lru_cache(maxsize=512)
def fetch_hits(
    labels: tuple[str, ...], picks: tuple[Pick, ...] | None, lang: str, check: bool
) -> Statement:
    """The page's entities of ``labels`` (``$docs.<label>``: their document numbers), each as
    its label's pick (with ``searchDoc``) or, with no picks, whole (``properties(n)``).
    ``check`` adds the index's meta node as one more row (``$meta``): a search ranked from
    postings this process held checks with it that the index is still the one they are of.

    A branch per label of the page only: an empty ``UNWIND`` branch still costs the store
    about 0.02 ms, and every branch used to be sent. UNWIND, then a match on the indexed
    number: both stores look each document up in the label's index (with ``WHERE
    n.searchDoc IN $docs.Label`` the embedded store scans the label).
    """
    branches = []
    if check:
        branches.append(
            "MATCH (n:SearchIndex) WHERE n.id = $meta "
            "RETURN n {.id, .generation, .version, .docs, .nextDoc, .labels} AS node"
        )
    for position, label in enumerate(labels):
        if picks is None:
            shown = "properties(n)"
        else:
            pick = picks[position]
            if pick.label != label:
                raise ValueError(f"a pick of {pick.label} for the hits of {label}")
            shown, params = projection("n", pick, lang, also=("searchDoc",))
            if params:
                raise ValueError(f"the hits of {label} are fetched with their properties only")
        branches.append(
            f"UNWIND $docs.{label} AS doc MATCH (n:{label} {{searchDoc: doc}}) RETURN {shown} AS node"
        )
    if not branches:
        raise ValueError("no label to fetch hits of")
    example: dict[str, Any] = {"docs": {label: [1] for label in labels}}
    if check:
        example["meta"] = META_ID
    return Statement(
        "search.entities", " UNION ALL ".join(branches), example, projected=bool(picks)
    )


#: the index's meta nodes, of every analyser version (the version is part of their id)
_READ_METAS = statement(
    "search.read_metas",
    "MATCH (b:SearchIndex) WHERE b.id ENDS WITH ':meta' "
    "RETURN b.id AS id, b.version AS version, b.docs AS docs",
)
#: every node of the index, of whatever analyser version, before a rebuild
_DROP_INDEX = statement("search.drop_index", "MATCH (b:SearchIndex) DELETE b RETURN count(b) AS n")


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
    #: per language, every term of the query
    terms: dict[Language, set[str]]
    #: the order in which languages are tried for highlights
    show: Sequence[Language]

    @cached_property
    def matches(self) -> list[Match]:
        """The fields that hold the query's words, with snippets: made only when asked
        (reading every field of 20 hits for them was most of a search's CPU)."""
        return highlights(self.node, self.terms, self.show)


@dataclass(frozen=True)
class SearchResult:
    """How many entities match, and the asked page of them, best first."""

    total: int
    hits: list[Hit]


Scored = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]
_NONE: Scored = (np.zeros(0, np.int64), np.zeros(0, np.float64))


class _Index:
    """The postings of a query's keys (weights per document), restricted to the asked labels."""

    def __init__(self, view: IndexView, labels: Sequence[str]):
        self.docs = view.docs
        mask = view.label_mask(labels)
        self.postings: dict[str, Scored] = {}
        for key, found in view.postings.items():
            docs, weights = found.docs, found.weights
            if mask is not None and len(docs):
                kept = mask[docs & LABEL_MASK]
                docs, weights = docs[kept], weights[kept]
            self.postings[key] = (docs.astype(np.int64), weights / WEIGHT_SCALE)

    def best(self, per_lang: dict[Language, str]) -> Scored:
        """BM25 of a word for each document that holds it (ascending), in its best language."""
        parts: list[Scored] = []
        for key in per_lang.values():
            docs, w = self.postings.get(key, _NONE)
            if len(docs):
                df = len(docs)
                idf = math.log(1 + (self.docs - df + 0.5) / (df + 0.5))
                parts.append((docs, idf * w * (K1 + 1) / (w + K1)))
        if not parts:
            return _NONE
        if len(parts) == 1:
            return parts[0]
        docs = np.concatenate([d for d, _ in parts])
        scores = np.concatenate([sc for _, sc in parts])
        return _best_of_each(docs, scores)

    def exact(self, keys: Iterable[str]) -> Scored:
        """The documents of whole-query keys, each with its closest match's weight."""
        parts = [self.postings.get(key, _NONE) for key in keys]
        docs = np.concatenate([d for d, _ in parts] + [_NONE[0]])
        if not len(docs):
            return _NONE
        weights = np.concatenate([w for _, w in parts])
        return _best_of_each(docs, weights)


def _best_of_each(docs: npt.NDArray[np.int64], scores: npt.NDArray[np.float64]) -> Scored:
    """Each document once (ascending) with its highest score. ``docs`` are runs that each
    ascend (one per key), which a stable sort merges in one pass."""
    order = np.argsort(docs, kind="stable")
    docs, scores = docs[order], scores[order]
    starts = np.flatnonzero(_firsts(docs))
    return docs[starts], np.maximum.reduceat(scores, starts)


def _firsts(ascending: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Where each value of a non-empty ascending array first appears."""
    first = np.empty(len(ascending), dtype=bool)
    first[0] = True
    np.not_equal(ascending[1:], ascending[:-1], out=first[1:])
    return first


def _add(docs: npt.NDArray[np.int64], scores: npt.NDArray[np.float64], extra: Scored) -> None:
    """Add ``extra``'s scores to those of ``docs`` that it holds (both ascending, without
    repeats: each document gets one addition). The smaller side is looked up in the other."""
    found, values = extra
    if not len(found) or not len(docs):
        return
    if len(found) <= len(docs):
        at = np.minimum(np.searchsorted(docs, found), len(docs) - 1)
        held = docs[at] == found
        scores[at[held]] += values[held]
    else:
        at = np.minimum(np.searchsorted(found, docs), len(found) - 1)
        held = found[at] == docs
        scores[held] += values[at[held]]


@dataclass(frozen=True)
class Ranking:
    """Every matching document (ascending) with its score."""

    docs: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.docs)

    def top(self, count: int) -> list[tuple[int, float]]:
        """The ``count`` best, best first (ties: the earlier indexed), without sorting the rest."""
        docs, scores = self.docs, self.scores
        if count <= 0 or not len(docs):
            return []
        if count < len(docs):
            threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
            kept = scores >= threshold
            docs, scores = docs[kept], scores[kept]
        order = np.lexsort((docs, -scores))[:count]
        return [(int(docs[i]), float(scores[i])) for i in order]


def _held_by_all(found: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    """The documents in every one of ``found`` (each ascending, without repeats): each
    smaller set looked up in the next by binary search, where sorting them all together
    took most of a search's time at 100x (2.6 ms for two words of 11-14k documents)."""
    if not found:
        return _NONE[0]
    ordered = sorted(found, key=len)
    held = ordered[0]
    for other in ordered[1:]:
        if not len(held) or not len(other):
            return _NONE[0]
        at = np.minimum(np.searchsorted(other, held), len(other) - 1)
        held = held[other[at] == held]
    return held


def _held_by_most(found: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    """The documents holding the most words when none holds them all, if at least half."""
    every = np.concatenate([*found, _NONE[0]])
    unique, counts = np.unique(every, return_counts=True)
    if not len(counts):
        return _NONE[0]
    most = int(counts.max())
    return unique[counts == most] if 2 * most >= len(found) else _NONE[0]


def _merged(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The union of two ascending arrays without repeats, ascending: a stable sort merges
    the two runs in one pass (``np.union1d`` hashed and sorted them anew)."""
    if not len(b):
        return a
    both = np.concatenate([a, b])
    both.sort(kind="stable")
    return both[_firsts(both)]


def rank(plan: QueryPlan, index: _Index) -> Ranking:
    """Every matching document with its score."""
    words = [index.best(per_lang) for per_lang in plan.required]
    matching = _held_by_all([d for d, _ in words])
    if not len(matching) and len(words) > 1:
        matching = _held_by_most([d for d, _ in words])
    exact_docs, closeness = index.exact(plan.exact.values())
    docs = _merged(matching, exact_docs)
    scores = np.zeros(len(docs), np.float64)
    for word in words:  # the words' scores summed in their order, as before
        _add(docs, scores, word)
    for per_lang, share in plan.optional:
        found, values = index.best(per_lang)
        _add(docs, scores, (found, share * values))
    _add(docs, scores, (exact_docs, EXACT_BONUS * closeness))
    return Ranking(docs, scores)


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
    picks: Mapping[str, Pick] | None = None,
    lang: str = "en",
) -> SearchResult:
    """The ``skip``/``limit`` page of the entities of ``labels`` that match ``query``.

    ``langs`` are the languages searched; ``show`` the order in which languages are
    tried for highlights. ``picks``: what to fetch of each label's hits (texts in
    ``lang``), else their whole properties (highlights read every field).

    When this process holds the postings of every key of the query, it ranks from them
    and checks, in the statement that fetches the page, that the index has not changed
    since: one statement instead of two. Else (or when it has changed) it reads the
    buckets it lacks with the index's meta node first.
    """
    plan = plan_query(query, langs)
    if plan.empty:
        return SearchResult(0, [])
    asked = _Asked(plan, labels, skip, limit, show, picks, lang)
    postings = cache_for(store)
    keys = plan.keys()
    held = postings.held(keys)
    if held is not None:
        found = await _answer(store, asked, held, postings, postings.generation)
        if found is not None:
            return found
    view = await postings.view(store, keys)
    found = await _answer(store, asked, view, postings, None)
    assert found is not None  # no generation to check
    return found


@dataclass(frozen=True)
class _Asked:
    """One search's question, as :func:`search` was given it (its query planned)."""

    plan: QueryPlan
    labels: Sequence[str]
    skip: int
    limit: int
    show: Sequence[Language]
    picks: Mapping[str, Pick] | None
    lang: str


async def _answer(
    store: Store,
    asked: _Asked,
    view: IndexView,
    postings: PostingsCache,
    check: tuple[Any, ...] | None,
) -> SearchResult | None:
    """The page ranked from ``view``; ``None`` when ``check`` (the generation ``view`` is of)
    is not the index's any more (``postings`` then adopts the index's), or when an empty
    page leaves it unchecked."""
    plan, skip, picks = asked.plan, asked.skip, asked.picks
    ranked = rank(plan, _Index(view, asked.labels))
    page = ranked.top(skip + asked.limit)[skip:]
    if not page:
        return None if check is not None else SearchResult(len(ranked), [])
    by_label = _page_params([d for d, _ in page], view.labels)
    present = tuple(label for label, docs in by_label.items() if docs)
    if not present:  # documents of labels the index knows but the schema does not
        return None if check is not None else SearchResult(len(ranked), [])
    chosen = None if picks is None else tuple(picks.get(label, Pick(label)) for label in present)
    fetch = fetch_hits(present, chosen, asked.lang, check is not None)
    params: dict[str, Any] = {"docs": {label: by_label[label] for label in present}}
    if check is not None:
        params["meta"] = META_ID
    nodes: dict[Any, dict[str, Any]] = {}
    meta: dict[str, Any] | None = None
    for row in await store.read(fetch, **params):
        node = row["node"]
        if node.get("id") == META_ID:
            meta = node
        else:
            nodes[node.get("searchDoc")] = node
    if check is not None and token(meta) != check:
        postings.adopt(token(meta), meta)  # the next read reads every bucket at once
        return None
    best = float(ranked.scores.max()) or 1.0
    hits = [
        Hit(round(score / best, 4), nodes[doc], plan.terms, asked.show)
        for doc, score in page
        if doc in nodes
    ]
    return SearchResult(len(ranked), hits)


# --- the index's state, checked when the service starts ---------------------------------------


@dataclass(frozen=True)
class IndexState:
    """What the store's index says of itself against the entities the store holds."""

    #: the analyser version the index was built with (``None``: no index)
    version: str | None
    #: how many documents the index counts
    docs: int
    #: how many entities the store holds
    entities: int

    @property
    def stale(self) -> str | None:
        """Why the index must be rebuilt, or ``None`` when it is current."""
        if self.entities == 0:
            return None
        if self.version is None:
            return "the store has no search index"
        if self.version != VERSION:
            return f"the search index was built by analyser version {self.version}, not {VERSION}"
        if self.docs != self.entities:
            return (
                f"the search index counts {self.docs} entities where the store holds "
                f"{self.entities} (written by an older version)"
            )
        return None


async def index_state(store: Store) -> IndexState:
    """Read the index's meta node (of whichever version) and count the store's entities."""
    entities = sum(int(row["n"]) for row in await store.read(COUNT_ENTITIES))
    rows = await store.read(_READ_METAS)
    meta = next((row for row in rows if row["id"] == META_ID), None) or next(iter(rows), None)
    if meta is None:
        return IndexState(None, 0, entities)
    return IndexState(str(meta["version"]), int(meta["docs"] or 0), entities)


async def ensure_search_index(store: Store) -> IndexState | None:
    """Rebuild the search index when it is not current; the state found when it was rebuilt.

    An index of an older analyser version (its buckets are not read any more, so search
    would find nothing) or one that counts entities the store no longer holds (postings
    of deleted nodes, from versions before their removal was kept up) is dropped and
    written anew from every entity, in one transaction: search answers from the old
    index until it commits. Call it under the load lock, as loads rebuild it too.
    """
    state = await index_state(store)
    reason = state.stale
    if reason is None:
        return None
    log.info("rebuilding the search index of %d entities: %s", state.entities, reason)

    async def rebuild(tx: Transaction) -> int:
        await tx.run(_DROP_INDEX)
        return await IndexUpdate(Meta(), fresh=True).finish(tx)

    indexed = await store.write_all(rebuild, "the search index's rebuild")
    log.info("search index rebuilt: %d entities indexed", indexed)
    return state


def query_has_words(query: str) -> bool:
    """True when ``query`` holds at least one word (stop words count)."""
    return bool(words(query))


def lintable_statements() -> Iterator[Statement]:
    """The statements of search and of its index."""
    yield from index_statements()
    every = tuple(ENTITY_LABELS)
    yield fetch_hits(every, None, "en", False)
    yield fetch_hits(every, None, "fr", True)
    picks = (Pick("Commitment", ("code",), texts=("title",)), Pick("Milestone", texts=("title",)))
    yield fetch_hits(("Commitment", "Milestone"), picks, "fr", True)
    yield fetch_hits(("Commitment", "Milestone"), picks, "en", False)
