"""The benchmark's queries: ogp-graph's request, the peer's request, one hand-written
Cypher statement, and how to bring both answers to one shape so they can be compared."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import neo4j

from graph import search as engine
from graph.model import ENTITY_LABELS
from graph.search_index import META_ID, READ_BUCKETS, bucket_id
from graph.store import BoltEndpoint, Store

Json = Any


def _nodes(connection: Json) -> list[Json]:
    """A connection's nodes (edges/node or the nodes shortcut), or a list as it is."""
    if isinstance(connection, list):
        return connection
    if "edges" in connection:
        return [e["node"] for e in connection["edges"]]
    return list(connection["nodes"])


#: the hand-written statements of a case, each with its parameters, run one after the other
Steps = list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    """One query, as each side asks it.

    ``peer`` is ``None`` where the peer cannot give the same answer (search: ogp-graph
    ranks with BM25 in Python over its own index); such a case is checked against
    ``expected`` (ogp-graph's engine called directly) and measured against the
    hand-written statements alone. ``steps``, when given, finds the hand-written
    statements on the loaded store (their parameters depend on the data).
    """

    name: str
    ours: str
    peer: str | None
    ours_shape: Callable[[Json], Json]
    peer_shape: Callable[[Json], Json]
    cypher: str
    params: dict[str, Any]
    steps: Callable[[BoltEndpoint], Coroutine[Any, Any, Steps]] | None = None
    expected: Callable[[BoltEndpoint], Coroutine[Any, Any, Json]] | None = None
    #: the hand-written statement's records (its last step's) in ``ours_shape``'s shape, so
    #: that its answer is checked equal too; None where no statement alone ranks (search)
    cypher_shape: Callable[[list[Json]], Json] | None = None


def _indicator_row(n: Json) -> Json:
    return {k: n[k] for k in ("id", "code", "title", "dueDate")} | {
        "milestone": n["milestone"]["code"] if n["milestone"] else None
    }


PAGE = Case(
    "page of 100 indicators with milestone code",
    "{ indicators(first: 100) { totalCount edges { node { id code title dueDate "
    "milestone { code } } } } }",
    "{ indicatorsConnection(first: 100, sort: [{ id_sort: ASC }]) { totalCount edges { node "
    "{ id code title dueDate milestone { code } } } } }",
    lambda d: [d["indicators"]["totalCount"], [_indicator_row(n) for n in _nodes(d["indicators"])]],
    lambda d: [
        d["indicatorsConnection"]["totalCount"],
        [_indicator_row(n) for n in _nodes(d["indicatorsConnection"])],
    ],
    "MATCH (n:Indicator) WITH count(n) AS total "
    "MATCH (n:Indicator) WITH total, n ORDER BY n.id_sort LIMIT 100 "
    "OPTIONAL MATCH (n)<-[:HAS_INDICATOR]-(m:Milestone) "
    "RETURN total, collect({id: n.id, code: n.code, title: coalesce(n.title_en, n.title_fr), "
    "dueDate: n.dueDate, milestone: m.code}) AS nodes",
    {},
    cypher_shape=lambda rows: [rows[0]["total"], rows[0]["nodes"]],
)

PLAN_ID = "Plan:CAN-2018-2020"


def _plan_tree(plan: Json) -> Json:
    return {
        "title": plan["title"],
        "commitments": [
            {
                "code": c["code"],
                "title": c["title"],
                "milestones": [
                    {
                        "code": m["code"],
                        "title": m["title"],
                        "departments": [
                            {"code": d["code"], "name": d["name"]} for d in _nodes(m["departments"])
                        ],
                    }
                    for m in _nodes(c["milestones"])
                ],
            }
            for c in _nodes(plan["commitments"])
        ],
    }


NESTED = Case(
    "plan -> commitments -> milestones -> departments",
    f'{{ plan(id: "{PLAN_ID}") {{ title commitments(first: 50) {{ edges {{ node {{ code title '
    "milestones(first: 50) { edges { node { code title departments { edges { node "
    "{ code name } } } } } } } } } } }",
    f'{{ plans(where: {{ id: {{ eq: "{PLAN_ID}" }} }}) {{ title '
    "commitmentsConnection(first: 50, sort: [{ node: { id_sort: ASC } }]) { edges { node "
    "{ code title milestonesConnection(first: 50, sort: [{ node: { id_sort: ASC } }]) "
    "{ edges { node { code title departmentsConnection(sort: [{ node: { code_sort: ASC } }]) "
    "{ edges { node { code name } } } } } } } } } } }",
    lambda d: _plan_tree(d["plan"]),
    lambda d: _plan_tree(
        {
            "title": d["plans"][0]["title"],
            "commitments": [
                {
                    "code": c["code"],
                    "title": c["title"],
                    "milestones": [
                        m | {"departments": m["departmentsConnection"]}
                        for m in _nodes(c["milestonesConnection"])
                    ],
                }
                for c in _nodes(d["plans"][0]["commitmentsConnection"])
            ],
        }
    ),
    "MATCH (p:Plan {id: $id}) "
    "RETURN p {title: coalesce(p.title_en, p.title_fr), commitments: COLLECT { "
    "MATCH (p)-[:HAS_COMMITMENT]->(c:Commitment) WITH c ORDER BY c.id_sort LIMIT 50 "
    "RETURN c {.code, title: coalesce(c.title_en, c.title_fr), milestones: COLLECT { "
    "MATCH (c)-[:HAS_MILESTONE]->(m:Milestone) WITH m ORDER BY m.id_sort LIMIT 50 "
    "RETURN m {.code, title: coalesce(m.title_en, m.title_fr), departments: COLLECT { "
    "MATCH (m)-[:LED_BY]->(d:Department) WITH d ORDER BY d.code_sort, d.id_sort LIMIT 20 "
    "RETURN d {.code, name: coalesce(d.name_en, d.name_fr)} }} }} }} AS plan",
    {"id": PLAN_ID},
    cypher_shape=lambda rows: _plan_tree(rows[0]["plan"]),
)

