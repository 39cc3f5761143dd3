"""A fuzz of the real server: generated queries (valid and invalid, from the schema) and
malformed bodies get no 5xx, no traceback and no internal detail, in bounded time."""

from __future__ import annotations

import contextlib
import json
import re
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from schema.app import build_schema
from tests.conftest import Server

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store

SCHEMA = build_schema()._schema
#: words that betray internals: tracebacks, store record ids, Java, driver reprs
INTERNAL = re.compile(
    r"Traceback|File \"|java\.|jpype|com\.arcadedb|#\d+:\d+|ResolvedIPv4|Errno|"
    r"neo4j\.|Neo\.ClientError|Exception\b|object at 0x"
)
#: wall-clock budget of each generated fuzz, so CI stays bounded whatever hypothesis draws
SECONDS = 20.0
#: requests each fuzz sends whatever the time: on a busy machine, building the strategy of
#: this schema can take the whole budget before the first example is drawn
AT_LEAST = 10
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)


class OutOfTime(Exception):
    """Raised to end a fuzz once its time is spent (hypothesis stops at the first raise)."""


class Checker:
    """Sends requests to one server and checks each answer."""

    def __init__(self, server: Server) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self.started = time.monotonic()
        self.sent = 0

    def stop_when_out_of_time(self) -> None:
        if self.sent >= AT_LEAST and time.monotonic() - self.started > SECONDS:
            raise OutOfTime

    def fuzz(self, run: Any) -> None:
        """Run a hypothesis test until its examples or its time are spent."""
        self.started, self.sent = time.monotonic(), 0
        with contextlib.suppress(OutOfTime):
            run()

    def check(self, response: httpx.Response) -> dict[str, Any]:
        self.sent += 1
        assert response.status_code < 500, response.text[:500]
        assert not INTERNAL.search(response.text), response.text[:500]
        body = response.json()
        assert isinstance(body, dict) and ("data" in body or "errors" in body), body
        return body

    def query(self, document: str, variables: Any = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": document}
        if variables is not None:
            payload["variables"] = variables
        return self.check(self.http.post("/graphql", json=payload))


@pytest.fixture(scope="module")
def checker(server: Server) -> Checker:
    return Checker(server)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_generated_queries_get_no_5xx_and_no_internal_detail(checker: Checker, mode: Mode) -> None:
    @FUZZ
    @given(document=from_schema(SCHEMA, mode=mode))
    def run(document: object) -> None:
        checker.stop_when_out_of_time()
        checker.query(str(document))

    checker.fuzz(run)
    assert checker.sent > 5


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
REQUEST_PARTS = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(st.text(), JSON_VALUES, st.just("{ partnership { id } }")),
        "variables": JSON_VALUES,
        "operationName": JSON_VALUES,
        "extensions": JSON_VALUES,
    },
)


def test_malformed_request_objects_get_no_5xx(checker: Checker) -> None:
    @FUZZ
    @given(payload=REQUEST_PARTS)
    def run(payload: dict[str, Any]) -> None:
        checker.stop_when_out_of_time()
        checker.check(checker.http.post("/graphql", json=payload))

    checker.fuzz(run)


WHERE = "query($w: IndicatorWhere, $n: Int, $a: String) { indicators(where: $w, first: $n, after: $a) { totalCount } }"


def test_malformed_variables_get_no_5xx(checker: Checker) -> None:
    @FUZZ
    @given(w=JSON_VALUES, n=JSON_VALUES, a=JSON_VALUES)
    def run(w: Any, n: Any, a: Any) -> None:
        checker.stop_when_out_of_time()
        checker.query(WHERE, {"w": w, "n": n, "a": a})

    checker.fuzz(run)


@pytest.mark.parametrize(
    "body",
    [
        body
        for body in [
            b"null",
            b"12",
            b'"x"',
            b"true",
            b"[]",
            b"{",
            b"\xff\xfe\x00",
            b"{}",
            b'{"query": "{ partnership { id } }", "variables": 5}',
            b'{"query": "\\ud800"}',
            json.dumps({"query": "{ a: partnership { id } } { b: partnership { id } }"}).encode(),
        ]
    ],
)
def test_malformed_bodies_get_a_json_answer_and_no_5xx(checker: Checker, body: bytes) -> None:
    response = checker.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text[:300]
    assert not INTERNAL.search(response.text), response.text[:300]
