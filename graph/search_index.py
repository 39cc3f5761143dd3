"""The search index the project keeps in the graph, the same on Neo4j and on the embedded store.

An inverted index: for every *key* (a term of one language ``en:commit``, two
adjacent terms ``en:open data`` for phrases, or a whole name or code
``en=treasury board of canada secretariat``) the documents that hold it, each with
a BM25F weight (the field-weighted, length-normalised term frequency).

Why postings live in a few nodes rather than as relationships: on the embedded
store each relationship or list element a statement touches costs microseconds,
so reading the 20,000 postings of a common word took hundreds of milliseconds.
Keys are therefore hashed into :data:`BUCKETS` ``SearchIndex`` nodes whose
``postings`` property holds, per key, the document numbers and weights packed as
base64 arrays. A query reads only the buckets of its keys (one statement); a load
rewrites only the buckets its changed documents touch, in the same transaction as
the facts. Every indexed entity gets a number (``searchDoc``, indexed per label)
and keeps what it is indexed under (``searchIndexed``), so a reload that changes
nothing rewrites nothing.
"""

from __future__ import annotations

import base64
import binascii
import sys
import uuid
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, count, pairwise
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.analysis import (
    LANGUAGES,
    VERSION,
    Language,
    exact_key_of,
    index_words,
    term_tables,
)
from graph.model import ENTITY_LABELS
from graph.statements import Statement, statement
from graph.store import Transaction

#: number of bucket nodes keys are hashed into (part of the format: changing it needs a reindex)
BUCKETS = 1024
#: the label of the index's bucket nodes (not an entity: no relationships, no API type)
INDEX_LABEL = "SearchIndex"
META_ID = f"SearchIndex:{VERSION}:meta"
#: document numbers carry their label's code in their low byte
LABEL_BITS = 8
#: weights are stored as integers of this precision
WEIGHT_SCALE = 100
_CHUNK = 500
#: buckets per write statement (a bucket of the full OGP export holds about 25 KB)
_WRITE_CHUNK = 200

#: field weights: names, titles and codes above full text
FIELD_WEIGHTS: dict[str, float] = {
    "code": 4.0,
    "abbreviation": 4.0,
    "name": 3.0,
    "title": 3.0,
    "label": 3.0,
    "city": 1.5,
    "period": 1.5,
    "organization": 2.0,
    "description": 1.0,
    "fullText": 1.0,
    "progress": 1.0,
    "challenges": 1.0,
    "evidence": 0.5,
    "deadline": 0.5,
}
#: typical length (in terms) of each kind of field, for BM25's length normalisation
FIELD_LENGTHS: dict[str, float] = {
    "code": 1,
    "abbreviation": 1,
    "period": 1,
    "name": 4,
    "label": 2,
    "organization": 4,
}
_HEADING_LENGTH = 10.0
_BODY_LENGTH = 25.0
_HEADINGS = frozenset({"title", "name", "label", "city"})
#: fields whose whole value is also matched exactly, with the weight of such a match
EXACT_FIELDS: dict[str, float] = {
    "code": 1.0,
    "abbreviation": 1.0,
    "id": 1.0,
    "name": 0.9,
    "title": 0.8,
    "label": 0.8,
}
#: plain (not per-language) text properties that are searched, in both languages
NEUTRAL_FIELDS = ("code", "name", "abbreviation", "period", "organization")
#: BM25 length normalisation
B = 0.75
_MAX_EXACT_WORDS = 12


_KEY_AND_POSTINGS = methodcaller("split", "\t", 1)


def bucket_id(key: str) -> str:
    """The id of the bucket node that holds ``key``."""
    return f"SearchIndex:{VERSION}:{zlib.crc32(key.encode()) % BUCKETS:04d}"


# --- what a document is indexed under -----------------------------------------------------