FILTER = Case(
    "milestones led by a department",
    '{ milestones(first: 100, where: { departments: { some: { abbreviation: { eq: "TBS" } } } }) '
    "{ totalCount edges { node { id code title } } } }",
    "{ milestonesConnection(first: 100, sort: [{ id_sort: ASC }], where: { departments: "
    '{ some: { OR: [{ abbreviation: { eq: "TBS" } }, { abbreviation_fr: { eq: "TBS" } }] } } }) '
    "{ totalCount edges { node { id code title } } } }",
    lambda d: [d["milestones"]["totalCount"], _nodes(d["milestones"])],
    lambda d: [d["milestonesConnection"]["totalCount"], _nodes(d["milestonesConnection"])],
    "MATCH (d:Department) WHERE d.abbreviation_en = 'TBS' OR d.abbreviation_fr = 'TBS' "
    "MATCH (m:Milestone)-[:LED_BY]->(d) WITH DISTINCT m ORDER BY m.id_sort "
    "WITH collect(m) AS matched RETURN size(matched) AS total, "
    "[m IN matched[0..100] | m {.id, .code, title: coalesce(m.title_en, m.title_fr)}] AS nodes",
    {},
    cypher_shape=lambda rows: [rows[0]["total"], rows[0]["nodes"]],
)

INDICATOR_ID = "Indicator:CAN-2018-2020:C01.1.1"


def _indicator_links(n: Json) -> Json:
    return {
        "id": n["id"],
        "code": n["code"],
        "title": n["title"],
        "milestone": n["milestone"]["code"],
        "departments": [d["code"] for d in _nodes(n["departments"])],
        "updates": [u["period"] for u in _nodes(n["updates"])],
    }


BY_ID = Case(
    "indicator by id with its links",
    f'{{ node(id: "{INDICATOR_ID}") {{ ... on Indicator {{ id code title milestone {{ code }} '
    "departments { edges { node { code } } } updates { edges { node { period } } } } } }",
    f'{{ indicators(where: {{ id: {{ eq: "{INDICATOR_ID}" }} }}) {{ id code title '
    "milestone { code } departments(sort: [{ code_sort: ASC }]) { code } "
    "updates(sort: [{ period: ASC }, { id_sort: ASC }]) { period } } }",
    lambda d: _indicator_links(d["node"]),
    lambda d: _indicator_links(d["indicators"][0]),
    "MATCH (n:Indicator {id: $id}) RETURN n {.id, .code, "
    "title: coalesce(n.title_en, n.title_fr), "
    "milestone: head([(n)<-[:HAS_INDICATOR]-(m:Milestone) | m.code]), "
    "departments: COLLECT { MATCH (n)-[:LED_BY]->(d:Department) "
    "WITH d ORDER BY d.code_sort, d.id_sort LIMIT 20 RETURN d.code }, "
    "updates: COLLECT { MATCH (n)-[:HAS_UPDATE]->(u:ProgressUpdate) "
    "WITH u ORDER BY u.period, u.id_sort LIMIT 20 RETURN u.period }} AS node",
    {"id": INDICATOR_ID},
    cypher_shape=lambda rows: rows[0]["node"],
)

GROUPED = Case(
    "indicators grouped by department",
    "{ indicatorsAggregate { count groupedBy(by: [DEPARTMENT]) { keys count } } }",
    "{ indicatorsConnection { totalCount } departments { id indicatorsConnection "
    "{ totalCount } } }",
    lambda d: [
        d["indicatorsAggregate"]["count"],
        sorted(
            (g["keys"][0], g["count"])
            for g in d["indicatorsAggregate"]["groupedBy"]
            if g["count"] and g["keys"][0] is not None  # the peer has no "no department" group
        ),
    ],
    lambda d: [
        d["indicatorsConnection"]["totalCount"],
        sorted(
            (g["id"], g["indicatorsConnection"]["totalCount"])
            for g in d["departments"]
            if g["indicatorsConnection"]["totalCount"]
        ),
    ],
    "MATCH (n:Indicator) WITH count(n) AS total "
    "MATCH (d:Department)<-[:LED_BY]-(i:Indicator) "
    "WITH total, d.id AS key, count(i) AS count "
    "RETURN total, collect({key: key, count: count}) AS groups",
    {},
    cypher_shape=lambda rows: [
        rows[0]["total"],
        sorted((g["key"], g["count"]) for g in rows[0]["groups"] if g["count"]),
    ],
)

