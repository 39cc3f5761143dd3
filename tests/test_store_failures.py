"""The store layer after a failure: a timed-out statement, a statement too large to send.

Against the real embedded store: what follows a failure must be answered as usual, and a
failure must be told for what it is (a timeout, a size), fast, with nothing half-written.
"""

from __future__ import annotations

import time

import pytest

from graph.errors import StatementTimeout, StatementTooLarge, StoreRejected
from graph.statements import Statement
from graph.store import MAX_MESSAGE_BYTES, BoltEndpoint, Store, Transaction, message_bytes
from tests.conftest import run

# not declared in graph.statements: test statements, not the code's
SLOW = Statement(
    "test.slow_count", "UNWIND range(1, 300000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n"
)
ONE = Statement("test.one", "RETURN 1 AS one")
CREATE_PROBE = Statement(
    "test.create_probe", "CREATE (n:Probe {id: $id, text: $text}) RETURN n.id AS id"
)
SIZE_OF = Statement("test.size_of", "RETURN size($text) AS n")
COUNT_PROBES = Statement("test.count_probes", "MATCH (n:Probe {id: $id}) RETURN count(n) AS n")


# --- fast layer: the size of a message, without a store ------------------------------------


def test_a_message_is_measured_at_no_less_than_its_parameters() -> None:
    text = "é" * 1000  # two bytes each in UTF-8
    size = message_bytes(CREATE_PROBE, {"id": "a", "text": text})
    assert size >= 2000 + len(CREATE_PROBE.cypher)
    assert size < 2000 + len(CREATE_PROBE.cypher) + 5000


def test_values_json_cannot_hold_are_still_measured() -> None:
    assert message_bytes(ONE, {"big": 2**70, "when": object()}) > len(ONE.cypher)


# --- against the store -----------------------------------------------------------------------


def test_requests_after_a_timed_out_one_are_answered(store_endpoint: BoltEndpoint) -> None:
    """The driver drops the connection of a cancelled statement; the next request opens a
    new one, which must not be held to the short timeout (it was: every request after a
    0.002 s timeout then failed as 'the store does not answer')."""

    async def check() -> None:
        hurried = Store.connect(store_endpoint, 0.002)
        patient = hurried.with_timeout(10)
        try:
            for _ in range(3):
                with pytest.raises(StatementTimeout, match=r"ran longer than 0\.002 s"):
                    await hurried.read(SLOW)
                for _ in range(3):
                    assert await patient.read(ONE) == [{"one": 1}]
        finally:
            await hurried.close()

    run(check())


def test_a_short_timeout_is_told_as_a_timeout_every_time(store_endpoint: BoltEndpoint) -> None:
    """However soon the timeout falls (opening a connection, sending, reading), it is told
    as a timeout, never as a store that does not answer."""

    async def check() -> None:
        store = Store.connect(store_endpoint, 0.001)
        try:
            for _ in range(15):
                with pytest.raises(StatementTimeout, match=r"ran longer than 0\.001 s"):
                    await store.read(SLOW)
        finally:
            await store.close()

    run(check())


def test_a_statement_too_large_for_one_message_is_refused_at_once(
    store_endpoint: BoltEndpoint,
) -> None:
    """Past the embedded store's 16 MiB a message made the driver wait for the statement
    timeout; it is refused before it is sent, naming the statement."""
    text = "x" * (MAX_MESSAGE_BYTES + 1)

    async def check() -> None:
        store = Store.connect(store_endpoint, 30)
        try:
            started = time.perf_counter()
            with pytest.raises(StatementTooLarge, match=r"'test\.create_probe' is too large") as e:
                await store.write(CREATE_PROBE, id="too-large", text=text)
            assert time.perf_counter() - started < 5
            assert isinstance(e.value, StoreRejected) and e.value.size > MAX_MESSAGE_BYTES
            assert await store.read(COUNT_PROBES, id="too-large") == [{"n": 0}]
            assert await store.read(ONE) == [{"one": 1}]  # the store still answers
        finally:
            await store.close()

    run(check())


def test_a_transaction_with_a_statement_too_large_writes_nothing(
    store_endpoint: BoltEndpoint,
) -> None:
    async def work(tx: Transaction) -> None:
        await tx.run(CREATE_PROBE, id="half-written", text="first part")
        await tx.run(CREATE_PROBE, id="half-written", text="y" * MAX_MESSAGE_BYTES)

    async def check() -> None:
        store = Store.connect(store_endpoint, 30)
        try:
            with pytest.raises(StatementTooLarge, match="nothing of it was sent"):
                await store.write_all(work, "a test write")
            assert await store.read(COUNT_PROBES, id="half-written") == [{"n": 0}]
        finally:
            await store.close()

    run(check())


def test_a_statement_just_under_the_limit_is_sent(store_endpoint: BoltEndpoint) -> None:
    text = "z" * (MAX_MESSAGE_BYTES // 2)

    async def check() -> None:
        store = Store.connect(store_endpoint, 60)
        try:
            assert await store.read(SIZE_OF, text=text) == [{"n": len(text)}]
        finally:
            await store.close()

    run(check())