def search_fields(props: dict[str, Any]) -> Iterator[tuple[str, Language, str]]:
    """(field, language, text) for every searchable text of a node."""
    for key, value in props.items():
        if not isinstance(value, str) or not value:
            continue
        if key.endswith(("_en", "_fr")):
            base, lang = key[:-3], key[-2:]
            if base.lower().endswith("url") or base.startswith("search"):
                continue
            yield base, lang, value  # type: ignore[misc]
        elif key in NEUTRAL_FIELDS:
            for lang in LANGUAGES:
                yield key, lang, value


def _length_norm(name: str, length: int) -> float:
    typical = FIELD_LENGTHS.get(name, _HEADING_LENGTH if name in _HEADINGS else _BODY_LENGTH)
    return 1 - B + B * length / typical


def document_keys(props: dict[str, Any]) -> dict[str, float]:
    """Every key a node is indexed under, with its BM25F weight (exact keys: the field's weight).

    Each text is split into words once (a neutral field's text serves both languages) and
    each distinct word becomes terms once per process (:func:`graph.analysis.term_tables`).
    A key's weight is summed one occurrence after the other, as token by token: the same
    float, so a reload compares equal to what is stored.
    """
    weights: dict[str, float] = {}
    analysed: dict[str, list[str]] = {}
    for name, lang, text in search_fields(props):
        found = analysed.get(text)
        if found is None:
            found = analysed[text] = index_words(text)
        terms_of, primary_of = term_tables(found, lang)
        primary = list(chain.from_iterable(map(primary_of.__getitem__, found)))
        norm = _length_norm(name, max(1, len(primary)))
        weight = FIELD_WEIGHTS.get(name, 1.0) / norm
        prefix = f"{lang}:"
        _add(
            weights, prefix, Counter(chain.from_iterable(map(terms_of.__getitem__, found))), weight
        )
        _add(weights, prefix, Counter(map(" ".join, pairwise(primary))), weight)
        if name in EXACT_FIELDS:
            _exact(weights, f"{lang}={exact_key_of(found)}", EXACT_FIELDS[name])
    node_id = props.get("id")
    if isinstance(node_id, str):
        for text in (node_id, node_id.split(":", 1)[-1]):
            whole = exact_key_of(index_words(text))
            for lang in LANGUAGES:
                _exact(weights, f"{lang}={whole}", EXACT_FIELDS["id"])
    rounded = {value: round(value, 2) for value in set(weights.values())}
    return dict(zip(weights, map(rounded.__getitem__, weights.values()), strict=True))


def _add(weights: dict[str, float], prefix: str, counts: Counter[str], weight: float) -> None:
    """Add ``weight`` to the key ``prefix + item`` once per occurrence of ``item``: one
    addition after the other, as token by token (``count * weight`` can differ in the last bit).

    The sums of 1, 2, 3... additions are made once, and the keys are built and looked up
    by ``map``/``zip`` in C; only keys already given a weight by an earlier field go on
    from their value one addition at a time.
    """
    if not counts:
        return
    sums = [0.0]
    for _ in range(max(counts.values())):
        sums.append(sums[-1] + weight)
    added = dict(
        zip(map(prefix.__add__, counts), map(sums.__getitem__, counts.values()), strict=True)
    )
    if weights:
        start = len(prefix)
        for key in added.keys() & weights.keys():
            value = weights[key]
            for _ in range(counts[key[start:]]):
                value += weight
            added[key] = value
    weights.update(added)


def _exact(weights: dict[str, float], key: str, weight: float) -> None:
    if key.count(" ") < _MAX_EXACT_WORDS and not key.endswith("="):
        weights[key] = max(weights.get(key, 0.0), weight)


#: the first character of a packed ``searchIndexed`` (a plain one starts with a weight)
_PACKED = "z"


def _vector(keys: dict[str, float]) -> str:
    """How a document's keys are stored on it (``searchIndexed``): one line per weight, the
    weight then its keys, tab-separated (keys hold no tab), zlib-packed and in base64 after
    :data:`_PACKED`.

    Packed, a commitment's keys take about 3 KB instead of 9 KB. On the embedded store a
    node's record is written whole each time it changes: in a big load, when it gets these
    and again at the commit (its new relationships changed it), so the bytes count twice.
    """
    by_weight: dict[float, list[str]] = defaultdict(list)
    for key, weight in keys.items():
        by_weight[weight].append(key)
    text = "\n".join(f"{weight:g}\t" + "\t".join(group) for weight, group in by_weight.items())
    return _PACKED + base64.b64encode(zlib.compress(text.encode(), 1)).decode("ascii")


