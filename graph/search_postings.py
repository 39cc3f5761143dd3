"""The search index's postings as a query needs them: decoded once, then kept per process.

Reading and decoding the postings of a common word costs far more than ranking
them, so each process keeps the postings it decoded (numpy arrays) while the index
stays the same. Every index update gives the meta node a new ``generation`` token
(:func:`graph.search_index.update`). A query that lacks buckets reads that node in the
same statement as them; one whose every key is held (:meth:`PostingsCache.held`) reads
it in the statement that fetches its page (:func:`graph.search.fetch_hits`). Either way
a changed index (a load, a restore, another process) is seen by the next query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.search_index import (
    LABEL_BITS,
    META_ID,
    READ_BUCKETS,
    bucket_entry,
    bucket_id,
)
from graph.store import Store

#: how many postings (documents of all cached keys) a process keeps: about 6 bytes each
MAX_CACHED_POSTINGS = 8_000_000
#: how many times a query reads again when the index changes while it reads
_ATTEMPTS = 3

Docs = npt.NDArray[np.uint32]
Weights = npt.NDArray[np.uint16]


@dataclass(frozen=True)
class KeyPostings:
    """The documents of one key (ascending) and their stored weights."""

    docs: Docs
    weights: Weights

    def __len__(self) -> int:
        return len(self.docs)


EMPTY = KeyPostings(np.zeros(0, np.uint32), np.zeros(0, np.uint16))


@dataclass(frozen=True)
class IndexView:
    """What a query reads of the index: its size, the label codes and the keys' postings."""

    docs: int
    labels: list[str]
    postings: dict[str, KeyPostings]

    def label_mask(self, labels: Iterable[str]) -> npt.NDArray[np.bool_] | None:
        """Per label code, whether its documents are wanted; ``None`` when every label is."""
        wanted = set(labels)
        if all(label in wanted for label in self.labels):
            return None
        mask = np.zeros(1 << LABEL_BITS, dtype=bool)
        for code, label in enumerate(self.labels):
            mask[code] = label in wanted
        return mask


def token(meta: dict[str, Any] | None) -> tuple[Any, ...]:
    """What identifies the index's state: its generation, with the counts for a store from
    before generations (a load gives a new one)."""
    found = meta or {}
    return tuple(found.get(key) for key in ("generation", "version", "docs", "nextDoc"))


def _shape(meta: dict[str, Any] | None) -> tuple[int, list[str]]:
    """The index's size (at least 1, for BM25) and label codes, as its meta node gives them."""
    found = meta or {}
    return max(1, int(found.get("docs") or 1)), list(found.get("labels") or [])


@dataclass
class PostingsCache:
    """Decoded postings of one index generation of one store, least recently used dropped first.

    Safe for concurrent queries of one event loop: each works on a snapshot of what was
    cached when it started, and stores what it decoded only for the generation it read.
    """

    max_postings: int = MAX_CACHED_POSTINGS
    generation: tuple[Any, ...] | None = None
    _keys: OrderedDict[str, KeyPostings] = field(default_factory=OrderedDict)
    _size: int = 0
    #: the index's size and label codes, as read with :attr:`generation`
    _shape: tuple[int, list[str]] | None = None

    def adopt(self, generation: tuple[Any, ...], meta: dict[str, Any] | None) -> None:
        """Hold postings of ``generation`` (read with ``meta``) from now on: those of another
        one are dropped."""
        if generation != self.generation:
            self._reset(generation, _shape(meta))

    def clear(self) -> None:
        """Hold nothing: the next query reads every bucket it needs."""
        self._reset(None, None)

    def _reset(
        self, generation: tuple[Any, ...] | None, shape: tuple[int, list[str]] | None
    ) -> None:
        self._keys.clear()
        self._size = 0
        self.generation = generation
        self._shape = shape

    def _remember(self, key: str, found: KeyPostings) -> None:
        if key in self._keys:
            self._size -= len(self._keys.pop(key))
        self._keys[key] = found
        self._size += len(found)
        while self._size > self.max_postings and len(self._keys) > 1:
            _, dropped = self._keys.popitem(last=False)
            self._size -= len(dropped)

    def held(self, keys: Iterable[str]) -> IndexView | None:
        """The postings of ``keys`` when this process holds every one of them, read from no
        statement: of the index as it was at :attr:`generation`, which the caller checks in
        the statement it sends next (``None`` when a key is missing)."""
        wanted = set(keys)
        if self._shape is None or any(key not in self._keys for key in wanted):
            return None
        for key in wanted:
            self._keys.move_to_end(key)
        docs, labels = self._shape
        return IndexView(docs, list(labels), {key: self._keys[key] for key in wanted})

    async def view(self, store: Store, keys: Iterable[str]) -> IndexView:
        """The postings of ``keys``: from this process's cache, reading only the buckets it lacks."""
        wanted = sorted(set(keys))
        every_bucket = {bucket_id(key) for key in wanted}
        for _ in range(_ATTEMPTS):
            held = self.generation
            cached = {key: self._keys[key] for key in wanted if key in self._keys}
            missing = [key for key in wanted if key not in cached]
            asked = {bucket_id(key) for key in missing}
            rows = await store.read(READ_BUCKETS, ids=sorted(asked | {META_ID}))
            meta = next((row for row in rows if row["id"] == META_ID), None)
            generation = token(meta)
            self.adopt(generation, meta)
            if generation != held:  # the index changed: what was cached is of another one
                if asked != every_bucket:
                    continue  # read every bucket of the query again, with this generation
                cached, missing = {}, wanted
            texts = {row["id"]: row["postings"] for row in rows if row["id"] != META_ID}
            result = dict(cached)
            for key in missing:
                entry = bucket_entry(texts.get(bucket_id(key)), key)
                result[key] = (
                    KeyPostings(
                        np.frombuffer(entry[0], np.uint32), np.frombuffer(entry[1], np.uint16)
                    )
                    if entry is not None
                    else EMPTY
                )
            if self.generation == generation:
                for key in wanted:
                    if key in missing:
                        self._remember(key, result[key])
                    elif key in self._keys:
                        self._keys.move_to_end(key)
            # its own meta's shape: another query may have adopted a newer one meanwhile
            return IndexView(*_shape(meta), result)
        raise RuntimeError("the search index kept changing while it was read")


_CACHES: dict[tuple[str, str], PostingsCache] = {}


def cache_for(store: Store) -> PostingsCache:
    """The postings this process has decoded from ``store`` (one cache per store and database)."""
    where = (store.endpoint.uri, store.endpoint.database)
    if where not in _CACHES:
        _CACHES[where] = PostingsCache()
    return _CACHES[where]
