"""Plain GraphQL POSTs take the short way (schema/transport/lane.py) and get the same answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.routing import Route

from graph.settings import StoreSettings
from graph.store import BoltEndpoint
from schema.app import create_app
from schema.settings import ApiSettings
from schema.transport.lane import GraphQLLane
from tests.conftest import Send, in_process

PLAIN = {"Accept-Encoding": "identity"}
#: the same request, from a page on another origin: CORS, so the whole way
CROSS_ORIGIN = PLAIN | {"Origin": "https://tracker.example.org"}
GZIP = {"Accept-Encoding": "gzip"}

REQUESTS = [
    {"query": '{ plan(id: "Plan:CAN-2018-2020") { title commitments(first: 3) { totalCount } } }'},
    {"query": "{ indicators(first: 50) { edges { node { id code title } } } }"},  # > gzip minimum
    {"query": "{ plan(id: 1 }"},  # a syntax error
    {"query": "query ($n: Int!) { milestones(first: $n) { totalCount } }", "variables": {}},
    {"query": "mutation { nothing }"},
]


@pytest.fixture(scope="module")
def send(store_endpoint: BoltEndpoint) -> Iterator[Send]:
    app = create_app(store_endpoint, StoreSettings(statement_timeout=10.0), ApiSettings())
    with in_process(app) as post:
        yield post


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the router sent to a route (the lane goes around it)."""
    seen: list[str] = []
    real = Route.handle

    async def spy(self: Route, scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])
        await real(self, scope, receive, send)

    monkeypatch.setattr(Route, "handle", spy)
    return seen


def _shown(response: Any) -> tuple[int, Any, dict[str, str]]:
    """Status, body and headers, but for what differs between any two answers (the
    request id, the statements' time and so the length) and CORS' own headers."""
    skipped = ("x-request-id", "vary", "content-length")
    headers = {
        k: v
        for k, v in response.headers.items()
        if k not in skipped and not k.startswith("access-control-")
    }
    body = response.json()
    body.get("extensions", {}).get("cypher", {}).pop("milliseconds", None)
    return response.status_code, body, headers


@pytest.mark.parametrize("body", REQUESTS, ids=lambda b: b["query"][:20])
def test_a_plain_post_is_answered_the_same_around_the_router(
    send: Send, routed: list[str], body: dict[str, Any]
) -> None:
    plain = send("/graphql", json=body, headers=PLAIN)
    assert routed == []  # the short way
    whole = send("/graphql", json=body, headers=CROSS_ORIGIN)
    assert routed == ["/graphql"]
    assert _shown(plain) == _shown(whole)
    assert plain.headers["x-request-id"]
    assert "access-control-allow-origin" in whole.headers
    assert "access-control-allow-origin" not in plain.headers


def test_gzip_and_other_paths_go_the_whole_way(send: Send, routed: list[str]) -> None:
    big = send("/graphql", json=REQUESTS[1], headers=GZIP)
    assert big.headers["content-encoding"] == "gzip"
    assert send("/health", headers=PLAIN).status_code == 405  # GET only: the router says so
    assert routed == ["/graphql", "/health"]


def test_the_lane_and_the_whole_way_share_one_admission(store_endpoint: BoltEndpoint) -> None:
    app = create_app(store_endpoint, StoreSettings(statement_timeout=10.0), ApiSettings())
    stack: Any = app.build_middleware_stack()
    lane = stack.app  # Starlette's server-error handler, then the lane
    assert isinstance(lane, GraphQLLane)
    after_cors_and_gzip = lane.app.app.app  # type: ignore[attr-defined]
    assert lane.lane.admission is after_cors_and_gzip.admission  # type: ignore[attr-defined]
