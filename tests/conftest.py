"""Fixtures that start real things: the embedded store (once per session) and the app over HTTP.

Tests that need them are marked ``store`` (``pytest -m "not store"`` runs the
fast layer alone: no JVM, no socket).

The session store holds the bundled dataset, the three real tracker definitions
of ../shared/data/canada-nap and a tracker records CSV written here, so every
test reads the same graph a user would after ``ogp-graph load``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

import schema.compiled
import schema.direct
from graph.constraints import ensure_schema
from graph.embedded import EmbeddedStore
from graph.index_order import ensure_index_order
from graph.settings import StoreSettings
from graph.store import BoltEndpoint, Store
from graph.writer import WriteReport
from ogp_graph.loading import ensure_bundled_dataset, load_locations
from schema.app import create_app
from schema.settings import ApiSettings
from tests.partnership_data import EXPLORER_CSV, OGP_DIR

#: fixtures of other modules, shared by the whole session
pytest_plugins = ("tests.fresh_serve",)

ROOT = Path(__file__).resolve().parents[1]
NAP_DIR = ROOT.parent / "shared" / "data" / "canada-nap"
NAP_FILES = {
    "CAN-2018-2020": NAP_DIR / "nap4-2018-2020.yaml",
    "CAN-2022-2024": NAP_DIR / "nap5-2022-2024.yaml",
    "CAN-2025-2029": NAP_DIR / "nap6-2025-2029.yaml",
}

#: progress records for the 2022-2024 plan, as the portal's CSV export writes them
TRACKER_CSV = (
    "\ufeffreporting_period,commitments,milestones,indicators,status,progress_en,progress_fr,"
    "evidence_en,evidence_fr,challenges_en,challenges_fr,record_created\n"
    '2022-12,C01,C01.1,C01.1.1,LP,"Started, with users","Commencé, avec les usagers",,,,,x\n'
    "2023-06,C01: Open Science,C01.1,C01.1.1,SP: Substantial progress,More done,Plus fait,"
    '"https://example.org/a, b",,,,x\n'
    '2023-06,C01,C01.1,C01.1.2,C,"Done.\nAll of it.",Fini.,,,Delays,Retards,x\n'
)


#: posts to a path of the app (``json=``, ``headers=``) and returns the response
Send = Callable[..., httpx.Response]

_exit_status = 0

#: fixtures that start the embedded store or a real server: a test using one is marked ``store``
STORE_FIXTURES = frozenset(
    {
        "session_store",
        "store_endpoint",
        "data_dir",
        "tracker_csv",
        "server",
        "gql",
        "fresh_serve",
        "partnership_loaded",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``store`` every test that needs the store through its fixtures, and run the
    tests that load the partnership sources into the session store last: the others count
    on the Canada data alone."""
    for item in items:
        if STORE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.store)
    items.sort(key=lambda item: "partnership_loaded" in getattr(item, "fixturenames", ()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without tearing the embedded JVM down.

    The store is stopped (its files closed) by the session fixture; what is left
    is the idle JVM, whose teardown at interpreter exit can crash (a segmentation
    fault after every test passed was seen in CI). The results are already written.
    """
    jpype = sys.modules.get("jpype")
    if jpype is not None and jpype.isJVMStarted():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)


def run(coro: Any) -> Any:
    """Run a coroutine to completion (tests are synchronous; the app has its own loop)."""
    return asyncio.run(coro)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SessionStore:
    """The store every test reads: where it listens, its folder, the CSV loaded into it."""

    endpoint: BoltEndpoint
    data_dir: Path
    tracker_csv: Path


@pytest.fixture(scope="session")
def session_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionStore]:
    """The embedded ArcadeDB store, started once, with everything loaded."""
    data_dir = tmp_path_factory.mktemp("store")
    store = EmbeddedStore(data_dir, heap="1g")
    endpoint = store.start()
    tracker = tmp_path_factory.mktemp("sources") / "nap5-progress.csv"
    tracker.write_text(TRACKER_CSV, encoding="utf-8")

    async def prepare() -> None:
        client = Store.connect(endpoint, 60.0)
        try:
            await ensure_schema(client)
            await ensure_bundled_dataset(client)
            await load_locations(client, [str(p) for p in NAP_FILES.values()] + [str(tracker)])
            await ensure_index_order(client)
        finally:
            await client.close()

    run(prepare())
    yield SessionStore(endpoint, data_dir, tracker)
    store.stop()


@pytest.fixture(scope="session")
def partnership_loaded(session_store: SessionStore) -> list[WriteReport]:
    """Loads ../shared/data/ogp into the session store, once: the 2016 Explorer first, then
    the whole folder (so OGP's current data replaces the Explorer's plans it describes).
    Returns the reports of the second load."""
    load_sources(session_store.endpoint, EXPLORER_CSV)
    return load_sources(session_store.endpoint, OGP_DIR)


def load_sources(endpoint: BoltEndpoint, *locations: Path | str) -> list[WriteReport]:
    """``ogp-graph load`` of ``locations`` into the store at ``endpoint``: its reports."""

    async def load() -> list[WriteReport]:
        client = Store.connect(endpoint, 300.0)
        try:
            return await load_locations(client, [str(p) for p in locations])
        finally:
            await client.close()

    return list(run(load()))


@pytest.fixture(scope="session")
def store_endpoint(session_store: SessionStore) -> BoltEndpoint:
    """Where the session store listens (Bolt on loopback)."""
    return session_store.endpoint


@pytest.fixture(scope="session")
def data_dir(session_store: SessionStore) -> Path:
    """The data folder of the session store (for CLI tests that reuse the running store)."""
    return session_store.data_dir


@pytest.fixture(scope="session")
def tracker_csv(session_store: SessionStore) -> Path:
    """The tracker records CSV loaded into the session store."""
    return session_store.tracker_csv


class Server:
    """The app served by uvicorn on a loopback port, in a thread."""

    def __init__(
        self,
        endpoint: BoltEndpoint,
        api: ApiSettings | None = None,
        store: StoreSettings | None = None,
    ) -> None:
        self.port = free_port()
        settings = store or StoreSettings(statement_timeout=10.0)
        app = create_app(endpoint, settings, api or ApiSettings())
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class GraphQLClient:
    """Sends GraphQL over HTTP, as a front end would (over a socket, or to the app in-process)."""

    def __init__(self, url: str | None = None, send: Send | None = None) -> None:
        if send is None:
            http = httpx.Client(base_url=url or "", timeout=60.0)
            send = http.post
        self.send = send

    def post(
        self, query: str, variables: dict[str, Any] | None = None, /, **headers: str
    ) -> dict[str, Any]:
        """The whole JSON response (``data``, ``errors``, ``extensions``)."""
        response = self.send(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        return response.json()

    def data(
        self, query: str, variables: dict[str, Any] | None = None, /, **headers: str
    ) -> dict[str, Any]:
        """``data`` of a request that must not fail."""
        body = self.post(query, variables, **headers)
        assert "errors" not in body, body.get("errors")
        return body["data"]

    def error(self, query: str, variables: dict[str, Any] | None = None) -> str:
        """The message of the first error of a request that must fail."""
        body = self.post(query, variables)
        assert body.get("errors"), body
        return body["errors"][0]["message"]

    def statements(self, query: str, variables: dict[str, Any] | None = None) -> int:
        """How many Cypher statements answering ``query`` took."""
        body = self.post(query, variables)
        assert "errors" not in body, body.get("errors")
        return body["extensions"]["cypher"]["statements"]


@pytest.fixture(scope="session")
def server(store_endpoint: BoltEndpoint) -> Iterator[Server]:
    with Server(store_endpoint) as running:
        yield running


@contextmanager
def in_process(app: Starlette) -> Iterator[Send]:
    """POST to ``app`` in this process (httpx through ASGI, no socket), its lifespan run.

    The app runs on an event loop of its own thread, as under uvicorn, so the tests
    stay synchronous.
    """
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://ogp-graph.test", timeout=60.0
        )
        try:
            yield lambda path, **kw: portal.call(partial(client.post, path, **kw))
        finally:
            portal.call(client.aclose)


@pytest.fixture(scope="session")
def gql(store_endpoint: BoltEndpoint) -> Iterator[GraphQLClient]:
    """The app in-process (no socket), on the session store."""
    app = create_app(store_endpoint, StoreSettings(statement_timeout=10.0), ApiSettings())
    with in_process(app) as send:
        yield GraphQLClient(send=send)


@pytest.fixture(scope="module")
def pair(store_endpoint: BoltEndpoint) -> Iterator[tuple[Send, Send]]:
    """Send functions of the app with the direct path on, and of one with it off."""
    settings = StoreSettings(statement_timeout=10.0)
    on_app = create_app(store_endpoint, settings, ApiSettings(direct=True))
    off_app = create_app(store_endpoint, settings, ApiSettings(direct=False))
    with in_process(on_app) as on, in_process(off_app) as off:
        yield on, off


def compiler_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the compiled engine off: every field is then read by its own loader."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise schema.compiled.Decline("switched off")

    monkeypatch.setattr(schema.compiled.Bridge, "pick", refuse)
    monkeypatch.setattr(schema.compiled.Bridge, "page", refuse)


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents the direct path answered (rather than handing them back)."""
    answered: list[str] = []
    real = schema.direct.DirectPath.run

    async def spy(
        self: schema.direct.DirectPath, plan: Any, context: Any, variables: Any, text: str
    ) -> Any:
        body = await real(self, plan, context, variables, text)
        if body is not None:
            answered.append(text)
        return body

    monkeypatch.setattr(schema.direct.DirectPath, "run", spy)
    return answered


def post_status(
    send: Send, query: str, variables: dict[str, Any] | None, headers: dict[str, str]
) -> tuple[int, Any]:
    """POST a query; its HTTP status and its JSON body."""
    response = send("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.status_code, response.json()
