"""The search index's postings as a query needs them: decoded once, then kept per process.

Reading and decoding the postings of a common word costs far more than ranking
them, so each process keeps the postings it decoded (numpy arrays) while the index
stays the same. Every index update gives the meta node a new ``generation`` token
(:func:`graph.search_index.update`); a query reads that node in the same statement
as the buckets it still lacks, so the check is one small read and a changed index
(a load, a restore, another process) is seen by the next query.
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


@dataclass
class PostingsCache:
    """Decoded postings of one index generation, least recently used dropped first."""

    max_postings: int = MAX_CACHED_POSTINGS
    generation: Any = None
    docs: int = 1
    labels: list[str] = field(default_factory=list)
    _keys: OrderedDict[str, KeyPostings] = field(default_factory=OrderedDict)
    _size: int = 0
    _fresh: bool = False

    def clear(self) -> None:
        self._keys.clear()
        self._size = 0
        self._fresh = False

    def _remember(self, key: str, found: KeyPostings) -> None:
        self._keys[key] = found
        self._size += len(found)
        while self._size > self.max_postings and len(self._keys) > 1:
            _, dropped = self._keys.popitem(last=False)
            self._size -= len(dropped)

    def _take_meta(self, row: dict[str, Any] | None) -> bool:
        """Adopt the meta node read; True when the cached postings are still those of it."""
        found = row or {}
        # the token, with the counts in case a store from before tokens is restored
        generation = tuple(found.get(k) for k in ("generation", "version", "docs", "nextDoc"))
        same = self._fresh and generation == self.generation
        if not same:
            self.clear()
            self.generation = generation
            self._fresh = True
        self.docs = max(1, int((row or {}).get("docs") or 1))
        self.labels = list((row or {}).get("labels") or [])
        return same

    async def view(self, store: Store, keys: Iterable[str]) -> IndexView:
        """The postings of ``keys``: from this process's cache, reading only the buckets it lacks."""
        wanted = sorted(set(keys))
        every_bucket = {bucket_id(key) for key in wanted}
        for _ in range(_ATTEMPTS):
            missing = [key for key in wanted if key not in self._keys]
            asked = {bucket_id(key) for key in missing}
            rows = await store.read(READ_BUCKETS, ids=sorted(asked | {META_ID}))
            meta = next((row for row in rows if row["id"] == META_ID), None)
            if not self._take_meta(meta):  # the index changed: what was cached is gone
                if asked != every_bucket:
                    continue  # read every bucket of the query again, with this generation
                missing = wanted
            result: dict[str, KeyPostings] = {}
            for key in wanted:
                if key not in missing:
                    result[key] = self._keys[key]
                    self._keys.move_to_end(key)
            texts = {row["id"]: row["postings"] for row in rows if row["id"] != META_ID}
            by_bucket: dict[str, list[str]] = {}
            for key in missing:
                by_bucket.setdefault(bucket_id(key), []).append(key)
            for bucket, bucket_keys in by_bucket.items():
                text = texts.get(bucket)
                for key in bucket_keys:
                    entry = bucket_entry(text, key)
                    result[key] = (
                        KeyPostings(
                            np.frombuffer(entry[0], np.uint32), np.frombuffer(entry[1], np.uint16)
                        )
                        if entry is not None
                        else EMPTY
                    )
                    self._remember(key, result[key])
            return IndexView(self.docs, list(self.labels), result)
        raise RuntimeError("the search index kept changing while it was read")


#: the postings this process has decoded
CACHE = PostingsCache()
