"""Merge a :class:`~graph.document.GraphDocument` into the store, all or nothing.

Nodes are merged on their ``id``, relationships on their two ends, so loading
the same document twice changes nothing. The whole document is written in one
transaction: an error half-way leaves the store as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from graph import index_workers, search_index
from graph.derived import derived_properties, new_node_properties
from graph.document import GraphDocument, NodeRecord, RelRecord
from graph.errors import StoreRejected
from graph.model import ENTITY_LABELS, LABELS, RELATIONS, SINGLE_START, Relation, relation
from graph.statements import Statement, statement
from graph.store import Store, Transaction

BATCH = 1000
#: about how many bytes of properties one statement carries at most: Bolt messages have a
#: limit (16 MiB on the embedded store) and long texts with their index keys reach it
BATCH_BYTES = 2_000_000
#: bumped when the derived properties change, so that stored sources are written again
FORMAT = "3"
#: properties the writer sets on every write; with those of derived_text, not facts
_BOOKKEEPING = frozenset({"loadedAt", "sources"})
#: make the rows on a worker thread while the store runs the previous statement; off, on the
#: event loop's thread in between (the same statements and data: for a profile of one thread)
OVERLAP = True

ProgressCallback = Callable[[int, int], None]
T = TypeVar("T")


@dataclass
class WriteReport:
    """What a load changed (or, for a dry run, would change)."""

    document: str
    version: str
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    relationships_created: int = 0
    relationships_existing: int = 0
    dry_run: bool = False
    #: source rows the merge rules left out, by reason (set by the loader)
    skipped: dict[str, int] = field(default_factory=dict)
    #: nodes a newer source replaced (e.g. the 2016 Explorer's commitments of a plan
    #: that OGP's current data describes), by what they were
    removed: dict[str, int] = field(default_factory=dict)
    #: what the loader wants the user to know (e.g. an institution it could not match)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and the command line."""
        verb = "would create" if self.dry_run else "created"
        text = (
            f"{self.document} {self.version}: {verb} {sum(self.created.values())} nodes, "
            f"updated {sum(self.updated.values())}, unchanged {sum(self.unchanged.values())}; "
            f"relationships: {self.relationships_created} new, "
            f"{self.relationships_existing} already there"
        )
        for what, count in self.removed.items():
            text += f"; {'would remove' if self.dry_run else 'removed'} {count} {what}"
        for reason, count in self.skipped.items():
            text += f"; skipped {count} rows ({reason})"
        if self.warnings:
            text += f"; {len(self.warnings)} warnings"
        return text


@dataclass(frozen=True)
class Removal:
    """Nodes a document replaces, deleted in its transaction before it is written.

    ``statement`` takes the parameters ``params`` and returns ``n``, how many it removed,
    and may return ``gone``: ``[searchDoc, searchIndexed]`` of each, which the search index
    then forgets.
    """

    what: str
    statement: Statement
    params: dict[str, Any]


# --- statements -------------------------------------------------------------
#
# Nodes are found once by their indexed ``id``; every later statement of the write
# reaches them by ``elementId`` (valid for the transaction, a record lookup on the
# embedded store). Relationship rows are ``[start elementId, end elementId]`` lists,
# with the properties third where the type has some.


@cache
def _existing_nodes(label: str) -> Statement:
    return statement(
        f"writer.existing_nodes[{label}]",
        f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) "
        "RETURN n.id AS id, elementId(n) AS eid, properties(n) AS props",
    )


@cache
def _node_handles(label: str) -> Statement:
    """The element ids of stored nodes a write links to without describing them."""
    return statement(
        f"writer.node_handles[{label}]",
        f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id, elementId(n) AS eid",
    )


@cache
def _create_nodes(label: str) -> Statement:
    """For nodes the store does not have (looked up in the same transaction)."""
    return statement(
        f"writer.create_nodes[{label}]",
        f"UNWIND $rows AS row CREATE (n:{label}) "
        "SET n = row.props, n.loadedAt = $loadedAt, n.sources = [row.source] "
        "RETURN row.props.id AS id, elementId(n) AS eid",
    )


