"""The whole graph to one file and back: ``ogp-graph dump`` and ``ogp-graph restore``.

The file is gzip-compressed JSON lines: a header, every node (label and
properties, ``Dataset`` load records included), every relationship (type, both
ends by label and id, properties), and a footer with the counts. It is written
page by page and read line by line, never held in memory whole.

A restore checks the whole file first (a truncated or damaged file is refused
before anything is written), then merges nodes on their ``id`` and relationships
on their ends, one transaction per batch: running it again after it was cut off
ends with the same, complete graph. This is also the way from the embedded
store to a Neo4j server: dump on one, restore with ``NEO4J_URI`` set.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graph.errors import DumpError
from graph.model import LABELS, RELATIONS, Relation
from graph.search_index import INDEX_LABEL
from graph.statements import Statement, statement
from graph.store import Store, Transaction

#: every label a dump holds: the model's, and the search index kept beside it
DUMPED_LABELS: tuple[str, ...] = (*LABELS, INDEX_LABEL)

FORMAT = "ogp-graph-dump"
VERSION = 1
PAGE = 1000
BATCH = 500

Progress = Callable[[str, int], None]


@cache
def _page_nodes(label: str) -> Statement:
    return statement(
        f"dump.nodes[{label}]",
        f"MATCH (n:{label}) WHERE n.id > $after "
        "RETURN n.id AS id, properties(n) AS props ORDER BY n.id LIMIT $limit",
    )


@cache
def _page_ids(label: str) -> Statement:
    return statement(
        f"dump.ids[{label}]",
        f"MATCH (n:{label}) WHERE n.id > $after RETURN n.id AS id ORDER BY n.id LIMIT $limit",
    )


@cache
def _relationships_of(rel: Relation) -> Statement:
    return statement(
        f"dump.relationships[{rel.start}-{rel.type}-{rel.end}]",
        f"MATCH (a:{rel.start})-[r:{rel.type}]->(b:{rel.end}) WHERE a.id IN $ids "
        "RETURN a.id AS start, b.id AS end, properties(r) AS props ORDER BY start, end",
    )


@cache
def _restore_nodes(label: str) -> Statement:
    return statement(
        f"dump.restore_nodes[{label}]",
        f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n = row.props "
        "RETURN count(n) AS n",
    )


@cache
def _restore_relationships(rel: Relation) -> Statement:
    return statement(
        f"dump.restore_relationships[{rel.start}-{rel.type}-{rel.end}]",
        f"UNWIND $rows AS row MATCH (a:{rel.start} {{id: row.start}}) "
        f"MATCH (b:{rel.end} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel.type}]->(b) SET r = row.props RETURN count(r) AS n",
    )


_COUNT_NODES = statement("dump.count_nodes", "MATCH (n) WHERE NOT n:LoadLock RETURN count(n) AS n")
_COUNT_RELATIONSHIPS = statement(
    "dump.count_relationships", "MATCH ()-[r]->() RETURN count(r) AS n"
)


def lintable_statements() -> Iterator[Statement]:
    """Every statement dump and restore can send."""
    for label in DUMPED_LABELS:
        yield _page_nodes(label)
        yield _page_ids(label)
        yield _restore_nodes(label)
    for rel in RELATIONS:
        yield _relationships_of(rel)
        yield _restore_relationships(rel)
    yield _COUNT_NODES
    yield _COUNT_RELATIONSHIPS


@dataclass
class DumpReport:
    """How much a dump wrote or a restore merged."""

    file: Path
    nodes: int = 0
    relationships: int = 0

    def summary(self, verb: str) -> str:
        """One line for the command line."""
        return f"{verb} {self.nodes} nodes and {self.relationships} relationships ({self.file})"


def _line(item: dict[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n"


async def dump(store: Store, path: Path, progress: Progress | None = None) -> DumpReport:
    """Write every node and relationship of the model to ``path`` (replaced only when complete)."""
    report = DumpReport(path)
    partial = path.with_name(path.name + ".partial")
    try:
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            out.write(
                _line(
                    {
                        "format": FORMAT,
                        "version": VERSION,
                        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    }
                )
            )
            for label in DUMPED_LABELS:
                after = ""
                while rows := await store.read(_page_nodes(label), after=after, limit=PAGE):
                    for row in rows:
                        out.write(_line({"node": label, "props": row["props"]}))
                    report.nodes += len(rows)
                    after = rows[-1]["id"]
                    if progress is not None:
                        progress("nodes", report.nodes)
            for label in LABELS:
                outgoing = [rel for rel in RELATIONS if rel.start == label]
                after = ""
                while outgoing and (
                    rows := await store.read(_page_ids(label), after=after, limit=PAGE)
                ):
                    ids = [row["id"] for row in rows]
                    for rel in outgoing:
                        for found in await store.read(_relationships_of(rel), ids=ids):
                            out.write(
                                _line(
                                    {
                                        "rel": rel.type,
                                        "start": [rel.start, found["start"]],
                                        "end": [rel.end, found["end"]],
                                        "props": found["props"],
                                    }
                                )
                            )
                            report.relationships += 1
                    after = ids[-1]
                    if progress is not None:
                        progress("relationships", report.relationships)
            out.write(
                _line({"end": True, "nodes": report.nodes, "relationships": report.relationships})
            )
        nodes = (await store.read(_COUNT_NODES))[0]["n"]
        rels = (await store.read(_COUNT_RELATIONSHIPS))[0]["n"]
        if (nodes, rels) != (report.nodes, report.relationships):
            raise DumpError(
                f"the store holds {nodes} nodes and {rels} relationships but only "
                f"{report.nodes} and {report.relationships} are of the model (or a load ran "
                f"meanwhile); nothing was written to {path}"
            )
        os.replace(partial, path)
    except OSError as exc:
        raise DumpError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold
        raise DumpError(f"cannot dump a value of the store: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return report


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The lines of a dump as dicts, with their line numbers; ``DumpError`` names the line."""
    number = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, text in enumerate(lines, start=1):
                try:
                    item = json.loads(text)
                except ValueError as exc:
                    raise DumpError(f"{path}: line {number}: not a JSON object ({exc})") from exc
                if not isinstance(item, dict):
                    raise DumpError(f"{path}: line {number}: not a JSON object")
                yield number, item
    except FileNotFoundError as exc:
        raise DumpError(f"{path}: no such file") from exc
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DumpError(
            f"{path}: not a complete ogp-graph dump after line {number} ({what})"
        ) from exc


