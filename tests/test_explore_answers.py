"""Exploration answers a drawing can trust: each node once, a documented order, stable limits."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store

VIEW = "truncated nodes { id type label } edges { source target type }"


def _neighborhood(gql: GraphQLClient, id: str, depth: int, limit: int | None = None) -> dict:
    args = f'id: "{id}", depth: {depth}' + ("" if limit is None else f", limit: {limit}")
    return gql.data(f"{{ neighborhood({args}) {{ {VIEW} }} }}")["neighborhood"]


def _hops(view: dict, start: str) -> dict[str, int]:
    """Each node's distance from ``start`` over the view's own edges (breadth first)."""
    links: dict[str, set[str]] = {}
    for edge in view["edges"]:
        links.setdefault(edge["source"], set()).add(edge["target"])
        links.setdefault(edge["target"], set()).add(edge["source"])
    seen, frontier, hops = {start: 0}, [start], 0
    while frontier:
        hops += 1
        frontier = [n for f in frontier for n in sorted(links.get(f, ())) if n not in seen]
        for n in frontier:
            seen.setdefault(n, hops)
    return seen


@pytest.mark.parametrize(
    ("start", "depth"),
    [("Plan:CAN-2016-2018", 3), ("Country:CAN", 2), ("Person:nathaniel-heller", 3)],
)
def test_each_node_comes_once_start_first_then_by_distance_and_id(
    gql: GraphQLClient, start: str, depth: int
) -> None:
    view = _neighborhood(gql, start, depth)
    ids = [n["id"] for n in view["nodes"]]
    assert ids[0] == start
    assert len(ids) == len(set(ids)), "a node came twice"
    hops = _hops(view, start)
    assert set(hops) == set(ids), "every node is reachable through the edges given"
    assert ids[1:] == sorted(ids[1:], key=lambda i: (hops[i], i))
    assert max(hops.values()) <= depth
    edges = [(e["source"], e["type"], e["target"]) for e in view["edges"]]
    assert edges == sorted(set(edges)), "edges once each, by source, type, target"


def test_a_limit_keeps_the_nearest_nodes_by_id(gql: GraphQLClient) -> None:
    whole = _neighborhood(gql, "Country:CAN", 2)
    assert not whole["truncated"] and len(whole["nodes"]) > 12
    for limit in (0, 1, 5, 11):
        part = _neighborhood(gql, "Country:CAN", 2, limit)
        assert part["truncated"]
        assert [n["id"] for n in part["nodes"]] == [n["id"] for n in whole["nodes"][: limit + 1]]
        kept = {n["id"] for n in part["nodes"]}
        inside = [e for e in whole["edges"] if e["source"] in kept and e["target"] in kept]
        assert part["edges"] == inside
    exact = _neighborhood(gql, "Country:CAN", 2, len(whole["nodes"]) - 1)
    assert not exact["truncated"] and exact["nodes"] == whole["nodes"]


def test_the_same_question_gives_the_same_answer(gql: GraphQLClient) -> None:
    first = _neighborhood(gql, "Plan:CAN-2018-2020", 2, 40)
    assert all(_neighborhood(gql, "Plan:CAN-2018-2020", 2, 40) == first for _ in range(3))


def test_of_equal_shortest_paths_the_smallest_sequence_of_ids_is_chosen(
    gql: GraphQLClient,
) -> None:
    # from a department to Canada: through any milestone it leads, all 4 hops long
    query = """{ shortestPath(from: "Department:tbs-sct", to: "Country:CAN") {
        nodes { id } edges { source target type } } }"""
    path = gql.data(query)["shortestPath"]
    ids = [n["id"] for n in path["nodes"]]
    milestones = gql.data(
        """{ milestones(first: 500, where: { departments: { some: { code: { eq: "tbs-sct" } } } }) {
            nodes { id commitment { id plan { id } } } } }"""
    )["milestones"]["nodes"]
    candidates = [
        ["Department:tbs-sct", m["id"], m["commitment"]["id"], m["commitment"]["plan"]["id"]]
        for m in milestones
    ]
    assert len(candidates) > 1
    assert len(ids) == 5 and ids[:4] == min(candidates) and ids[-1] == "Country:CAN"
    assert (path["edges"][0]["source"], path["edges"][0]["target"]) == (ids[1], ids[0])
    assert all(gql.data(query)["shortestPath"] == path for _ in range(2))