@cache
def _update_nodes(label: str) -> Statement:
    return statement(
        f"writer.update_nodes[{label}]",
        f"UNWIND $rows AS row MATCH (n:{label}) WHERE elementId(n) = row.eid "
        "SET n += row.props, n.loadedAt = $loadedAt, "
        "n.sources = CASE WHEN row.source IN coalesce(n.sources, []) THEN n.sources "
        "ELSE coalesce(n.sources, []) + row.source END "
        "RETURN count(n) AS n",
    )


@cache
def _set_index(label: str) -> Statement:
    """The search index properties of nodes created earlier in the write."""
    return statement(
        f"writer.set_index[{label}]",
        f"UNWIND $rows AS row MATCH (n:{label}) WHERE elementId(n) = row.eid "
        "SET n += row.props RETURN count(n) AS n",
    )


def _ends(rel: Relation) -> str:
    return (
        f"UNWIND $rows AS row MATCH (a:{rel.start}) WHERE elementId(a) = row[0] "
        f"MATCH (b:{rel.end}) WHERE elementId(b) = row[1] "
    )


def _found(rel: Relation) -> str:
    """Each row's stored relationship ``r`` from ``a`` to ``b``, if any. Looked for from the
    end that has fewer of them: a country has hundreds of institutions, an institution one
    country (:data:`graph.model.SINGLE_START`)."""
    if rel in SINGLE_START:
        return (
            f"UNWIND $rows AS row MATCH (b:{rel.end}) WHERE elementId(b) = row[1] "
            f"MATCH (a:{rel.start})-[r:{rel.type}]->(b) WHERE elementId(a) = row[0] "
        )
    return (
        f"UNWIND $rows AS row MATCH (a:{rel.start}) WHERE elementId(a) = row[0] "
        f"MATCH (a)-[r:{rel.type}]->(b:{rel.end}) WHERE elementId(b) = row[1] "
    )


@cache
def _existing_relationships(rel: Relation) -> Statement:
    """The rows (``[start, end]`` element ids) whose relationship is stored."""
    return statement(
        f"writer.existing_relationships[{rel.start}-{rel.type}-{rel.end}]",
        _found(rel) + "RETURN DISTINCT row[0] AS start, row[1] AS end",
    )


@cache
def _drop_other_relationships(rel: Relation) -> Statement:
    return statement(
        f"writer.replace_relationships[{rel.start}-{rel.type}-{rel.end}]",
        f"UNWIND $rows AS row MATCH (a:{rel.start}) WHERE elementId(a) = row[0] "
        f"MATCH (a)-[r:{rel.type}]->(b:{rel.end}) WHERE elementId(b) <> row[1] DELETE r",
    )


@cache
def _set_relationship_properties(rel: Relation) -> Statement:
    """The properties (third) of stored relationships, given again by a write."""
    return statement(
        f"writer.set_relationship_properties[{rel.start}-{rel.type}-{rel.end}]",
        _found(rel) + "SET r += row[2] RETURN count(r) AS n",
    )


@cache
def _create_relationships(rel: Relation, with_properties: bool) -> Statement:
    """For relationships from or to a node this write creates: none can exist yet."""
    if with_properties:
        return statement(
            f"writer.create_relationships_with_properties[{rel.start}-{rel.type}-{rel.end}]",
            _ends(rel) + f"CREATE (a)-[r:{rel.type}]->(b) SET r = row[2] RETURN count(r) AS n",
        )
    return statement(
        f"writer.create_relationships[{rel.start}-{rel.type}-{rel.end}]",
        _ends(rel) + f"CREATE (a)-[r:{rel.type}]->(b) RETURN count(r) AS n",
    )


_MARK_DATASET = statement(
    "writer.mark_dataset",
    "MERGE (d:Dataset {id: $id}) SET d.name = $name, d.version = $version, "
    "d.loadedAt = $loadedAt RETURN d.id AS id",
)
_DATASET_VERSION = statement(
    "writer.dataset_version",
    "MATCH (d:Dataset {id: $id}) RETURN d.version AS version",
)