SEARCH_TEXT = "données ouvertes"


async def _search(endpoint: BoltEndpoint) -> engine.SearchResult:
    store = Store.connect(endpoint, 60)
    try:
        return await engine.search(
            store, SEARCH_TEXT, ["en", "fr"], list(ENTITY_LABELS), 0, 20, ["en", "fr"]
        )
    finally:
        await store.close()


async def _search_ids(endpoint: BoltEndpoint) -> Json:
    """The ids of the first page, from ogp-graph's engine called directly."""
    return [hit.node["id"] for hit in (await _search(endpoint)).hits]


async def _search_steps(endpoint: BoltEndpoint) -> Steps:
    """The two statements a search needs at least: its index buckets, then the ids of its
    page, from the labels on the page only."""
    plan = engine.plan_query(SEARCH_TEXT, ["en", "fr"])
    keys = plan.keys()
    ids = sorted({bucket_id(k) for k in keys} | {META_ID})
    hits = (await _search(endpoint)).hits
    driver = neo4j.AsyncGraphDatabase.driver(endpoint.uri, auth=(endpoint.user, endpoint.password))
    try:
        meta = await driver.execute_query(
            "MATCH (b:SearchIndex) WHERE b.id = $id RETURN b.labels AS labels",
            {"id": META_ID},
            database_=endpoint.database,
        )
    finally:
        await driver.close()
    labels = list(meta.records[0]["labels"] or []) if meta.records else []
    docs = engine._page_params([h.node["searchDoc"] for h in hits], labels)
    present = [label for label, found in docs.items() if found]
    page = " UNION ALL ".join(
        f"UNWIND $docs.{label} AS doc MATCH (n:{label} {{searchDoc: doc}}) RETURN n.id AS id"
        for label in present
    )
    return [(READ_BUCKETS.cypher, {"ids": ids}), (page, {"docs": {k: docs[k] for k in present}})]


SEARCH = Case(
    "search: 'données ouvertes'",
    f'{{ search(query: "{SEARCH_TEXT}", first: 20) {{ edges {{ node {{ entity {{ id }} }} }} }} }}',
    None,
    lambda d: [e["node"]["entity"]["id"] for e in d["search"]["edges"]],
    lambda d: d,
    "",
    {},
    steps=_search_steps,
    expected=_search_ids,
)

NESTED_PAGE = Case(
    "nested page: commitments with their first 3 milestones",
    "{ commitments(first: 20) { totalCount pageInfo { hasNextPage } edges { node { id "
    "milestones(first: 3) { totalCount pageInfo { hasNextPage } edges { node { code } } } } } } }",
    "{ commitmentsConnection(first: 20, sort: [{ id_sort: ASC }]) { totalCount pageInfo "
    "{ hasNextPage } edges { node { id milestonesConnection(first: 3, sort: [{ node: "
    "{ id_sort: ASC } }]) { totalCount pageInfo { hasNextPage } edges { node { code } } } } } } }",
    lambda d: _nested_page(d["commitments"], "milestones"),
    lambda d: _nested_page(d["commitmentsConnection"], "milestonesConnection"),
    "MATCH (c:Commitment) WITH c ORDER BY c.id_sort WITH collect(c) AS matched "
    "RETURN size(matched) AS total, size(matched) > 20 AS hasNext, [c IN matched[0..20] | c {.id, "
    "milestones: COUNT { (c)-[:HAS_MILESTONE]->(:Milestone) }, "
    "page: COLLECT { MATCH (c)-[:HAS_MILESTONE]->(m:Milestone) WITH m ORDER BY m.id_sort "
    "LIMIT 3 RETURN m.code }}] AS nodes",
    {},
    cypher_shape=lambda rows: [
        rows[0]["total"],
        rows[0]["hasNext"],
        [[n["id"], n["milestones"], n["milestones"] > 3, n["page"]] for n in rows[0]["nodes"]],
    ],
)


def _nested_page(conn: Json, inner: str) -> Json:
    return [
        conn["totalCount"],
        conn["pageInfo"]["hasNextPage"],
        [
            [
                n["id"],
                n[inner]["totalCount"],
                n[inner]["pageInfo"]["hasNextPage"],
                [m["code"] for m in _nodes(n[inner])],
            ]
            for n in _nodes(conn)
        ],
    ]


def cases() -> list[Case]:
    """Every query of the benchmark, in the order of the report."""
    return [PAGE, NESTED, FILTER, BY_ID, GROUPED, SEARCH, NESTED_PAGE]
