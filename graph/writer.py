"""Merge a :class:`~graph.document.GraphDocument` into the store, all or nothing.

Nodes are merged on their ``id``, relationships on their two ends, so loading
the same document twice changes nothing. The whole document is written in one
transaction: an error half-way leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graph import search_index
from graph.document import GraphDocument, NodeRecord, RelRecord
from graph.errors import StoreRejected
from graph.model import LABELS, RELATIONS, Relation, relation
from graph.normalize import fold
from graph.statements import Statement, statement
from graph.store import Store, Transaction

BATCH = 1000
#: bumped when the derived properties change, so that stored sources are written again
FORMAT = "3"
#: properties the writer sets on every write; with those of derived_text, not facts
_BOOKKEEPING = frozenset({"loadedAt", "sources"})

ProgressCallback = Callable[[int, int], None]


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


@cache
def _existing_nodes(label: str) -> Statement:
    return statement(
        f"writer.existing_nodes[{label}]",
        f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS props",
    )


@cache
def _merge_nodes(label: str) -> Statement:
    return statement(
        f"writer.merge_nodes[{label}]",
        f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) "
        "SET n += row.props, n.loadedAt = $loadedAt, "
        "n.sources = CASE WHEN row.source IN coalesce(n.sources, []) THEN n.sources "
        "ELSE coalesce(n.sources, []) + row.source END "
        "RETURN count(n) AS n",
    )


@cache
def _existing_relationships(rel: Relation) -> Statement:
    return statement(
        f"writer.existing_relationships[{rel.start}-{rel.type}-{rel.end}]",
        f"UNWIND $rows AS row MATCH (a:{rel.start} {{id: row.start}})-[r:{rel.type}]->"
        f"(b:{rel.end} {{id: row.end}}) RETURN count(r) AS n",
    )


@cache
def _drop_other_relationships(rel: Relation) -> Statement:
    return statement(
        f"writer.replace_relationships[{rel.start}-{rel.type}-{rel.end}]",
        f"UNWIND $rows AS row MATCH (a:{rel.start} {{id: row.start}})-[r:{rel.type}]->"
        f"(b:{rel.end}) WHERE b.id <> row.end DELETE r",
    )


@cache
def _merge_relationships(rel: Relation) -> Statement:
    return statement(
        f"writer.merge_relationships[{rel.start}-{rel.type}-{rel.end}]",
        f"UNWIND $rows AS row MATCH (a:{rel.start} {{id: row.start}}) "
        f"MATCH (b:{rel.end} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel.type}]->(b) SET r += row.props RETURN count(r) AS n",
    )


@cache
def _create_relationships(rel: Relation) -> Statement:
    """For relationships from or to a node this write creates: none can exist yet."""
    return statement(
        f"writer.create_relationships[{rel.start}-{rel.type}-{rel.end}]",
        f"UNWIND $rows AS row MATCH (a:{rel.start} {{id: row.start}}) "
        f"MATCH (b:{rel.end} {{id: row.end}}) "
        f"CREATE (a)-[r:{rel.type}]->(b) SET r += row.props RETURN count(r) AS n",
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
        yield _merge_nodes(label)
    for rel in RELATIONS:
        yield _existing_relationships(rel)
        yield _drop_other_relationships(rel)
        yield _merge_relationships(rel)
        yield _create_relationships(rel)
    yield _MARK_DATASET
    yield _DATASET_VERSION


# --- derived properties -----------------------------------------------------


def derived_properties(props: dict[str, Any]) -> dict[str, Any]:
    """Everything the writer computes from a node's facts (``props``: the merged node).

    The one place where derived properties are made: add new ones here. They are
    not facts, so they never count as a change in the load's report.
    """
    return derived_text(props)


def derived_text(props: dict[str, Any]) -> dict[str, Any]:
    """Folded copies of a node's text, for filters and search.

    ``<name>_norm`` for every bilingual text (both languages); search keeps its own
    index (:mod:`graph.search_index`).
    """
    derived: dict[str, Any] = {}
    bases = {key[:-3] for key in props if key.endswith(("_en", "_fr"))}
    for base in sorted(bases):
        given = {lang: props.get(f"{base}_{lang}") for lang in ("en", "fr")}
        folded = {lang: fold(v) for lang, v in given.items() if isinstance(v, str) and v}
        derived[f"{base}_norm"] = list(dict.fromkeys(folded.values())) or None
    for key in ("id", "code"):
        if isinstance(props.get(key), str):
            derived[f"{key}_sort"] = natural_key(props[key])
    return derived


def natural_key(text: str) -> str:
    """``text`` with every number zero-padded, so that C01.2 sorts before C01.10."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), text)


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