def indexed_keys(vector: str) -> dict[str, float]:
    """The keys and weights a stored ``searchIndexed`` holds: packed, or as stores written
    before it was packed hold it, sorted ``weight key`` lines."""
    result: dict[str, float] = {}
    if vector.startswith(_PACKED):
        text = zlib.decompress(base64.b64decode(vector[len(_PACKED) :])).decode()
        for line in text.split("\n") if text else ():
            weight, *group = line.split("\t")
            result.update(dict.fromkeys(group, float(weight)))
        return result
    for item in vector.split("\n") if vector else ():
        weight, _, key = item.partition(" ")
        result[key] = float(weight)
    return result


@dataclass(frozen=True)
class DocumentIndex:
    """What a new document is indexed under, in the two forms a write needs: its node's
    ``searchIndexed`` and, for the buckets, its keys with their weights.

    Three flat values rather than a dictionary: a worker process
    (:mod:`graph.index_workers`) sends them back at almost no cost to the writer, where
    unpickling the full OGP export's 3.4 million keys as dictionaries took 1.3 s.
    """

    #: ``searchIndexed`` (:func:`_vector`)
    vector: str
    #: the keys, one per line, in the order of ``weights``
    keys: str
    #: the keys' weights, as float64 bytes (the exact floats: buckets round them)
    weights: bytes

    @classmethod
    def of(cls, props: dict[str, Any]) -> DocumentIndex:
        """The index of a node with properties ``props``."""
        return cls.from_keys(document_keys(props))

    @classmethod
    def from_keys(cls, keys: dict[str, float]) -> DocumentIndex:
        return cls(_vector(keys), "\n".join(keys), array("d", keys.values()).tobytes())

    def key_list(self) -> list[str]:
        return self.keys.split("\n") if self.keys else []


# --- buckets ---------------------------------------------------------------------------------


@dataclass
class Postings:
    """The documents of one key: numbers (ascending) and weights."""

    docs: array[int] = field(default_factory=lambda: array("I"))
    weights: array[int] = field(default_factory=lambda: array("H"))

    @classmethod
    def decode(cls, text: str) -> Postings:
        docs_text, _, weights_text = text.partition(",")
        docs, weights = array("I"), array("H")
        docs.frombytes(base64.b64decode(docs_text))
        weights.frombytes(base64.b64decode(weights_text))
        return cls(docs, weights)

    def encode(self) -> str:
        return (
            base64.b64encode(self.docs.tobytes()).decode()
            + ","
            + base64.b64encode(self.weights.tobytes()).decode()
        )

    def as_dict(self) -> dict[int, int]:
        return dict(zip(self.docs, self.weights, strict=True))

    @classmethod
    def from_dict(cls, entries: dict[int, int]) -> Postings:
        ordered = sorted(entries)
        return cls(array("I", ordered), array("H", (entries[d] for d in ordered)))


def bucket_entry(text: str | None, key: str) -> tuple[bytes, bytes] | None:
    """The packed document numbers and weights of ``key`` in a bucket's stored text."""
    if not text:
        return None
    start = text.find(f"\n{key}\t")
    if start < 0:
        return None
    start += len(key) + 2
    end = text.find("\n", start)
    docs_text, _, weights_text = text[start : end if end >= 0 else None].partition(",")
    return base64.b64decode(docs_text), base64.b64decode(weights_text)


def read_bucket(text: str | None, wanted: Iterable[str]) -> dict[str, Postings]:
    """The postings of the ``wanted`` keys found in a bucket's stored text."""
    found: dict[str, Postings] = {}
    for key in wanted:
        entry = bucket_entry(text, key)
        if entry is not None:
            docs, weights = array("I"), array("H")
            docs.frombytes(entry[0])
            weights.frombytes(entry[1])
            found[key] = Postings(docs, weights)
    return found


