"""The search index at start: an index of an older version, or one that counts entities the
store no longer holds, is rebuilt before the service answers; a co-chair's organisation is
searched.
"""

from __future__ import annotations

import time

import pytest

from graph.analysis import VERSION
from graph.search import IndexState, ensure_search_index, index_state
from graph.statements import Statement
from graph.store import BoltEndpoint, Store
from graph.writer import WriteReport
from tests.conftest import GraphQLClient, run

SEARCH = """query ($q: String!) { search(query: $q, first: 20) {
  totalCount edges { node { entity { __typename id } matches { field snippet } } } } }"""

# test statements (not the code's): make the store's index look like an older one's
_AS_VERSION_ONE = Statement(
    "test.index_as_version_one",
    "MATCH (b:SearchIndex) SET b.id = replace(b.id, $current, 'SearchIndex:1:'), "
    "b.version = CASE WHEN b.version IS NULL THEN NULL ELSE '1' END RETURN count(b) AS n",
)
_COUNTING_DELETED = Statement(
    "test.index_counting_deleted",
    "MATCH (m:SearchIndex {id: $id}) SET m.docs = m.docs + 7 RETURN m.docs AS docs",
)
_OLD_NODES = Statement(
    "test.old_index_nodes",
    "MATCH (b:SearchIndex) WHERE b.id STARTS WITH 'SearchIndex:1:' RETURN count(b) AS n",
)


def _search(gql: GraphQLClient, query: str) -> dict:
    return gql.data(SEARCH, {"q": query})["search"]


def _found(gql: GraphQLClient, query: str) -> tuple[int, set[str]]:
    """How many match, and the entities of the first page: a rebuild numbers documents anew,
    which may change the order of equal scores, never what is found."""
    result = _search(gql, query)
    return result["totalCount"], {edge["node"]["entity"]["id"] for edge in result["edges"]}


# --- fast layer --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (IndexState(None, 0, 0), None),  # an empty store has nothing to index
        (IndexState(VERSION, 120, 120), None),
        (IndexState(None, 0, 120), "the store has no search index"),
        (IndexState("1", 120, 120), "built by analyser version 1, not"),
        (IndexState(VERSION, 127, 120), "counts 127 entities where the store holds 120"),
    ],
)
def test_an_index_is_stale_when_its_version_or_its_count_is_not_the_stores(
    state: IndexState, reason: str | None
) -> None:
    if reason is None:
        assert state.stale is None
    else:
        assert state.stale is not None and reason in state.stale


# --- against the store -------------------------------------------------------------------------


def test_a_co_chair_is_found_by_its_organisation(gql: GraphQLClient) -> None:
    result = _search(gql, "World Resources Institute")
    first = result["edges"][0]["node"]
    assert first["entity"]["__typename"] == "CoChair"
    assert first["entity"]["id"].endswith(":CIVIL_SOCIETY")
    assert any(match["field"] == "organization" for match in first["matches"])
    chair = gql.data(
        "query ($id: ID!) { node(id: $id) { ... on CoChair { organization person { name } } } }",
        {"id": first["entity"]["id"]},
    )["node"]
    assert chair == {
        "organization": "World Resources Institute",
        "person": {"name": "Manish Bapna"},
    }
    assert "CoChair" in {
        edge["node"]["entity"]["__typename"] for edge in _search(gql, "GESOC")["edges"]
    }


def test_a_current_index_is_left_alone(store_endpoint: BoltEndpoint) -> None:
    async def check() -> tuple[IndexState, IndexState | None]:
        store = Store.connect(store_endpoint, 60)
        try:
            return await index_state(store), await ensure_search_index(store)
        finally:
            await store.close()

    state, rebuilt = run(check())
    assert state.version == VERSION and state.docs == state.entities > 500
    assert rebuilt is None


def test_an_older_or_miscounting_index_is_rebuilt_with_the_same_answers(
    store_endpoint: BoltEndpoint, gql: GraphQLClient, partnership_loaded: list[WriteReport]
) -> None:
    queries = ("open data", "Albania", "Nathaniel Heller", "TBS")
    before = {query: _found(gql, query) for query in queries}
    assert all(total for total, _ in before.values())

    async def change(stmt: Statement, **params: str) -> None:
        store = Store.connect(store_endpoint, 60)
        try:
            await store.write(stmt, **params)
        finally:
            await store.close()

    async def ensure() -> tuple[IndexState | None, int, float]:
        store = Store.connect(store_endpoint, 60)
        try:
            started = time.perf_counter()
            rebuilt = await ensure_search_index(store)
            took = time.perf_counter() - started
            old = (await store.read(_OLD_NODES))[0]["n"]
            return rebuilt, old, took
        finally:
            await store.close()

    # an index written by analyser version 1: this version reads none of it
    run(change(_AS_VERSION_ONE, current=f"SearchIndex:{VERSION}:"))
    assert _search(gql, "open data")["totalCount"] == 0
    rebuilt, old, took = run(ensure())
    assert rebuilt is not None and rebuilt.version == "1"
    assert old == 0  # the older index's nodes are gone
    assert took < 120
    assert {query: _found(gql, query) for query in queries} == before

    # an index that still counts entities the store no longer holds
    run(change(_COUNTING_DELETED, id=f"SearchIndex:{VERSION}:meta"))
    rebuilt, _, _ = run(ensure())
    assert rebuilt is not None and rebuilt.docs == rebuilt.entities + 7
    assert {query: _found(gql, query) for query in queries} == before
