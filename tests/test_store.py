"""The store layer against the real embedded store: every statement, timeouts, atomic writes."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from graph.document import GraphDocument
from graph.errors import StatementTimeout, StoreRejected, StoreUnavailable
from graph.settings import StoreSettings
from graph.statements import Statement, all_statements, statement
from graph.store import BoltEndpoint, Store, Transaction
from graph.writer import write_document
from tests.conftest import GraphQLClient, Server, free_port, run

pytestmark = pytest.mark.store  # the embedded store (a JVM) and the app

#: a value of the right shape for each parameter name the code uses
_DEFAULTS: dict[str, Any] = {
    "rows": [],
    "ids": ["Plan:CAN-2016-2018"],
    "parents": ["Plan:CAN-2016-2018"],
    "id": "Plan:CAN-2016-2018",
    "skip": 0,
    "limit": 3,
    "period": "2023-06",
    "words": ["open"],
    "phrase": "open",
    "lang": "en",
    "types": ["Plan"],
    "from": "Country:CAN",
    "to": "Department:tbs-sct",
    "name": "lint",
    "version": "0",
    "loadedAt": "2026-01-01T00:00:00+00:00",
}


class _RolledBack(Exception):
    pass


def _params(item: Statement) -> dict[str, Any]:
    names = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", item.cypher))
    params = {name: _DEFAULTS.get(name, "x") for name in names}
    params.update(item.example or {})
    return params


def test_every_statement_the_code_can_send_runs_on_the_embedded_store(
    store_endpoint: BoltEndpoint,
) -> None:
    statements = all_statements()
    # constraints and indexes (not data statements that happen to start with CREATE); an
    # index dropped (to be created again: graph/index_order.py) is dropped first
    is_schema = re.compile(r"(CREATE|DROP) (CONSTRAINT|(\w+ )?INDEX)\b").match
    schema = [s for s in statements if is_schema(s.cypher)]
    schema.sort(key=lambda s: not s.cypher.startswith("DROP "))
    others = [s for s in statements if not is_schema(s.cypher)]
    assert len(statements) > 300

    async def check() -> list[str]:
        store = Store.connect(store_endpoint, 30)
        failures: list[str] = []
        try:
            for item in schema:  # idempotent: IF NOT EXISTS
                await store.write(item)

            # each in its own transaction, rolled back: the session store does not change
            for item in others:

                async def work(tx: Transaction, item: Statement = item) -> None:
                    await tx.run(item, **_params(item))
                    raise _RolledBack

                try:
                    await store.write_all(work, item.name)
                except _RolledBack:
                    pass
                except Exception as exc:  # collect them all, then fail once
                    failures.append(f"{item.name}: {exc}")
            return failures
        finally:
            await store.close()

    failures = run(check())
    assert not failures, "\n".join(failures[:20])


def test_a_slow_statement_is_stopped_at_the_timeout(store_endpoint: BoltEndpoint) -> None:
    slow = statement(
        "test.slow",
        "UNWIND range(1, 3000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n",
    )

    async def check() -> None:
        store = Store.connect(store_endpoint, 0.3)
        try:
            with pytest.raises(StatementTimeout, match=r"ran longer than 0\.3 s"):
                await store.read(slow)
            # the store still answers afterwards
            assert await Store.connect(store_endpoint, 10).read(
                statement("test.one", "RETURN 1 AS one")
            ) == [{"one": 1}]
        finally:
            await store.close()

    run(check())


def test_reads_reuse_a_session_that_ended_well_and_drop_one_that_failed(
    store_endpoint: BoltEndpoint,
) -> None:
    one = statement("test.one", "RETURN 1 AS one")
    broken = statement("test.broken", "RETURN 1 / $zero AS n")

    async def check() -> None:
        store = Store.connect(store_endpoint, 10)
        try:
            assert await store.read(one) == [{"one": 1}]
            kept = list(store._idle)
            assert len(kept) == 1
            assert await store.read(one) == [{"one": 1}]
            assert store._idle == kept  # the same session again
            with pytest.raises(StoreRejected):
                await store.read(broken, zero=0)
            assert store._idle == []  # the failed statement's session is closed
            assert await store.read(one) == [{"one": 1}]
            assert len(store._idle) == 1 and store._idle != kept
            # stores made with another timeout share the kept sessions
            assert store.with_timeout(5)._idle is store._idle
        finally:
            await store.close()
        assert store._idle == []
        # behind a routing address each read has a session of its own (no chained bookmarks)
        routed = Store.connect(
            replace(store_endpoint, uri=store_endpoint.uri.replace("bolt", "neo4j")), 10
        )
        try:
            assert routed._routing and not store._routing
        finally:
            await routed.close()

    run(check())


def test_the_timeout_reaches_api_users_as_a_plain_error(store_endpoint: BoltEndpoint) -> None:
    with Server(store_endpoint, store=StoreSettings(statement_timeout=0.001)) as server:
        body = GraphQLClient(server.url).post(
            '{ search(query: "open government data") { totalCount } }'
        )
    message = body["errors"][0]["message"]
    assert message.startswith("The request ran longer than 0.001 s and was stopped; ask for less")
    assert "search." not in message  # no statement name


def test_a_document_that_cannot_be_written_whole_writes_nothing(
    store_endpoint: BoltEndpoint, gql: GraphQLClient
) -> None:
    doc = GraphDocument("broken-test", "1")
    doc.add_node("Person", "someone-new", "test#people/0", {"name": "Someone New"})
    doc.link("HELD_BY", "CoChair:2018-2019:GOVERNMENT", "Person:someone-new")
    doc.link("HELD_BY", "CoChair:2099-2100:GOVERNMENT", "Person:someone-new")  # no such chair

    async def write() -> None:
        store = Store.connect(store_endpoint, 30)
        try:
            await write_document(store, doc)
        finally:
            await store.close()

    with pytest.raises(
        StoreRejected, match="name a node that is neither in the file nor in the store"
    ):
        run(write())
    assert gql.data('{ node(id: "Person:someone-new") { id } }') == {"node": None}
    chair = gql.data(
        '{ node(id: "CoChair:2018-2019:GOVERNMENT") { ... on CoChair { person { name } } } }'
    )
    assert chair["node"]["person"] is None


def test_an_unreachable_store_raises_store_unavailable() -> None:
    async def check() -> None:
        store = Store.connect(BoltEndpoint(f"bolt://127.0.0.1:{free_port()}", "u", "p", "db"), 5)
        try:
            with pytest.raises(StoreUnavailable, match="unreachable"):
                await store.read(statement("test.one", "RETURN 1 AS one"))
        finally:
            await store.close()

    run(check())