def lintable_statements() -> Iterator[Statement]:
    """Every statement the writer can build."""
    for label in LABELS:
        yield _existing_nodes(label)
        yield _node_handles(label)
        yield _create_nodes(label)
        yield _update_nodes(label)
    for label in ENTITY_LABELS:
        yield _set_index(label)
    for rel in RELATIONS:
        yield _existing_relationships(rel)
        yield _drop_other_relationships(rel)
        yield _set_relationship_properties(rel)
        yield _create_relationships(rel, with_properties=False)
        yield _create_relationships(rel, with_properties=True)
    yield _MARK_DATASET
    yield _DATASET_VERSION


def _facts(props: dict[str, Any]) -> dict[str, Any]:
    """The properties that state facts: not bookkeeping, not derived from other properties."""
    derived = derived_properties(props)
    return {
        k: v
        for k, v in props.items()
        if k not in _BOOKKEEPING and k not in derived and v is not None
    }


# --- the write --------------------------------------------------------------


def dataset_id(name: str) -> str:
    """The id of the bookkeeping node that records which version of a source is loaded."""
    return f"Dataset:{name}"


def stored_version(doc: GraphDocument) -> str:
    """The version recorded for ``doc``: its own and the writer's format."""
    return f"{doc.version}/format-{FORMAT}"


async def loaded_version(store: Store, name: str) -> str | None:
    """The version recorded for document ``name`` in the store, if any."""
    rows = await store.read(_DATASET_VERSION, id=dataset_id(name))
    return rows[0]["version"] if rows else None


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _size(value: Any) -> int:
    """About how many bytes ``value`` takes in a statement's parameters."""
    if isinstance(value, str):
        return len(value) + 8
    if isinstance(value, dict):
        return sum(len(k) + _size(v) for k, v in value.items()) + 8
    if isinstance(value, list | tuple):
        return sum(_size(v) for v in value) + 8
    return 9


