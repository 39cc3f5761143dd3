"""Multiply the Canada plans in a store: copy every plan's subgraph with new ids.

Copy ``k`` of a node whose id holds ``:CAN-<year>`` gets ``:CANx<k>-<year>`` instead (and a
matching ``id_sort``); its relationships are copied too, to the copies of its neighbours
or, for shared nodes (the country, the departments), to the same neighbour. So at 100x the
departments lead 100 times as many milestones and indicators, as a larger tracker would.
Copies carry no search index properties: the caller rebuilds the index afterwards
(:func:`graph.search.ensure_search_index` finds it counting fewer entities than the store
holds), so that search at 100x ranks 100x the documents, as it would on a store that
loaded them. Bench-only: these statements are not part of the service.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from neo4j import AsyncDriver

from graph.derived import natural_key

_MARK = ":CAN-2"
_BATCH = 2000


def _renamed(value: str, k: int) -> str:
    return value.replace(":CAN-2", f":CANx{k}-2")


async def multiply(driver: AsyncDriver, database: str, factor: int) -> int:
    """Add ``factor - 1`` copies of the Canada plans; return the number of nodes created."""
    async with driver.session(database=database) as session:
        nodes = await (
            await session.run(
                "MATCH (n) WHERE n.id CONTAINS $mark RETURN labels(n)[0] AS label, properties(n) AS p",
                mark=_MARK,
            )
        ).data()
        rels = await (
            await session.run(
                "MATCH (a)-[r]->(b) WHERE a.id CONTAINS $mark OR b.id CONTAINS $mark "
                "RETURN type(r) AS type, labels(a)[0] AS la, a.id AS a, labels(b)[0] AS lb, "
                "b.id AS b, properties(r) AS p",
                mark=_MARK,
            )
        ).data()
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_shape: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for k in range(1, factor):
        for row in nodes:
            props = dict(row["p"])
            props["id"] = _renamed(props["id"], k)
            props["id_sort"] = natural_key(props["id"])
            # a copy is a new entity: the index rebuild after the copies numbers it
            props.pop("searchDoc", None)
            props.pop("searchIndexed", None)
            by_label[row["label"]].append(props)
        for row in rels:
            by_shape[(row["type"], row["la"], row["lb"])].append(
                {"a": _renamed(row["a"], k), "b": _renamed(row["b"], k), "p": row["p"]}
            )
    for label, rows in by_label.items():
        assert re.fullmatch(r"[A-Za-z]+", label)
        for i in range(0, len(rows), _BATCH):
            await driver.execute_query(
                f"UNWIND $rows AS p CREATE (n:{label}) SET n = p",
                rows=rows[i : i + _BATCH],
                database_=database,
            )
    for (rel_type, la, lb), rows in by_shape.items():
        for i in range(0, len(rows), _BATCH):
            await driver.execute_query(
                f"UNWIND $rows AS r MATCH (a:{la} {{id: r.a}}) MATCH (b:{lb} {{id: r.b}}) "
                f"CREATE (a)-[x:{rel_type}]->(b) SET x = r.p",
                rows=rows[i : i + _BATCH],
                database_=database,
            )
    return sum(len(rows) for rows in by_label.values())