def _parse_bucket(text: str | None) -> dict[str, str]:
    """A bucket's ``\\nkey\\tpostings`` lines as a dictionary (split in C: every line has a tab)."""
    if not text:
        return {}
    return dict(map(_KEY_AND_POSTINGS, filter(None, text.split("\n"))))


def _format_bucket(entries: dict[str, str]) -> str:
    """The stored text of a bucket: its keys with postings, sorted, one ``\\nkey\\tpostings`` each."""
    kept = sorted(filter(itemgetter(1), entries.items()))
    return "\n" + "\n".join(map("\t".join, kept)) if kept else ""


# --- statements ---------------------------------------------------------------------------------

READ_BUCKETS = statement(
    "search.read_index",
    "MATCH (b:SearchIndex) WHERE b.id IN $ids "
    "RETURN b.id AS id, b.postings AS postings, b.docs AS docs, b.nextDoc AS nextDoc, "
    "b.labels AS labels, b.version AS version, b.generation AS generation",
)
_CREATE_BUCKETS = statement(
    "search.create_buckets",
    "UNWIND $rows AS row CREATE (b:SearchIndex {id: row.id}) SET b.postings = row.postings "
    "RETURN count(b) AS n",
)
_UPDATE_BUCKETS = statement(
    "search.update_buckets",
    "UNWIND $rows AS row MATCH (b:SearchIndex {id: row.id}) SET b.postings = row.postings "
    "RETURN count(b) AS n",
)
_SET_META = statement(
    "search.set_meta",
    "MERGE (m:SearchIndex {id: $id}) SET m.docs = $docs, m.nextDoc = $nextDoc, "
    "m.labels = $labels, m.version = $version, m.generation = $generation RETURN m.id AS id",
)


@cache
def _read_documents(label: str) -> Statement:
    return statement(
        f"search.read_documents[{label}]",
        f"MATCH (n:{label}) WHERE n.id IN $ids RETURN properties(n) AS props",
    )


#: how many nodes of each indexed label the store holds (one row per label)
COUNT_ENTITIES = statement(
    "search.count_entities",
    " UNION ALL ".join(f"MATCH (n:{label}) RETURN count(n) AS n" for label in ENTITY_LABELS),
)


@cache
def _all_ids(label: str) -> Statement:
    return statement(f"search.all_ids[{label}]", f"MATCH (n:{label}) RETURN n.id AS id")


@cache
def _mark_documents(label: str) -> Statement:
    return statement(
        f"search.mark_documents[{label}]",
        f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) "
        "SET n.searchDoc = row.doc, n.searchIndexed = row.keys RETURN count(n) AS n",
    )


def schema_statements() -> list[Statement]:
    """The unique bucket id and, per entity label, the index on document numbers."""
    result = [
        statement(
            "search.schema.bucket_id",
            "CREATE CONSTRAINT search_index_id IF NOT EXISTS "
            "FOR (b:SearchIndex) REQUIRE b.id IS UNIQUE",
        )
    ]
    result += [
        statement(
            f"search.schema.doc[{label}]",
            f"CREATE INDEX search_doc_{label.lower()} IF NOT EXISTS FOR (n:{label}) ON (n.searchDoc)",
        )
        for label in ENTITY_LABELS
    ]
    return result


def lintable_statements() -> Iterator[Statement]:
    """Every statement of the index's upkeep."""
    yield from schema_statements()
    yield READ_BUCKETS
    yield _CREATE_BUCKETS
    yield _UPDATE_BUCKETS
    yield Statement(
        _SET_META.name,
        _SET_META.cypher,
        {
            "id": "SearchIndex:lint",
            "docs": 0,
            "nextDoc": 0,
            "labels": [],
            "version": "0",
            "generation": "0",
        },
    )
    for label in ENTITY_LABELS:
        yield _read_documents(label)
        yield _all_ids(label)
        yield _mark_documents(label)


# --- upkeep (called by the writer) -------------------------------------------------------------


