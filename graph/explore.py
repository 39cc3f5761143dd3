"""Exploration for graph views: a node's neighbourhood and the shortest path between two.

Both answers are deterministic, the same on Neo4j and on the embedded store:

- a neighbourhood lists the start node once, first, then the nodes within reach
  by their distance from it (fewest hops first), ties by id; under a limit,
  the first ones in that order are kept;
- among several shortest paths, the one whose sequence of node ids is smallest
  (compared id by id, as strings) is chosen.

Path lengths cannot be Cypher parameters, so there is one statement per
length, from 1 to :data:`MAX_DEPTH`; the API checks the asked length first.
"""

from __future__ import annotations

from functools import cache

from graph.model import LABELS
from graph.statements import Statement, statement

MAX_DEPTH = 10
#: bookkeeping nodes never shown
_HIDDEN = "Dataset"


@cache
def neighbourhood(label: str, depth: int) -> Statement:
    """``$id``'s node, then at most ``$limit`` others within ``depth`` hops, and the edges among them.

    Rows: ``nodes`` (properties, in the order above), ``edges`` (``source``,
    ``target``, ``type``; unordered), ``available`` (how many nodes other than
    the start were within reach).
    """
    _check(label, depth)
    return statement(
        f"explore.neighbourhood[{label},{depth}]",
        f"MATCH (a:{label} {{id: $id}}) "
        f"OPTIONAL MATCH p = (a)-[*1..{depth}]-(b) WHERE b <> a AND NOT b:{_HIDDEN} "
        "WITH a, b, min(length(p)) AS distance "
        "ORDER BY distance, b.id "
        "WITH a, collect(b) AS reached "
        "WITH size(reached) AS available, [a] + reached[0..$limit] AS ns "
        "UNWIND ns AS x "
        "OPTIONAL MATCH (x)-[r]->(y) WHERE y IN ns "
        "WITH ns, available, collect(DISTINCT CASE WHEN r IS NULL THEN null "
        "ELSE {source: x.id, target: y.id, type: type(r)} END) AS edges "
        "RETURN [n IN ns | properties(n)] AS nodes, edges, available",
    )


@cache
def shortest_path(start: str, end: str, length: int) -> Statement:
    """The shortest path of at most ``length`` hops from ``$from`` to ``$to``, either direction.

    Among paths of equal length, the one with the smallest sequence of node ids.
    """
    _check(start, length)
    _check(end, length)
    return statement(
        f"explore.shortest_path[{start},{end},{length}]",
        f"MATCH (a:{start} {{id: $from}}) MATCH (b:{end} {{id: $to}}) "
        f"MATCH p = allShortestPaths((a)-[*..{length}]-(b)) "
        "WITH p, [n IN nodes(p) | n.id] AS ids "
        "ORDER BY ids LIMIT 1 "
        "RETURN [n IN nodes(p) | properties(n)] AS nodes, "
        "[r IN relationships(p) | {source: startNode(r).id, target: endNode(r).id, "
        "type: type(r)}] AS edges",
    )


def _check(label: str, length: int) -> None:
    if label not in LABELS or label == _HIDDEN:
        raise ValueError(f"unknown label {label!r}")
    if not 1 <= length <= MAX_DEPTH:
        raise ValueError(f"a length from 1 to {MAX_DEPTH} is needed, not {length}")


def lintable_statements() -> list[Statement]:
    """One shape of each statement (the others differ only in label and length)."""
    return [neighbourhood("Plan", 2), shortest_path("Country", "Department", 4)]