_RELATIONS = {(rel.start, rel.type, rel.end): rel for rel in RELATIONS}


def check_dump(path: Path) -> DumpReport:
    """Read the whole file and check every line; raise ``DumpError`` at the first problem."""
    report = DumpReport(path)
    footer: dict[str, Any] | None = None
    for number, item in _records(path):
        where = f"{path}: line {number}"
        if number == 1:
            if item.get("format") != FORMAT or item.get("version") != VERSION:
                raise DumpError(f"{where}: not an ogp-graph dump (format {VERSION})")
            continue
        if footer is not None:
            raise DumpError(f"{where}: lines after the end of the dump")
        if "node" in item:
            props = item.get("props")
            if (
                item["node"] not in DUMPED_LABELS
                or not isinstance(props, dict)
                or "id" not in props
            ):
                raise DumpError(f"{where}: a node of an unknown label or without an id")
            report.nodes += 1
        elif "rel" in item:
            start, end = item.get("start"), item.get("end")
            key = (start[0], item["rel"], end[0]) if start and end else None
            if key not in _RELATIONS or not isinstance(item.get("props"), dict):
                raise DumpError(f"{where}: a relationship the model does not have")
            report.relationships += 1
        elif item.get("end") is True:
            footer = item
        else:
            raise DumpError(f"{where}: neither a node nor a relationship")
    if footer is None:
        raise DumpError(f"{path}: the dump is cut short (no end line): nothing was restored")
    if (footer.get("nodes"), footer.get("relationships")) != (report.nodes, report.relationships):
        raise DumpError(f"{path}: the counts at its end do not match its lines")
    return report


async def restore(store: Store, path: Path, progress: Progress | None = None) -> DumpReport:
    """Merge the dump at ``path`` into the store, one transaction per batch.

    Safe to run again: a restore that was cut off, run again, completes the graph.
    """
    expected = check_dump(path)
    report = DumpReport(path)
    nodes: dict[str, list[dict[str, Any]]] = {}
    rels: dict[Relation, list[dict[str, Any]]] = {}

    async def flush_nodes(label: str) -> None:
        rows = nodes.pop(label, [])
        if not rows:
            return

        async def work(tx: Transaction) -> None:
            await tx.run(_restore_nodes(label), rows=rows)

        await store.write_all(work, f"restore of {len(rows)} {label} nodes")
        report.nodes += len(rows)
        if progress is not None:
            progress("nodes", report.nodes)

    async def flush_relationships(rel: Relation) -> None:
        rows = rels.pop(rel, [])
        if not rows:
            return

        async def work(tx: Transaction) -> None:
            merged = (await tx.run(_restore_relationships(rel), rows=rows))[0]["n"]
            if merged != len(rows):
                raise DumpError(
                    f"{path}: {len(rows) - merged} {rel.type} relationships name a node "
                    "that is in neither the dump nor the store"
                )

        await store.write_all(work, f"restore of {len(rows)} {rel.type} relationships")
        report.relationships += len(rows)
        if progress is not None:
            progress("relationships", report.relationships)

    for _, item in _records(path):
        if "node" in item:
            label = item["node"]
            nodes.setdefault(label, []).append({"id": item["props"]["id"], "props": item["props"]})
            if len(nodes[label]) >= BATCH:
                await flush_nodes(label)
        elif "rel" in item:
            for label in list(nodes):  # every node before the first relationship
                await flush_nodes(label)
            rel = _RELATIONS[(item["start"][0], item["rel"], item["end"][0])]
            rels.setdefault(rel, []).append(
                {"start": item["start"][1], "end": item["end"][1], "props": item["props"]}
            )
            if len(rels[rel]) >= BATCH:
                await flush_relationships(rel)
    for label in list(nodes):
        await flush_nodes(label)
    for rel in list(rels):
        await flush_relationships(rel)
    assert (report.nodes, report.relationships) == (expected.nodes, expected.relationships)
    return report