@dataclass
class Meta:
    """How many documents are indexed, the next document number, the label codes."""

    docs: int = 0
    next_doc: int = 1
    labels: list[str] = field(default_factory=list)

    def code(self, label: str) -> int:
        if label not in self.labels:
            self.labels.append(label)
        return self.labels.index(label)


def _meta(row: dict[str, Any] | None) -> Meta:
    if not row or row.get("version") != VERSION:
        return Meta()
    return Meta(row.get("docs") or 0, row.get("nextDoc") or 1, list(row.get("labels") or []))


async def _has_entities(tx: Transaction) -> bool:
    """Whether the store holds any node of an indexed label."""
    return any(row["n"] for row in await tx.run(COUNT_ENTITIES))


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


#: ``(docs, stored weights)`` of the documents a write adds to one key, docs ascending
Added = tuple["npt.NDArray[np.uint32]", "npt.NDArray[np.uint16]"]


class AddedPostings(Mapping[str, Added]):
    """Per key, the new documents that hold it (ascending) and their stored weights: slices
    of two arrays sorted by key, cut when a key is asked for. (A load adds some 150,000
    keys: a dictionary of them all took 0.2 s, at the very end of the load.)"""

    def __init__(
        self,
        codes: dict[str, int],
        docs: npt.NDArray[np.uint32],
        stored: npt.NDArray[np.uint16],
        ends: list[int],
    ) -> None:
        self._codes, self._docs, self._stored, self._ends = codes, docs, stored, ends

    def __getitem__(self, key: str) -> Added:
        if key not in self._codes:  # ``codes`` may be a defaultdict: never add to it
            raise KeyError(key)
        code = self._codes[key]
        start, end = self._ends[code - 1] if code else 0, self._ends[code]
        return self._docs[start:end], self._stored[start:end]

    def __contains__(self, key: object) -> bool:
        return key in self._codes

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


@dataclass
class NewPostings:
    """The postings of the documents a write adds (numbered after every stored one).

    A load adds millions of postings. :meth:`add` turns each document's keys into integer
    codes as it comes (the writer adds them while the index workers still work);
    :meth:`grouped` then sorts them all at once with numpy.
    """

    #: key -> its code, in the order keys were first seen
    codes: defaultdict[str, int] = field(default_factory=lambda: defaultdict(count().__next__))
    docs: list[int] = field(default_factory=list)
    _codes: list[npt.NDArray[np.int64]] = field(default_factory=list)
    _weights: list[bytes] = field(default_factory=list)

    def add(self, doc: int, index: DocumentIndex) -> None:
        """Note a new document and what it is indexed under."""
        keys = index.key_list()
        self.docs.append(doc)
        self._codes.append(np.fromiter(map(self.codes.__getitem__, keys), np.int64, len(keys)))
        self._weights.append(index.weights)

    def grouped(self) -> Mapping[str, Added]:
        """Per key, the new documents that hold it (ascending) and their stored weights."""
        sizes = list(map(len, self._codes))
        if not sum(sizes):
            return {}
        codes = np.concatenate(self._codes)
        weights = np.frombuffer(b"".join(self._weights), np.float64)
        docs = np.repeat(np.array(self.docs, np.uint32), sizes)
        order = np.lexsort((docs, codes))
        ends = np.cumsum(np.bincount(codes, minlength=len(self.codes))).tolist()
        return AddedPostings(self.codes, docs[order], _stored_weights(weights[order]), ends)