def _sized(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """``rows`` in runs of at most :data:`BATCH_BYTES` (one row at least)."""
    run: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        row_size = _size(row)
        if run and size + row_size > BATCH_BYTES:
            yield run
            run, size = [], 0
        run.append(row)
        size += row_size
    if run:
        yield run


def _group_nodes(nodes: Iterable[NodeRecord]) -> dict[str, list[NodeRecord]]:
    grouped: dict[str, dict[str, NodeRecord]] = defaultdict(dict)
    for node in nodes:
        seen = grouped[node.label].get(node.id)
        if seen is None:
            grouped[node.label][node.id] = node
        else:  # one document describing a node twice: later facts complete earlier ones
            seen.properties.update(node.properties)
            seen.defaults.update(node.defaults)
    # in the order of their ids: the search index numbers new documents in that order
    return {label: [by_id[i] for i in sorted(by_id)] for label, by_id in grouped.items()}


#: the model's relations, looked up once per (start, type, end) (a dataclass per link is slow)
_relation = cache(relation)


def _group_relationships(rels: Iterable[RelRecord]) -> dict[tuple[Relation, bool], list[RelRecord]]:
    grouped: dict[tuple[Relation, bool], dict[tuple[str, str], RelRecord]] = defaultdict(dict)
    for rel in rels:
        key = (_relation(rel.start_label, rel.type, rel.end_label), rel.replace)
        grouped[key][(rel.start_id, rel.end_id)] = rel
    return {key: list(by_ends.values()) for key, by_ends in grouped.items()}


async def write_document(
    store: Store,
    doc: GraphDocument,
    *,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    removals: tuple[Removal, ...] = (),
) -> WriteReport:
    """Merge ``doc`` into the store in one transaction (or only report, with ``dry_run``).

    ``removals`` run first in the same transaction: what they delete and what ``doc``
    writes are committed together or not at all.
    """
    report = WriteReport(doc.name, doc.version, dry_run=dry_run)
    nodes = _group_nodes(doc.nodes)
    rels = _group_relationships(doc.relationships)
    total = sum(len(v) for v in nodes.values()) + sum(len(v) for v in rels.values())
    loaded_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    async def work(tx: Transaction) -> WriteReport:
        gone: list[tuple[int, str | None]] = []  # search documents of removed nodes
        for removal in removals:
            result = (await tx.run(removal.statement, **removal.params))[0]
            removed = result["n"]
            gone += [(pair[0], pair[1]) for pair in result.get("gone") or ()]
            if removed:
                report.removed[removal.what] = report.removed.get(removal.what, 0) + removed
        # the search index's upkeep, in the same transaction as the facts: each node
        # created or changed gets its index properties in the statement that writes it, but
        # the many new nodes of a big write, which worker processes index meanwhile: theirs
        # are set after the relationships (writer.set_index)
        index = None if dry_run else await search_index.IndexUpdate.begin(tx)
        state = _WriteState()
        # many new nodes: worker processes make their indexes meanwhile
        workers = None if index is None or index.fresh else await _index_workers(tx, nodes)
        async with _Preparer() as prepare:
            try:
                await _write_nodes(
                    tx, nodes, report, state, index, prepare, dry_run, loaded_at, advance, workers
                )
                await _find_ends(tx, rels, state)
                # the buckets' new postings are grouped while the relationships are written
                planned: list[asyncio.Future[search_index.BucketPlan | None]] = []
                deferred = None
                if index is not None and workers is not None:
                    deferred = prepare.aside(_deferred_index, index, workers, state, gone)

                def plan_buckets() -> None:
                    if index is not None and deferred is None:
                        planned.append(prepare(index.plan, gone))

                await _write_all_links(
                    tx, rels, state, report, prepare, dry_run, doc.name, advance, plan_buckets
                )
                if index is not None:
                    # the buckets of the keys of the nodes created or changed (and removed)
                    if deferred is not None:
                        set_rows, plan = await deferred
                        for label, chunks in set_rows:
                            for chunk in chunks:
                                await tx.run(_set_index(label), rows=chunk)
                    else:
                        plan = await planned[0] if planned else index.plan(gone)
                    await index.finish(tx, plan=plan, prepare=prepare)
            finally:
                # before the preparer waits for its jobs: after an error, the jobs not
                # started never run and the thread taking their results stops soon
                if workers is not None:
                    workers.cancel()
        if index is not None:
            await tx.run(
                _MARK_DATASET,
                id=dataset_id(doc.name),
                name=doc.name,
                version=stored_version(doc),
                loadedAt=loaded_at,
            )
        return report

    if dry_run:
        # reads only; the transaction is rolled back so nothing can be written
        async def rolled_back(tx: Transaction) -> WriteReport:
            await work(tx)
            raise _DryRunDone

        with contextlib.suppress(_DryRunDone):
            await store.write_all(rolled_back, f"dry run of {doc.name}")
        return report
    with cyclic_gc_paused():
        return await store.write_all(work, f"load of {doc.name}")


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a write (reference counting still frees).

    On the embedded store, JPype runs a full Python collection on every Java collection
    that follows a Python one, holding the GIL (its "Python Reference Queue" thread), and
    may ask the JVM for a full collection after a Python one that saw memory grow. A load
    allocates millions of objects, so the two kept triggering each other: 12-18 s of CPU
    for the full OGP export. Loads make no cyclic garbage to speak of. Nested uses leave
    the collector as the outermost found it: a whole load (reading its sources, then every
    document's write) can be one pause, so that no full collection runs in between.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _DryRunDone(Exception):
    """Ends a dry run's transaction by rolling it back."""


@dataclass
class _WriteState:
    """What one write has learnt about the nodes it touches."""

    #: node id -> element id, for every node of the write found or created in the store
    handles: dict[str, str] = field(default_factory=dict)
    #: nodes this write creates: their relationships are new, nothing to look up
    created: set[str] = field(default_factory=set)
    #: (label, id) of new nodes whose index worker processes make: their index
    #: properties are set after the relationships (:func:`_deferred_index`)
    deferred: list[tuple[str, str]] = field(default_factory=list)


class _Preparer:
    """Runs the writer's Python work (rows, index keys, buckets) on one worker thread, so
    that it overlaps the statements the store runs meanwhile.

    The store works on its own (another thread of the embedded store's JVM, or another
    server) while the event loop waits for its answer: the next statement's rows are made
    then, instead of after it. Jobs run one after the other in the order they are given
    (new index documents are numbered in the order of their ids); the event loop's thread
    only sends statements and reads their answers. :meth:`aside` runs a job that waits on
    the index workers on a thread of its own. Leaving waits for every job, so none
    outlives the transaction, whatever went wrong.
    """

    async def __aenter__(self) -> _Preparer:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ogp-writer")
        self._aside: ThreadPoolExecutor | None = None
        self._jobs: list[asyncio.Future[Any]] = []
        return self

    def __call__(self, job: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Start ``job(*args)`` after the jobs given before; await the result when needed."""
        if not OVERLAP:
            done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
            try:
                done.set_result(job(*args))
            except Exception as exc:
                done.set_exception(exc)
            self._jobs.append(done)
            return done
        future = asyncio.get_running_loop().run_in_executor(self._pool, job, *args)
        self._jobs.append(future)
        return future

    def aside(self, job: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Start ``job(*args)`` on a thread of its own, beside the jobs in order: for one
        that waits (on worker processes) and must not hold them up."""
        if not OVERLAP:
            return self(job, *args)
        if self._aside is None:
            self._aside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ogp-aside")
        future = asyncio.get_running_loop().run_in_executor(self._aside, job, *args)
        self._jobs.append(future)
        return future

    async def __aexit__(self, *exc: object) -> None:
        try:
            # jobs still running after an error: their own errors are not the one to report
            await asyncio.gather(*self._jobs, return_exceptions=True)
        finally:
            self._pool.shutdown(wait=False)
            if self._aside is not None:
                self._aside.shutdown(wait=False)


async def _write_nodes(
    tx: Transaction,
    nodes: dict[str, list[NodeRecord]],
    report: WriteReport,
    state: _WriteState,
    index: search_index.IndexUpdate | None,
    prepare: _Preparer,
    dry_run: bool,
    loaded_at: str,
    advance: Callable[[int], None],
    workers: index_workers.NewIndexes | None = None,
) -> None:
    """Every node, per label and batch: the next batch's rows are made while the store
    writes the previous one.

    The stored nodes of a batch are looked up before the previous batch is written: a
    batch's ids are none of another's of the same label, and a lookup only sees its label.
    """
    batches = [(label, batch) for label, records in nodes.items() for batch in _batches(records)]

    async def lookup(label: str, batch: list[NodeRecord]) -> dict[str, dict[str, Any]]:
        found = await tx.run(_existing_nodes(label), ids=[n.id for n in batch])
        state.handles.update((row["id"], row["eid"]) for row in found)
        return {row["id"]: row["props"] for row in found}

    if not batches:
        return

    def rows(label: str, batch: list[NodeRecord], stored: dict[str, dict[str, Any]]) -> _NodeRows:
        return _node_rows(label, batch, stored, report, state, index, workers)

    pending = prepare(rows, *batches[0], await lookup(*batches[0]))
    for position, (label, batch) in enumerate(batches):
        upcoming = batches[position + 1] if position + 1 < len(batches) else None
        stored = None if upcoming is None else await lookup(*upcoming)
        made = await pending
        if upcoming is not None:
            pending = prepare(rows, *upcoming, stored)
        if not dry_run:
            for chunk in made.fresh:
                created = await tx.run(_create_nodes(label), rows=chunk, loadedAt=loaded_at)
                state.handles.update((row["id"], row["eid"]) for row in created)
            for chunk in made.changed:
                await tx.run(_update_nodes(label), rows=chunk, loadedAt=loaded_at)
        advance(len(batch))


async def _index_workers(
    tx: Transaction, nodes: dict[str, list[NodeRecord]]
) -> index_workers.NewIndexes | None:
    """Worker processes making the indexes of the write's new indexed nodes, for a write
    that creates many (:mod:`graph.index_workers`); the store is asked which ids it has."""
    indexed = {label: records for label, records in nodes.items() if label in ENTITY_LABELS}
    if not index_workers.worth_it(sum(map(len, indexed.values()))):
        return None
    new: list[NodeRecord] = []
    for label, records in indexed.items():
        for batch in _batches(records):
            found = await tx.run(_node_handles(label), ids=[node.id for node in batch])
            stored = {row["id"] for row in found}
            new += [node for node in batch if node.id not in stored]
    return index_workers.new_indexes(new)


def _deferred_index(
    index: search_index.IndexUpdate,
    workers: index_workers.NewIndexes,
    state: _WriteState,
    gone: list[tuple[int, str | None]],
) -> tuple[list[tuple[str, list[list[dict[str, Any]]]]], search_index.BucketPlan | None]:
    """The index properties of the new nodes the workers indexed (numbered in the order
    the nodes were created: that of their ids, label after label), as rows of
    :func:`_set_index` per label; then the buckets' plan. Runs beside the relationships'
    writes, waiting for the workers as needed."""
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label, node_id in state.deferred:
        props = index.new_document(label, workers.take(node_id))
        by_label[label].append({"eid": state.handles[node_id], "props": props})
    return [(label, list(_sized(rows))) for label, rows in by_label.items()], index.plan(gone)


@dataclass
class _NodeRows:
    """The rows of one batch's create and update statements, cut to size."""

    fresh: list[list[dict[str, Any]]]
    changed: list[list[dict[str, Any]]]


def _node_rows(
    label: str,
    batch: list[NodeRecord],
    existing: dict[str, dict[str, Any]],
    report: WriteReport,
    state: _WriteState,
    index: search_index.IndexUpdate | None,
    workers: index_workers.NewIndexes | None = None,
) -> _NodeRows:
    """Rows for the create and the update statements; counts what is new, changed or the same.

    ``existing``: the stored properties of the batch's nodes the store has, by id.
    A node whose stored properties and sources already hold everything the write
    would set is left alone (its ``loadedAt`` keeps the time it was last written).
    A node created or whose facts change gets its search index properties (``index``,
    none in a dry run) in the same row, unless ``workers`` make it (their properties are
    set later, :func:`_deferred_index`).
    """
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for node in batch:
        before = existing.get(node.id)
        if before is None:
            props = new_node_properties(node)
            report.created[label] += 1
            state.created.add(node.id)
            if workers is not None and node.id in workers:
                # numbered after the relationships, after any stored node of the write
                # that had no index yet (numbered here): in-process, in one order of ids
                state.deferred.append((label, node.id))
            elif index is not None:
                props.update(index.document(label, props, None))
            fresh.append({"props": props, "source": node.source})
            continue
        props = {**node.properties, "id": node.id}
        for key, value in node.defaults.items():
            if before.get(key) is None:
                props.setdefault(key, value)
        merged = {k: v for k, v in {**before, **props}.items() if v is not None}
        props.update(derived_properties(merged))
        if _facts({**before, **props}) != _facts(before):
            report.updated[label] += 1
            if index is not None:
                after = {k: v for k, v in {**before, **props}.items() if v is not None}
                props.update(index.document(label, after, before))
        else:
            report.unchanged[label] += 1
        same = all(before.get(k) == v for k, v in props.items())
        if not same or node.source not in (before.get("sources") or ()):
            changed.append({"eid": state.handles[node.id], "props": props, "source": node.source})
    return _NodeRows(list(_sized(fresh)), list(_sized(changed)))


async def _find_ends(
    tx: Transaction, rels: dict[tuple[Relation, bool], list[RelRecord]], state: _WriteState
) -> None:
    """Look up the stored nodes the relationships name that the document does not describe."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for (rel, _), links in rels.items():
        for link in links:
            for label, node_id in ((rel.start, link.start_id), (rel.end, link.end_id)):
                if node_id not in state.handles and node_id not in state.created:
                    wanted[label].add(node_id)
    for label, ids in wanted.items():
        for batch in _batches(sorted(ids)):
            found = await tx.run(_node_handles(label), ids=batch)
            state.handles.update((row["id"], row["eid"]) for row in found)


@dataclass
class _LinkRows:
    """One batch of relationships as ``[start, end(, properties)]`` element-id rows."""

    #: from or to a node this write creates: none can exist yet
    fresh: list[list[Any]] = field(default_factory=list)
    #: between nodes that were stored: merged
    known: list[list[Any]] = field(default_factory=list)
    #: whose start or end is neither in the file nor in the store
    missing: int = 0
    with_properties: bool = False
    #: how many are new for sure (created, or missing where they could not exist)
    new: int = 0


async def _write_all_links(
    tx: Transaction,
    rels: dict[tuple[Relation, bool], list[RelRecord]],
    state: _WriteState,
    report: WriteReport,
    prepare: _Preparer,
    dry_run: bool,
    doc_name: str,
    advance: Callable[[int], None],
    alongside: Callable[[], None],
) -> None:
    """Every relationship, per type and batch: the next batch's rows are made while the
    store writes the previous one. ``alongside`` is called once the first batch's rows are
    under way (or at once, for no relationships): it may give the worker more to do."""
    batches = [(key, batch) for key, links in rels.items() for batch in _batches(links)]

    def rows(rel: Relation, replace: bool, batch: list[RelRecord]) -> _LinkRows:
        return _link_rows(rel, replace, batch, state, dry_run)

    pending = prepare(rows, *batches[0][0], batches[0][1]) if batches else None
    alongside()
    for position, ((rel, replace), batch) in enumerate(batches):
        made = await pending  # type: ignore[misc]
        if position + 1 < len(batches):
            (next_rel, next_replace), next_batch = batches[position + 1]
            pending = prepare(rows, next_rel, next_replace, next_batch)
        await _write_links(tx, rel, replace, made, report, dry_run, doc_name)
        advance(len(batch))


def _link_rows(
    rel: Relation,
    replace: bool,
    batch: list[RelRecord],
    state: _WriteState,
    dry_run: bool,
) -> _LinkRows:
    """The rows of one batch of relationships; counts those that are surely new.

    Runs on the worker thread: it counts in its result, never in the shared report.
    """
    handles = state.handles
    made = _LinkRows()
    for r in batch:
        start, end = handles.get(r.start_id), handles.get(r.end_id)
        # a replacing link to a new end may still have others to drop
        new = r.start_id in state.created or (r.end_id in state.created and not replace)
        if new:
            made.new += 1
        if start is None or end is None:
            # a node of a dry run's creations has no element id; any other is missing
            if not (dry_run and (r.start_id in state.created or r.end_id in state.created)):
                made.missing += 1
                if not new:  # it cannot exist: it would be created, were its ends there
                    made.new += 1
            continue
        row: list[Any] = [start, end]
        if r.properties:
            row.append(r.properties)
            made.with_properties = True
        (made.fresh if new else made.known).append(row)
    return made


async def _write_links(
    tx: Transaction,
    rel: Relation,
    replace: bool,
    made: _LinkRows,
    report: WriteReport,
    dry_run: bool,
    doc_name: str,
) -> None:
    """Create one batch of relationships: those from or to a new node, and those between
    stored nodes that the store does not have yet (their properties set on those it has)."""
    fresh, known = made.fresh, made.known
    report.relationships_created += made.new
    stored: list[list[Any]] = []
    ends = [row[:2] for row in known]
    if known:
        found = await tx.run(_existing_relationships(rel), rows=ends)
        there = {(row["start"], row["end"]) for row in found}
        stored = [row for row in known if (row[0], row[1]) in there]
        fresh = fresh + [row for row in known if (row[0], row[1]) not in there]
        report.relationships_existing += len(stored)
        report.relationships_created += len(known) - len(stored)
    if dry_run:
        return
    if made.missing:
        raise StoreRejected(
            f"{doc_name}: {made.missing} {rel.type} relationships "
            "name a node that is neither in the file nor in the store"
        )
    if known and replace:
        await tx.run(_drop_other_relationships(rel), rows=ends)
    if fresh:
        if made.with_properties:
            for row in fresh:
                if len(row) == 2:
                    row.append({})
        created = (await tx.run(_create_relationships(rel, made.with_properties), rows=fresh))[0][
            "n"
        ]
        if created != len(fresh):
            raise StoreRejected(
                f"{doc_name}: {len(fresh) - created} {rel.type} relationships not made"
            )
    with_properties = [row for row in stored if len(row) > 2 and row[2]]
    if with_properties:
        await tx.run(_set_relationship_properties(rel), rows=with_properties)
