"""One writer at a time: a lock node, taken in its own transaction, that every load holds.

The lock lives in the store itself, so it holds across processes and machines,
for the embedded store and for Neo4j alike. A unique constraint makes taking it
atomic: a second ``CREATE`` fails while the first holder's node exists. A holder
that died (``SIGKILL``) leaves its node behind; the node records the host and
process and an expiry, so a later load on the same host takes over at once and
any other after the expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from graph.errors import StoreBusy, StoreRejected
from graph.statements import Statement, statement
from graph.store import Store

LOCK_ID = "LoadLock:load"

_ENSURE = statement(
    "locks.ensure_constraint",
    "CREATE CONSTRAINT load_lock_id IF NOT EXISTS FOR (l:LoadLock) REQUIRE l.id IS UNIQUE",
)
_HOLDER = statement(
    "locks.holder",
    "MATCH (l:LoadLock {id: $id}) RETURN l.token AS token, l.host AS host, l.pid AS pid, "
    "l.what AS what, l.since AS since, l.expiresAt AS expiresAt",
)
_TAKE = statement(
    "locks.take",
    "CREATE (l:LoadLock {id: $id, token: $token, host: $host, pid: $pid, what: $what, "
    "since: $since, expiresAt: $expiresAt}) RETURN l.token AS token",
)
_DROP = statement(
    "locks.drop",
    "MATCH (l:LoadLock {id: $id}) WHERE l.token = $token DELETE l RETURN count(*) AS n",
)


def lintable_statements() -> list[Statement]:
    """Every statement of this module."""
    return [_ENSURE, _HOLDER, _TAKE, _DROP]


@dataclass(frozen=True)
class Holder:
    """Who holds the lock."""

    token: str
    host: str
    pid: int
    what: str
    since: float
    expires_at: float

    def stale(self, now: float) -> bool:
        """True when the holder is gone: its lease ran out, or its process on this host died."""
        if now > self.expires_at:
            return True
        return self.host == socket.gethostname() and not _pid_alive(self.pid)

    def describe(self) -> str:
        ago = max(0, round(time.time() - self.since))
        return f"{self.what} (process {self.pid} on {self.host}, started {ago} s ago)"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _holder(store: Store) -> Holder | None:
    rows = await store.read(_HOLDER, id=LOCK_ID)
    if not rows:
        return None
    row = rows[0]
    return Holder(
        str(row["token"]),
        str(row["host"]),
        int(row["pid"]),
        str(row["what"]),
        float(row["since"]),
        float(row["expiresAt"]),
    )


async def _try_take(store: Store, token: str, what: str, lease: float) -> Holder | None:
    """Take the lock; ``None`` when taken, else who holds it."""
    now = time.time()
    try:
        await store.write(
            _TAKE,
            id=LOCK_ID,
            token=token,
            host=socket.gethostname(),
            pid=os.getpid(),
            what=what,
            since=now,
            expiresAt=now + lease,
        )
        return None
    except StoreRejected:
        holder = await _holder(store)
        if holder is None:  # released meanwhile
            return await _try_take(store, token, what, lease)
        if holder.stale(time.time()):
            await store.write(_DROP, id=LOCK_ID, token=holder.token)
            return await _try_take(store, token, what, lease)
        return holder


@contextlib.asynccontextmanager
async def load_lock(
    store: Store,
    what: str,
    *,
    wait: float,
    lease: float,
    waiting: Callable[[str], None] | None = None,
) -> AsyncIterator[None]:
    """Hold the store's load lock inside the ``with`` block.

    Waits up to ``wait`` seconds for another holder (calling ``waiting`` once with
    its description), then raises :class:`StoreBusy`. ``lease`` bounds how long a
    holder that died keeps others out.
    """
    await store.write(_ENSURE)
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    told = False
    while True:
        holder = await _try_take(store, token, what, lease)
        if holder is None:
            break
        if time.monotonic() >= deadline:
            raise StoreBusy(
                f"another load is writing to the store at {store.endpoint.description}: "
                f"{holder.describe()}; try again when it has ended"
            )
        if not told and waiting is not None:
            waiting(f"waiting for another load to end: {holder.describe()}")
            told = True
        await asyncio.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    try:
        yield
    finally:
        await asyncio.shield(store.write(_DROP, id=LOCK_ID, token=token))
