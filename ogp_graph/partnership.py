"""The partnership's sources as documents to write, with the merge rules that span loads.

OGP's current data wins over the 2016 Explorer whatever the order of loading: the
Explorer's rows of a plan that current data describes (in this load or already in the
store) are skipped and counted; current data removes the Explorer's commitments of the
plans it describes, in the transaction that writes it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph import partnership
from graph.document import GraphDocument, node_id
from graph.store import Store
from graph.writer import Removal
from loaders.explorer_2016 import explorer_document, process_document
from loaders.ogp_commitments import described_plans, ogp_commitments_document
from loaders.partnership_dataset import defer_to, partnership_document
from loaders.seed_dataset import bundled_dataset_path, read_seed_dataset, seed_document
from loaders.sources import (
    ExplorerSource,
    FactsSource,
    OgpCommitmentsSource,
    Parsed,
    PartnershipSource,
    ProcessSource,
    UsTrackerSource,
)
from loaders.us_tracker import us_tracker_document

log = logging.getLogger("ogp_graph.load")

PARTNERSHIP_SOURCES = (
    OgpCommitmentsSource,
    ExplorerSource,
    ProcessSource,
    UsTrackerSource,
    PartnershipSource,
    FactsSource,
)


@dataclass
class Prepared:
    """A document to write, what the merge rules left out of it, and what it replaces."""

    doc: GraphDocument
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    removals: tuple[Removal, ...] = ()


def _seed_document() -> GraphDocument:
    path = bundled_dataset_path()
    dataset = read_seed_dataset(path.read_text(encoding="utf-8"), path.name)
    return seed_document(dataset, path.name)


def described_plan_keys(sources: Sequence[Parsed]) -> set[str]:
    """Keys of the plans the current-data files of this load describe."""
    keys: set[str] = set()
    for item in sources:
        if isinstance(item, OgpCommitmentsSource):
            keys |= described_plans(item.data)
    return keys


async def stored_described_plans(store: Store) -> set[str]:
    """Keys of the plans that have commitments of OGP's current data in the store."""
    rows = await store.read(partnership.PLANS_WITH_ORIGIN, origin=partnership.CURRENT)
    return {row["plan"].split(":", 1)[1] for row in rows}


async def partnership_documents(store: Store, sources: list[Parsed]) -> list[Prepared]:
    """The documents of the partnership's sources among ``sources`` (others are left out)."""
    ours = [item for item in sources if isinstance(item, PARTNERSHIP_SOURCES)]
    if not ours:
        return []
    described = described_plan_keys(ours)
    if any(isinstance(item, ExplorerSource) for item in ours):
        described |= await stored_described_plans(store)
    prepared: list[Prepared] = []
    for item in ours:
        if isinstance(item, OgpCommitmentsSource):
            doc, notes = ogp_commitments_document(item.data)
            plans = sorted(node_id("Plan", key) for key in described_plans(item.data))
            removal = Removal(
                "commitments of the 2016 Explorer (OGP's current data describes their plans)",
                partnership.DROP_COMMITMENTS,
                {"plans": plans, "origin": partnership.EXPLORER},
            )
            prepared.append(Prepared(doc, notes.skipped, notes.warnings, (removal,)))
        elif isinstance(item, ExplorerSource):
            doc, notes = explorer_document(item.data, described)
            prepared.append(Prepared(doc, notes.skipped, notes.warnings))
        elif isinstance(item, ProcessSource):
            prepared.append(Prepared(process_document(item.name, item.plans)))
        elif isinstance(item, UsTrackerSource):
            prepared.append(Prepared(us_tracker_document(item.tracker)))
        elif isinstance(item, PartnershipSource):
            doc = defer_to(partnership_document(item.dataset, item.name), _seed_document())
            prepared.append(Prepared(doc))
        else:
            log.warning(
                "%s is OGP's facts table of %s: it is not loaded on its own, the bundled "
                "partnership dataset is its graph form",
                item.name,
                item.kind,
            )
    return prepared


#: the order documents are written in: definitions before what refers to them
ORDER = {
    "nap": 0,
    "tracker": 1,
    "ogp-commitments": 2,
    "ogp-explorer-2016": 3,
    "ogp-process-2016": 4,
    "us-tracker": 5,
}
