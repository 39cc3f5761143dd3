"""Load sources into the store: check every file first, then write each in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import cast

from graph import reads
from graph.document import GraphDocument
from graph.store import Store
from graph.writer import (
    WriteReport,
    cyclic_gc_paused,
    loaded_version,
    stored_version,
    write_document,
)
from loaders.errors import SourceError, SourceProblem
from loaders.nap_definitions import definition_document
from loaders.partnership_dataset import bundled_partnership_document
from loaders.seed_dataset import bundled_dataset_path, read_seed_dataset, seed_document
from loaders.sources import (
    DefinitionSource,
    Parsed,
    ParsedSource,
    SeedSource,
    TrackerSource,
    read_location,
)
from loaders.tracker_records import PlanCatalog, match_plan, tracker_document, validate_rows
from ogp_graph.partnership import ORDER, Prepared, partnership_documents

log = logging.getLogger("ogp_graph.load")

Progress = Callable[[str, int, int], None]


async def plan_catalogues(store: Store) -> list[PlanCatalog]:
    """What the plans in the store allow tracker records to refer to."""
    rows = await store.read(reads.PLAN_CATALOGUES)
    return [
        PlanCatalog(
            plan_key=row["plan"].split(":", 1)[1],
            periods=frozenset(row["periods"]),
            statuses=frozenset(row["statuses"]),
            indicators={
                code: (milestone, commitment) for code, milestone, commitment in row["indicators"]
            },
        )
        for row in rows
    ]


def read_locations(locations: Sequence[str]) -> list[ParsedSource]:
    """Fetch and parse every source, before any store is needed.

    ``SourceError`` lists the problems of all files at once.
    """
    problems: list[SourceProblem] = []
    parsed: list[ParsedSource] = []
    for location in locations:
        try:
            parsed.extend(read_location(location))
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    return parsed


async def build_documents(
    store: Store, locations: Sequence[str] | Sequence[ParsedSource]
) -> list[Prepared]:
    """Check every source against the store; ``SourceError`` lists all problems of all files.

    ``locations`` are paths or URLs, or sources :func:`read_locations` already read.
    """
    problems: list[SourceProblem] = []
    if all(isinstance(item, str) for item in locations):
        parsed = read_locations([str(item) for item in locations])
    else:
        parsed = [item for item in locations if not isinstance(item, str)]
    # plans defined by files of this same load count, besides those already stored
    catalogues = {c.plan_key: c for c in await plan_catalogues(store)}
    for item in parsed:
        if isinstance(item, DefinitionSource):
            catalogue = PlanCatalog.from_definition(item.definition)
            catalogues[catalogue.plan_key] = catalogue
    documents: list[Prepared] = []
    try:
        documents += await partnership_documents(store, cast(list[Parsed], parsed))
    except SourceError as exc:
        problems.extend(exc.problems)
    for item in parsed:
        try:
            if isinstance(item, SeedSource):
                documents.append(Prepared(seed_document(item.dataset, item.name)))
            elif isinstance(item, DefinitionSource):
                documents.append(Prepared(definition_document(item.definition)))
            elif isinstance(item, TrackerSource):
                documents.append(Prepared(_tracker(item, list(catalogues.values()))))
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    # definitions before the records that refer to them
    documents.sort(key=lambda p: ORDER.get(p.doc.name.split(":", 1)[0], -1))
    return documents


def _line(problem: SourceProblem) -> int:
    digits = "".join(ch for ch in problem.location.split(",")[0] if ch.isdigit())
    return int(digits) if digits else 0


def _tracker(item: TrackerSource, catalogues: list[PlanCatalog]) -> GraphDocument:
    """The progress updates of a tracker CSV; every bad record of it is reported at once."""
    problems = list(item.problems)
    try:
        catalogue = match_plan(item.rows, catalogues, item.name)
        validate_rows(item.rows, catalogue, item.name)
    except SourceError as exc:
        problems.extend(exc.problems)
    if problems:
        raise SourceError(sorted(problems, key=_line))
    return tracker_document(item.rows, catalogue, item.name)


async def load_locations(
    store: Store,
    locations: Sequence[str] | Sequence[ParsedSource],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> list[WriteReport]:
    """Load every source (all checked before anything is written)."""
    # no full collection between reading and writing (see cyclic_gc_paused)
    with cyclic_gc_paused():
        return await _load_documents(store, locations, dry_run, progress)


async def _load_documents(
    store: Store,
    locations: Sequence[str] | Sequence[ParsedSource],
    dry_run: bool,
    progress: Progress | None,
) -> list[WriteReport]:
    documents = await build_documents(store, locations)
    reports = []
    for prepared in documents:
        doc = prepared.doc

        def step(done: int, total: int, name: str = doc.name) -> None:
            if progress is not None:
                progress(name, done, total)

        report = await write_document(
            store, doc, dry_run=dry_run, progress=step, removals=prepared.removals
        )
        report.skipped.update(prepared.skipped)
        report.warnings += prepared.warnings
        log.debug("%s", report.summary())
        reports.append(report)
    return reports


async def ensure_bundled_dataset(store: Store) -> WriteReport | None:
    """Load the bundled datasets (the seed, then the partnership's) unless these versions
    of them are already in the store; the report of the seed's write, if any."""
    path = bundled_dataset_path()
    dataset = read_seed_dataset(path.read_text(encoding="utf-8"), path.name)
    seed_report = await _ensure(store, seed_document(dataset, path.name))
    await _ensure(store, bundled_partnership_document())
    return seed_report


async def _ensure(store: Store, doc: GraphDocument) -> WriteReport | None:
    if await loaded_version(store, doc.name) == stored_version(doc):
        log.info("bundled dataset %s %s is already loaded", doc.name, doc.version)
        return None
    report = await write_document(store, doc)
    log.info("bundled dataset loaded: %s", report.summary())
    return report
