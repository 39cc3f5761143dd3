"""Which root lists the store reads in id order through an ``id_sort`` index.

A page of every node of a label in id order can be answered by walking the label's
``id_sort`` index and stopping at the page's end (tens of milliseconds for 11k
indicators, where sorting them all takes hundreds). Whether the store does so is
learnt, not assumed: the plan it reports for such a page (``EXPLAIN``) says whether it
walks an index and sorts nothing. :func:`graph.compile.page` writes that shape only for
the labels learnt here (:func:`pages_by_index`), and elsewhere the shape that sorts every
match and projects only the page: where the store does not walk the index, the first
projects every node before sorting them (2.3 s instead of 0.36 s at 11k indicators).
What is learnt is a hint for this process (learnt when the app starts): both shapes give
the same answer. A page of a short list keeps the sorting shape, which answers it quicker
(:func:`pages_by_index`).

ArcadeDB walks an index for an ordering only where the indexed property is declared in
its schema with a type, which ``CREATE INDEX`` does from the nodes it finds: an index
created while the label has no nodes (as a fresh store gets them, before its first load)
declares nothing and is never walked, even once filled, also after a restart. Dropping
and creating it again once the label has nodes declares the property (as a string);
:func:`ensure_index_order` does that, on ArcadeDB only, for the labels whose page it
finds not walked. Nothing stored changes: an index holds no data of its own.
"""

from __future__ import annotations

import logging
from typing import Any

from graph import constraints
from graph.constraints import ID_ORDERED as ID_ORDERED
from graph.errors import StoreError
from graph.statements import Statement
from graph.store import Store

log = logging.getLogger("ogp_graph.index_order")

#: the labels whose page in id order the store answers by walking the index
_walked: set[str] = set()
#: label -> how many nodes it had when that was learnt
_sizes: dict[str, int] = {}
#: a page walks the index when its label has at least this many nodes per node of the page:
#: the index shape returns a record per node of the page (about 0.1 ms each, store and
#: server), sorting costs about 6 us per node of the label. A page of 100 of 306
#: indicators: 10 ms of the store and 10 ms of the server's CPU against 7.5 and 3 ms sorted;
#: of 30,600: 13 against 182 ms
NODES_PER_ROW = 20


def index_name(label: str) -> str:
    """The name of ``label``'s ``id_sort`` index."""
    return constraints.index_name(label, "id_sort")


def create_statement(label: str) -> Statement:
    """Create ``label``'s ``id_sort`` index if it is missing."""
    return constraints.index_statement(label, "id_sort")


def _drop_statement(label: str) -> Statement:
    return Statement(f"index_order.drop[{label}]", f"DROP INDEX {index_name(label)} IF EXISTS")


def _probe_statement(label: str) -> Statement:
    """The plan of a page of ``label`` in id order, with the total's branch left out (the
    store plans each branch of a ``UNION ALL`` alone)."""
    return Statement(
        f"index_order.probe[{label}]",
        f"EXPLAIN MATCH (n:{label}) RETURN null AS total, n {{.id}} AS node "
        "ORDER BY n.id_sort ASC SKIP $skip LIMIT $limit",
        {"skip": 0, "limit": 100},
    )


def _any_statement(label: str) -> Statement:
    return Statement(f"index_order.any[{label}]", f"MATCH (n:{label}) RETURN n.id AS id LIMIT 1")


def _count_statement(label: str) -> Statement:
    return Statement(f"index_order.count[{label}]", f"MATCH (n:{label}) RETURN count(n) AS n")


def lintable_statements() -> list[Statement]:
    """Every statement of this module."""
    return [
        make(label)
        for label in ID_ORDERED
        for make in (
            create_statement,
            _drop_statement,
            _probe_statement,
            _any_statement,
            _count_statement,
        )
    ]


def _operators(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("children") or []:
        found += _operators(child)
    return found


def _text(plan: dict[str, Any]) -> str:
    """Every operator's name and arguments, as one text."""
    return " ".join(f"{op.get('operatorType', '')} {op.get('args', {})}" for op in _operators(plan))


def is_arcadedb(plan: dict[str, Any]) -> bool:
    """True for a plan of ArcadeDB's Cypher engine."""
    return str(plan.get("operatorType", "")).startswith("ArcadeDB.")


def plan_walks_index(plan: dict[str, Any] | None) -> bool:
    """True when ``plan`` reads its nodes from an index in the index's order and sorts
    nothing: ArcadeDB's ``NodeIndexRangeScan [index order ...]`` without an
    ``OrderByStep``; Neo4j's index scan without a ``Sort`` or ``Top`` operator."""
    if not plan:
        return False
    text = _text(plan)
    if is_arcadedb(plan):
        return "NodeIndexRangeScan" in text and "index order" in text and "OrderBy" not in text
    names = [str(op.get("operatorType", "")).split("@")[0] for op in _operators(plan)]
    sorts = any(name in ("Sort", "Top", "PartialSort", "PartialTop") for name in names)
    return any(name.startswith("NodeIndexScan") for name in names) and not sorts


async def _walked_by(store: Store, label: str) -> tuple[bool, dict[str, Any] | None]:
    plan = await store.plan(_probe_statement(label), skip=0, limit=100)
    return plan_walks_index(plan), plan


async def learn_index_order(store: Store) -> frozenset[str]:
    """Ask the store which pages in id order it walks an index for; remember them for
    :func:`graph.compile.page` (for this process) and return them."""
    walked, sizes = set(), {}
    for label in ID_ORDERED:
        if (await _walked_by(store, label))[0]:
            walked.add(label)
            rows = await store.read(_count_statement(label))
            sizes[label] = int(rows[0]["n"]) if rows else 0
    _walked.clear()
    _walked.update(walked)
    _sizes.clear()
    _sizes.update(sizes)
    return frozenset(walked)


async def ensure_index_order(store: Store) -> frozenset[str]:
    """Make the store walk the ``id_sort`` index of every label that has nodes, where
    creating the index again does that (ArcadeDB: see the module's description), and
    learn which labels it walks (:func:`learn_index_order`)."""
    for label in ID_ORDERED:
        walked, plan = await _walked_by(store, label)
        if walked or plan is None or not is_arcadedb(plan):
            continue
        if not await store.read(_any_statement(label)):
            continue  # an index created now would declare nothing either
        log.info("creating the index %s again, now that %s has nodes", index_name(label), label)
        await store.write(_drop_statement(label))
        await store.write(create_statement(label))
    return await learn_index_order(store)


def walks_index(label: str) -> bool:
    """True when the store walks ``label``'s ``id_sort`` index for a page in id order, as
    last learnt in this process."""
    return label in _walked


def pages_by_index(label: str, limit: int) -> bool:
    """True when a page of ``limit`` nodes of ``label`` in id order is best read by walking
    its index: the store walks it, and the label had at least :data:`NODES_PER_ROW` nodes per
    node of the page when that was learnt."""
    return label in _walked and _sizes.get(label, 0) >= NODES_PER_ROW * max(1, limit)


def forget_index_order() -> None:
    """Learn nothing until :func:`learn_index_order` (tests)."""
    _walked.clear()
    _sizes.clear()


async def learn_index_order_at_start(store: Store) -> None:
    """:func:`learn_index_order`, for a server that starts: a store it cannot ask yet
    leaves every page in the shape that sorts (answers are the same either way)."""
    try:
        walked = await learn_index_order(store)
    except StoreError as exc:
        log.info("could not learn which lists the store reads through an index: %s", exc)
        forget_index_order()
        return
    log.info("lists read through their id_sort index: %s", ", ".join(sorted(walked)) or "none")