@dataclass
class IndexUpdate:
    """The index's upkeep for one write, in the writer's transaction.

    :meth:`document` is given each node the write creates or whose facts it changes, with
    every property the node will hold: it returns the ``searchDoc`` and ``searchIndexed``
    to store with the node in the same statement (nothing is read back or written twice);
    :meth:`new_document` numbers a new node whose index worker processes made
    (:mod:`graph.index_workers`). :meth:`finish` then rewrites the buckets those documents
    touch and the meta node. An index that is empty or of another analyser version while
    the store holds entities is rebuilt from the store instead, every entity read back (after an upgrade, or a store
    written without the index); in a new store, the first write indexes as any other.
    """

    meta: Meta
    #: the index is rebuilt in :meth:`finish`: :meth:`document` only notes the ids
    fresh: bool
    #: doc number -> (old keys, new keys) of the stored documents that change or go
    changes: dict[int, tuple[dict[str, float], dict[str, float]]] = field(default_factory=dict)
    #: label -> ids of the nodes written, for a rebuild
    written: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: the new documents and their postings
    added: NewPostings = field(default_factory=NewPostings)

    @classmethod
    async def begin(cls, tx: Transaction) -> IndexUpdate:
        """Read the index's meta node (the next document number, the label codes).

        An empty index is rebuilt only if the store has entities: in a new store, the
        first write indexes its nodes as any other write does (each in the row that
        writes it, the keys of many made by worker processes), reading nothing back.
        """
        meta = _meta(next(iter(await tx.run(READ_BUCKETS, ids=[META_ID])), None))
        return cls(meta, fresh=meta.docs == 0 and await _has_entities(tx))

    def document(
        self,
        label: str,
        props: dict[str, Any],
        stored: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """The index's properties to write with one node; ``{}`` when they stay as they are.

        ``props``: everything the node holds after the write; ``stored``: what it held
        before (``None`` for a new node). Call in the order of the nodes' ids within
        each label, so that new documents are numbered as a rebuild would number them
        (ties rank the same on every store); :meth:`new_document` for a new node whose
        index is made already.
        """
        if label not in ENTITY_LABELS:
            return {}
        if self.fresh:
            self.written[label].append(str(props["id"]))
            return {}
        indexed = stored.get("searchIndexed") if stored else None
        doc = stored.get("searchDoc") if stored else None
        if indexed is None or doc is None:
            return self.new_document(label, DocumentIndex.of(props))
        new = document_keys(props)
        old = indexed_keys(indexed)
        if old == new:
            return {}
        self.changes[doc] = (old, new)
        return {"searchDoc": doc, "searchIndexed": _vector(new)}

    def new_document(self, label: str, index: DocumentIndex) -> dict[str, Any]:
        """Number a document the index does not hold yet (``label`` indexed, the index
        not rebuilt by :meth:`finish`); the properties to write with its node."""
        doc = self._number(label)
        self.added.add(doc, index)
        return {"searchDoc": doc, "searchIndexed": index.vector}

    def _number(self, label: str) -> int:
        doc = (self.meta.next_doc << LABEL_BITS) | self.meta.code(label)
        self.meta.next_doc += 1
        self.meta.docs += 1
        return doc

    def plan(self, removed: Iterable[tuple[int, str | None]] = ()) -> BucketPlan | None:
        """What each changed key's postings gain and lose, grouped by bucket (Python only,
        no store: the writer runs it on its worker thread while the store writes the
        relationships). Call once, after the last :meth:`document` or :meth:`new_document`;
        ``None`` for an index that :meth:`finish` rebuilds (planned there, after the rebuild).

        ``removed``: ``(searchDoc, searchIndexed)`` of the nodes the transaction deleted,
        whose postings go too (else they would count as matches that no page can show).
        """
        if self.fresh:
            return None
        for doc, indexed in removed:
            if doc is not None and int(doc) not in self.changes:
                self.changes[int(doc)] = (indexed_keys(indexed or ""), {})
                self.meta.docs = max(1, self.meta.docs - 1)
        return BucketPlan.of(self.changes, self.added)

    async def finish(
        self,
        tx: Transaction,
        removed: Iterable[tuple[int, str | None]] = (),
        *,
        plan: BucketPlan | None = None,
        prepare: Prepare | None = None,
    ) -> int:
        """Write the buckets and the meta node; returns how many documents changed.

        ``removed``: as for :meth:`plan`, unless ``plan`` (its result) is given.
        ``prepare``: runs the buckets' new texts off the event loop (the writer's worker),
        each batch while the store writes the previous one.
        """
        if self.fresh:
            await self._rebuild(tx)
            plan = BucketPlan.of(self.changes, self.added)
        elif plan is None:
            plan = self.plan(removed)
        if not (self.changes or self.added.docs) or plan is None:
            return 0
        await _write_buckets(tx, plan, prepare or _inline)
        await tx.run(
            _SET_META,
            id=META_ID,
            docs=self.meta.docs,
            nextDoc=self.meta.next_doc,
            labels=self.meta.labels,
            version=VERSION,
            # a new token at every change: processes that cached postings see them stale
            generation=uuid.uuid4().hex,
        )
        return len(self.changes) + len(self.added.docs)

    async def _rebuild(self, tx: Transaction) -> None:
        """Number and mark every entity of the store, reading each back."""
        for label in ENTITY_LABELS:
            ids = self.written.get(label, []) + [row["id"] for row in await tx.run(_all_ids(label))]
            marks: list[dict[str, Any]] = []
            # new documents are numbered in the order of their ids, whatever order the
            # store returns rows in: ties rank the same on every store
            for chunk in _chunks(sorted(set(ids))):
                found = await tx.run(_read_documents(label), ids=chunk)
                for row in sorted(found, key=lambda row: str(row["props"]["id"])):
                    props = row["props"]
                    made = self.new_document(label, DocumentIndex.of(props))
                    marks.append(
                        {"id": props["id"], "doc": made["searchDoc"], "keys": made["searchIndexed"]}
                    )
            for chunk in _chunks(marks):
                await tx.run(_mark_documents(label), rows=chunk)


def _apply(postings: Postings, deltas: dict[int, int | None]) -> Postings:
    """``postings`` with the new weights (``None``: the document no longer holds the key)."""
    last = postings.docs[-1] if postings.docs else -1
    if all(weight is not None for weight in deltas.values()) and min(deltas) > last:
        # the common case of a load: new documents, numbered after every stored one
        docs = sorted(deltas)
        postings.docs.extend(docs)
        postings.weights.extend(map(deltas.__getitem__, docs))  # type: ignore[arg-type]
        return postings
    entries = postings.as_dict()
    for doc, weight in deltas.items():
        if weight is None:
            entries.pop(doc, None)
        else:
            entries[doc] = weight
    return Postings.from_dict(entries)


def _stored_weights(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.uint16]:
    """Weights as the buckets hold them: ``min(65535, round(weight * WEIGHT_SCALE))``
    (``rint`` rounds halves to even, as ``round`` does)."""
    return np.minimum(np.rint(weights * WEIGHT_SCALE), 65535).astype(np.uint16)


def _deltas(
    changes: dict[int, tuple[dict[str, float], dict[str, float]]],
) -> dict[str, dict[int, int | None]]:
    """Per key, the documents whose weight changes (``None``: it no longer holds the key)."""
    deltas: dict[str, dict[int, int | None]] = defaultdict(dict)
    for doc, (old, new) in changes.items():
        for key in old.keys() - new.keys():
            deltas[key][doc] = None
        stored = {weight: min(65535, round(weight * WEIGHT_SCALE)) for weight in set(new.values())}
        for key, weight in new.items():
            deltas[key][doc] = stored[weight]
    return deltas


def _appended(
    text: str | None, docs: npt.NDArray[np.uint32], weights: npt.NDArray[np.uint16]
) -> str:
    """A key's stored postings with ``docs`` added after them (each after every stored one)."""
    docs_text, _, weights_text = text.partition(",") if text else ("", "", "")
    return (
        _b64_appended(docs_text, docs.tobytes())
        + ","
        + _b64_appended(weights_text, weights.tobytes())
    )


def _b64_appended(text: str, extra: bytes) -> str:
    """``b64encode(b64decode(text) + extra)``, the same text, decoding only ``text``'s last
    group: base64 encodes each 3 bytes apart, and only a padded last group (``=``) holds
    fewer than 3."""
    cut = len(text) - 4 if text.endswith("=") else len(text)
    return text[:cut] + binascii.b2a_base64(
        binascii.a2b_base64(text[cut:]) + extra, newline=False
    ).decode("ascii")


def _last_doc(text: str | None) -> int:
    """The highest document number in a key's stored postings (-1 for none).

    Decodes the last two groups of the numbers' base64 only: 4 to 6 bytes, the last
    number's 4 among them (numbers take 4 bytes, so a stored text has 8 characters or more).
    """
    docs_text = text.partition(",")[0] if text else ""
    if not docs_text:
        return -1
    return int.from_bytes(binascii.a2b_base64(docs_text[-8:])[-4:], sys.byteorder)


@dataclass
class BucketPlan:
    """What a write changes in the buckets, before any of them is read."""

    #: per key, the new documents that hold it (ascending) and their stored weights
    additions: Mapping[str, Added]
    #: per key, the other documents whose weight changes (``None``: key no longer held)
    deltas: dict[str, dict[int, int | None]]
    #: bucket id -> its keys that change
    by_bucket: dict[str, list[str]]

    @classmethod
    def of(
        cls,
        changes: dict[int, tuple[dict[str, float], dict[str, float]]],
        added: NewPostings,
    ) -> BucketPlan:
        """New documents (no keys before) are appended to their keys' postings from numpy
        arrays; changed and removed ones are merged key by key."""
        additions = added.grouped()
        deltas = _deltas(changes)
        by_bucket: dict[str, list[str]] = defaultdict(list)
        for key in chain(additions, deltas.keys() - additions.keys()):
            by_bucket[bucket_id(key)].append(key)
        return cls(additions, deltas, by_bucket)

    def rows(
        self, buckets: list[str], texts: dict[str, str | None]
    ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """The new texts of ``buckets`` (``texts``: those stored), as rows of the create
        and the update statements."""
        created: list[dict[str, str]] = []
        updated: list[dict[str, str]] = []
        for bucket in buckets:
            entries = _parse_bucket(texts.get(bucket))
            for key in self.by_bucket[bucket]:
                entries[key] = _key_postings(
                    entries.get(key), self.deltas.get(key), self.additions.get(key)
                )
            row = {"id": bucket, "postings": _format_bucket(entries)}
            (updated if bucket in texts else created).append(row)
        return created, updated


#: runs a function with its arguments off the event loop (or not) and gives its result
Prepare = Callable[..., Awaitable[Any]]


async def _inline(job: Callable[..., Any], *args: Any) -> Any:
    return job(*args)


async def _write_buckets(tx: Transaction, plan: BucketPlan, prepare: Prepare) -> None:
    """Rewrite the buckets of every key whose documents or weights change, batch by batch:
    a batch's texts are made (``prepare``) while the store reads the next batch and writes
    the previous one."""
    pending: Awaitable[tuple[list[dict[str, str]], list[dict[str, str]]]] | None = None
    for chunk in _chunks(sorted(plan.by_bucket), _WRITE_CHUNK):
        texts = {row["id"]: row["postings"] for row in await tx.run(READ_BUCKETS, ids=chunk)}
        made = prepare(plan.rows, chunk, texts)
        if pending is not None:
            await _store_buckets(tx, *await pending)
        pending = made
    if pending is not None:
        await _store_buckets(tx, *await pending)


async def _store_buckets(
    tx: Transaction, created: list[dict[str, str]], updated: list[dict[str, str]]
) -> None:
    if created:
        await tx.run(_CREATE_BUCKETS, rows=created)
    if updated:
        await tx.run(_UPDATE_BUCKETS, rows=updated)


def _key_postings(
    text: str | None, deltas: dict[int, int | None] | None, added: Added | None
) -> str:
    """A key's new stored postings (``""``: no document holds it any more)."""
    if deltas is None and added is not None and int(added[0][0]) > _last_doc(text):
        return _appended(text, *added)  # the common case of a load: only new documents
    postings = Postings.decode(text) if text else Postings()
    merged = dict(deltas or {})
    if added is not None:
        merged.update(zip(added[0].tolist(), added[1].tolist(), strict=True))
    changed = _apply(postings, merged)
    return changed.encode() if changed.docs else ""