def _group_nodes(nodes: Iterable[NodeRecord]) -> dict[str, list[NodeRecord]]:
    grouped: dict[str, dict[str, NodeRecord]] = defaultdict(dict)
    for node in nodes:
        seen = grouped[node.label].get(node.id)
        if seen is None:
            grouped[node.label][node.id] = node
        else:  # one document describing a node twice: later facts complete earlier ones
            seen.properties.update(node.properties)
            seen.defaults.update(node.defaults)
    return {label: list(by_id.values()) for label, by_id in grouped.items()}


def _group_relationships(rels: Iterable[RelRecord]) -> dict[tuple[Relation, bool], list[RelRecord]]:
    grouped: dict[tuple[Relation, bool], dict[tuple[str, str], RelRecord]] = defaultdict(dict)
    for rel in rels:
        key = (relation(rel.start_label, rel.type, rel.end_label), rel.replace)
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
    #: nodes this write creates: their relationships are new, nothing to look up
    created: set[str] = set()

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
        for label, records in nodes.items():
            for batch in _batches(records):
                rows = await _node_rows(tx, label, batch, report, created)
                if not dry_run:
                    await tx.run(_merge_nodes(label), rows=rows, loadedAt=loaded_at)
                advance(len(batch))
        for (rel, replace), links in rels.items():
            for batch in _batches(links):
                fresh: list[dict[str, Any]] = []
                known: list[dict[str, Any]] = []
                for r in batch:
                    row = {"start": r.start_id, "end": r.end_id, "props": r.properties}
                    # a replacing link to a new end may still have others to drop
                    new = r.start_id in created or (r.end_id in created and not replace)
                    (fresh if new else known).append(row)
                report.relationships_created += len(fresh)
                if known:
                    existing = (await tx.run(_existing_relationships(rel), rows=known))[0]["n"]
                    report.relationships_existing += existing
                    report.relationships_created += len(known) - existing
                if not dry_run:
                    written = 0
                    if fresh:
                        # a new start node has no other relationship to drop
                        made = await tx.run(_create_relationships(rel), rows=fresh)
                        written += made[0]["n"]
                    if known:
                        if replace:
                            await tx.run(_drop_other_relationships(rel), rows=known)
                        written += (await tx.run(_merge_relationships(rel), rows=known))[0]["n"]
                    if written != len(batch):
                        raise StoreRejected(
                            f"{doc.name}: {len(batch) - written} {rel.type} relationships "
                            "name a node that is neither in the file nor in the store"
                        )
                advance(len(batch))
        if not dry_run:
            # the search index's upkeep, in the same transaction as the facts
            await search_index.update(
                tx, {lb: [n.id for n in recs] for lb, recs in nodes.items()}, gone
            )
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
    return await store.write_all(work, f"load of {doc.name}")


class _DryRunDone(Exception):
    """Ends a dry run's transaction by rolling it back."""


async def _node_rows(
    tx: Transaction,
    label: str,
    batch: list[NodeRecord],
    report: WriteReport,
    created: set[str],
) -> list[dict[str, Any]]:
    """Rows for the merge statement; counts what is new (adding it to ``created``),
    changed or the same."""
    found = await tx.run(_existing_nodes(label), ids=[n.id for n in batch])
    existing = {row["id"]: row["props"] for row in found}
    rows = []
    for node in batch:
        before = existing.get(node.id)
        props = {**node.properties, "id": node.id}
        for key, value in node.defaults.items():
            if before is None or before.get(key) is None:
                props.setdefault(key, value)
        merged = {**(before or {}), **props}
        merged = {k: v for k, v in merged.items() if v is not None}
        props.update(derived_properties(merged))
        if before is None:
            report.created[label] += 1
            created.add(node.id)
        elif _facts({**before, **props}) != _facts(before):
            report.updated[label] += 1
        else:
            report.unchanged[label] += 1
        rows.append({"id": node.id, "props": props, "source": node.source})
    return rows
