"""The executor: the only code that talks to the driver.

It runs named statements as reads (auto-commit, in read-mode sessions, so that
``neo4j://`` routing sends them to readers) or write transactions, applies the
statement timeout, counts and times every statement, and turns driver failures into
:mod:`graph.errors`.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import neo4j
import orjson
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j import exceptions as neo4j_errors

from graph.errors import (
    StatementTimeout,
    StatementTooLarge,
    StoreError,
    StoreRejected,
    StoreUnavailable,
)
from graph.parameters import Rows
from graph.records import row
from graph.statements import Statement

log = logging.getLogger("ogp_graph.store")

T = TypeVar("T")
Row = dict[str, Any]

#: the largest Bolt message the embedded store takes (ArcadeDB's Bolt plug-in). Past it, the
#: store answers with a failure and then no longer answers the driver's reset, so the driver
#: would wait until the statement timeout: such a statement is refused before it is sent.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
#: room kept for what the message holds besides the text and parameters
_MESSAGE_OVERHEAD = 4096
#: the wait before a failed read is sent again (doubled at each attempt)
_FIRST_RETRY_DELAY = 0.05
#: read sessions kept for reuse (as many as reads at once, at most)
_MAX_IDLE_SESSIONS = 64


@dataclass
class StatementLog:
    """What one unit of work (an HTTP request, a load) sent to the store."""

    names: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        """How many statements were sent."""
        return len(self.names)


_current_log: contextvars.ContextVar[StatementLog | None] = contextvars.ContextVar(
    "ogp_graph_statement_log", default=None
)


@contextmanager
def statement_log() -> Iterator[StatementLog]:
    """Count the statements sent inside the ``with`` block (per task/request)."""
    entry = StatementLog()
    token = _current_log.set(entry)
    try:
        yield entry
    finally:
        _current_log.reset(token)


@dataclass(frozen=True)
class BoltEndpoint:
    """Where and how to reach a store over Bolt."""

    uri: str
    user: str
    password: str
    database: str

    @property
    def description(self) -> str:
        """The address and database, for messages (never the password)."""
        return f"{self.uri} (database {self.database!r})"


class Store:
    """A connected store: run statements, batch writes in one transaction."""

    def __init__(
        self,
        driver: AsyncDriver,
        endpoint: BoltEndpoint,
        timeout: float,
        retry_time: float = 1.0,
        idle: list[neo4j.AsyncSession] | None = None,
    ) -> None:
        self._driver = driver
        self.endpoint = endpoint
        self.timeout = timeout
        #: how long a read that failed for a reason worth retrying is sent again
        self._retry_time = min(timeout, retry_time)
        #: read sessions whose last statement ended well, for the next reads (shared with
        #: the stores of :meth:`with_timeout`); see :meth:`_read_once`
        self._idle: list[neo4j.AsyncSession] = [] if idle is None else idle
        self._routing = endpoint.uri.startswith("neo4j")

    @classmethod
    def connect(cls, endpoint: BoltEndpoint, timeout: float, connect_timeout: float = 1.0) -> Store:
        """Create the driver (connections are opened lazily, on first use).

        ``connect_timeout`` bounds how long a transaction retries a store it cannot
        reach: while the store is down a request fails after about that long (the
        driver's default is 30 s), and once it is back the next request opens fresh
        connections by itself. Opening one connection (TCP, TLS, log-in) may take
        longer: a store that has just started can be slow to log in.

        The connection timeouts do not shrink with the statement timeout: a statement
        that times out is cancelled, and the driver then drops its connection (the store
        may still be sending its records), so the next request opens a new one. Had that
        opening the statement's budget, a short timeout would fail every request after it
        as "unreachable". Each request stays bounded by the statement timeout itself.
        """
        retry_time = min(timeout, connect_timeout)
        driver = AsyncGraphDatabase.driver(
            endpoint.uri,
            auth=(endpoint.user, endpoint.password),
            connection_timeout=max(connect_timeout, 5.0),
            connection_acquisition_timeout=max(connect_timeout, 10.0),
            max_transaction_retry_time=retry_time,
            notifications_min_severity="OFF",
        )
        return cls(driver, endpoint, timeout, retry_time)

    def with_timeout(self, timeout: float) -> Store:
        """The same connections, with another statement timeout (closing either closes both)."""
        return Store(self._driver, self.endpoint, timeout, self._retry_time, self._idle)

    async def close(self) -> None:
        """Close every connection."""
        idle, self._idle[:] = list(self._idle), []
        for session in idle:
            await session.close()
        await self._driver.close()

    async def verify(self) -> None:
        """Fail with :class:`StoreUnavailable` unless the store answers."""
        await self._guard(self._driver.verify_connectivity(), "connect")

    async def read(self, stmt: Statement, **params: Any) -> list[Row]:
        """Run one read statement and return its rows as dicts.

        Reads are auto-commit: one round trip (RUN and PULL) where a managed read
        transaction takes three (BEGIN, RUN and PULL, COMMIT), about 0.5 ms less per
        statement on the embedded store. A read changes nothing, so one that fails for a
        reason the driver calls retryable (a connection the store closed, a transient
        error) is sent again, as a managed transaction would be, for up to the retry time.
        """
        return await self._guard(self._read_retrying(stmt, params), stmt.name)

    async def _read_retrying(self, stmt: Statement, params: dict[str, Any]) -> list[Row]:
        query = neo4j.Query(stmt.cypher, timeout=self.timeout)
        deadline = time.monotonic() + self._retry_time
        delay = _FIRST_RETRY_DELAY
        while True:
            try:
                return await self._read_once(stmt, params, query)
            except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
                if not exc.is_retryable() or time.monotonic() + delay > deadline:
                    raise
                log.debug("retrying %s in %.2f s: %s", stmt.name, delay, exc)
            await asyncio.sleep(delay)
            delay *= 2

    async def _read_once(
        self, stmt: Statement, params: dict[str, Any], query: neo4j.Query
    ) -> list[Row]:
        """One auto-commit read in an idle session, kept for the next read if it ends well.

        A session holds no connection between statements (it takes one from the driver's
        pool for each), so keeping it costs nothing; making one costs the driver about
        40 µs, a sixth of its work for a small read. A session whose statement failed or
        was cancelled is closed, never reused. Reads only: a session chains the bookmarks
        of its statements, which a read makes no other read wait for on one server; behind a
        routing address (``neo4j://``, a cluster) a read could wait for a lagging reader to
        catch up with an earlier request's, so there each read has a session of its own.
        """
        session = self._idle.pop() if self._idle else self._session(neo4j.READ_ACCESS)
        try:
            rows = await self._run(session, stmt, params, query)
        except BaseException:
            await session.close()
            raise
        if len(self._idle) < _MAX_IDLE_SESSIONS and not self._routing:
            self._idle.append(session)
        else:
            await session.close()
        return rows

    async def plan(self, stmt: Statement, **params: Any) -> dict[str, Any] | None:
        """The plan the store reports for ``stmt`` (an ``EXPLAIN`` statement), as the
        driver gives it: ``operatorType``, ``args``, ``children``; None if it reports none."""

        async def explain() -> dict[str, Any] | None:
            async with self._session(neo4j.READ_ACCESS) as session:
                result = await session.run(neo4j.Query(stmt.cypher, timeout=self.timeout), params)
                summary = await result.consume()
                return summary.plan

        return await self._guard(explain(), stmt.name)

    async def write(self, stmt: Statement, **params: Any) -> list[Row]:
        """Run one statement in a write transaction."""

        @neo4j.unit_of_work(timeout=self.timeout)
        async def work(tx: AsyncManagedTransaction) -> list[Row]:
            return await self._run(tx, stmt, params)

        async with self._session() as session:
            return await self._guard(session.execute_write(work), stmt.name)

    async def write_all(self, work: Callable[[Transaction], Awaitable[T]], what: str) -> T:
        """Run ``work`` in one write transaction: all of it is stored, or nothing."""
        async with self._session() as session:
            tx = await self._guard(session.begin_transaction(timeout=self.timeout * 20), what)
            try:
                result = await work(Transaction(self, tx))
            except BaseException:
                await asyncio.shield(_rollback_quietly(tx))
                raise
            await self._guard(tx.commit(), what)
            return result

    def _session(self, mode: str = neo4j.WRITE_ACCESS) -> neo4j.AsyncSession:
        return self._driver.session(database=self.endpoint.database, default_access_mode=mode)

    async def _run(
        self,
        runner: Any,
        stmt: Statement,
        params: dict[str, Any],
        query: neo4j.Query | None = None,
    ) -> list[Row]:
        """Run ``stmt`` on ``runner`` (a transaction, or a session for an auto-commit read)."""
        check_message_size(stmt, params)
        started = time.perf_counter()
        entry = _current_log.get()
        if entry is not None:
            entry.names.append(stmt.name)
        try:
            result = await runner.run(query or stmt.cypher, params)
            if stmt.projected:  # values as the driver decodes them: nothing to convert
                rows: list[Row] = [
                    dict(zip(record.keys(), record, strict=True)) async for record in result
                ]
            else:
                rows = [row(record) async for record in result]  # result.data()
        finally:
            elapsed = time.perf_counter() - started
            if entry is not None:
                entry.seconds += elapsed
            log.debug("statement %s took %.1f ms", stmt.name, elapsed * 1000)
        return rows

    async def _guard(self, awaitable: Awaitable[T], what: str) -> T:
        """Await with the client-side timeout and translate driver errors."""
        try:
            async with asyncio.timeout(self.timeout):  # no task of its own, unlike wait_for
                return await awaitable
        except TimeoutError as exc:
            raise StatementTimeout(
                f"the statement {what!r} ran longer than {self.timeout:g} s and was stopped",
                self.timeout,
            ) from exc
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
            raise StoreUnavailable(
                f"the graph store at {self.endpoint.description} is unreachable "
                f"({unreachable_reason(exc)})"
            ) from exc
        except neo4j_errors.AuthError as exc:
            raise StoreUnavailable(
                f"the graph store at {self.endpoint.description} refused the credentials "
                f"of user {self.endpoint.user!r} (check NEO4J_USER and NEO4J_PASSWORD)"
            ) from exc
        except neo4j_errors.ClientError as exc:
            if "TimedOut" in (exc.code or "") or "Timeout" in (exc.code or ""):
                raise StatementTimeout(
                    f"the statement {what!r} ran longer than {self.timeout:g} s and was stopped",
                    self.timeout,
                ) from exc
            raise StoreRejected(f"the store refused {what!r}: {exc.message}") from exc
        except neo4j_errors.Neo4jError as exc:
            raise StoreError(f"the store failed on {what!r}: {exc.message}") from exc
        except neo4j_errors.DriverError as exc:
            raise StoreUnavailable(
                f"the graph store at {self.endpoint.description} failed ({unreachable_reason(exc)})"
            ) from exc


def message_bytes(stmt: Statement, params: dict[str, Any]) -> int:
    """About how many bytes the statement's Bolt message takes, never much less.

    Measured as JSON (orjson: fast enough for every statement of a load): a value packs
    into no more bytes than its JSON text, but for a few bytes per long string.
    """
    try:
        body = len(orjson.dumps(params, default=str, option=orjson.OPT_NON_STR_KEYS))
    except (orjson.JSONEncodeError, TypeError):  # an integer past 64 bits, say
        body = len(str(params).encode())
    return len(stmt.cypher.encode()) + body + _MESSAGE_OVERHEAD


def check_message_size(stmt: Statement, params: dict[str, Any]) -> None:
    """Refuse, before sending anything, a statement too large for one Bolt message."""
    size = message_bytes(stmt, params)
    if size > MAX_MESSAGE_BYTES:
        raise StatementTooLarge(
            f"the statement {stmt.name!r} is too large to send: about {size / 2**20:.1f} MiB "
            f"with its parameters, over the store's limit of {MAX_MESSAGE_BYTES // 2**20} MiB "
            "per message; nothing of it was sent (send it in smaller parts)",
            size,
            MAX_MESSAGE_BYTES,
        )


_ERRNO = re.compile(r"\[Errno (-?\d+)\]")
_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused: nothing listens there",
    errno.EHOSTUNREACH: "no route to that host",
    errno.ENETUNREACH: "no route to that network",
    errno.ETIMEDOUT: "no answer in time",
    errno.ECONNRESET: "the connection was lost",
}


def unreachable_reason(exc: BaseException) -> str:
    """Why a connection failed, in a few words, without the driver's internals."""
    text = str(exc)
    lowered = text.lower()
    found = _ERRNO.search(text)
    if found:
        number = int(found.group(1))
        if number in _ERRNO_WORDS:
            return _ERRNO_WORDS[number]
        if number > 0:
            return os.strerror(number).lower()
    if (
        "name or service not known" in lowered
        or "name resolution" in lowered
        or ("nodename nor servname" in lowered)
    ):
        return "unknown host name"
    if "refused" in lowered:
        return "connection refused: nothing listens there"
    if "timed out" in lowered or isinstance(exc, TimeoutError):
        return "no answer in time"
    if "ssl" in lowered or "certificate" in lowered:
        return "the TLS handshake failed"
    if "defunct" in lowered or "reset" in lowered or "closed" in lowered:
        return "the connection was lost"
    if "routing" in lowered:
        return "no routing information: is it a cluster? try bolt:// instead of neo4j://"
    return "it does not answer"


class Transaction:
    """An open write transaction handed to :meth:`Store.write_all`."""

    def __init__(self, store: Store, tx: neo4j.AsyncTransaction) -> None:
        self._store = store
        self._tx = tx

    async def run(self, stmt: Statement, **params: Any) -> list[Row]:
        """Run one statement inside the transaction (its lists of rows as :class:`Rows`)."""
        params = {k: Rows(v) if type(v) is list else v for k, v in params.items()}
        return await self._store._guard(self._store._run(self._tx, stmt, params), stmt.name)


async def _rollback_quietly(tx: neo4j.AsyncTransaction) -> None:
    try:
        await tx.rollback()
    except Exception:  # the original error is the one worth reporting
        log.debug("rollback failed", exc_info=True)
