"""Operations: /health, /ready, /metrics, request ids on answers and logs, load shedding."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.responses import JSONResponse

from graph.store import BoltEndpoint
from schema import request_id
from schema.operations import Admission, Metrics, OperationsMiddleware
from tests.conftest import GraphQLClient, Server, free_port

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store


def metric_values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


# --- fast layer: the middleware alone ------------------------------------------------------


def test_requests_beyond_the_limit_get_a_503_busy_graphql_error_with_retry_after() -> None:
    release = asyncio.Event()

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/graphql":
            await release.wait()
        await JSONResponse({"data": {"ok": True}})(scope, receive, send)

    metrics = Metrics()
    app = OperationsMiddleware(slow_app, metrics=metrics, admission=Admission(2))

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            held = [asyncio.create_task(client.post("/graphql", json={})) for _ in range(2)]
            await asyncio.sleep(0.05)
            refused = await client.post("/graphql", json={})
            other = await client.get("/health")  # only GraphQL requests are counted
            release.set()
            return [refused, other, *await asyncio.gather(*held)]

    refused, other, *answered = asyncio.run(scenario())
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "BUSY" and "busy" in error["message"]
    assert other.status_code != 503
    assert [r.status_code for r in answered] == [200, 200]
    values = metric_values(
        __import__("prometheus_client").generate_latest(metrics.registry).decode()
    )
    assert values[("ogp_graph_graphql_errors_total", (("kind", "busy"),))] == 1
    assert values[("ogp_graph_requests_in_flight", ())] == 0


def test_request_ids_are_sanitised() -> None:
    assert request_id.sanitise("abc-123_X.y:z") == "abc-123_X.y:z"
    assert request_id.sanitise("a b\r\nSet-Cookie: x<script>") == "abSet-Cookie:xscript"
    assert request_id.sanitise("x" * 500) == "x" * request_id.MAX_LENGTH
    assert request_id.sanitise("\r\n<>") is None and request_id.sanitise(None) is None
    assert re.fullmatch(r"[0-9a-f]{32}", request_id.new_id())


# --- the real server -----------------------------------------------------------------------


def test_health_is_alive_and_ready_checks_the_store_and_data(server: Server) -> None:
    health = httpx.get(f"{server.url}/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_with_the_store_down_health_says_alive_and_ready_says_no_quickly() -> None:
    dead = BoltEndpoint(f"bolt://127.0.0.1:{free_port()}", "root", "x", "ogp")
    with Server(dead) as server:
        started = time.monotonic()
        assert httpx.get(f"{server.url}/health").status_code == 200
        ready = httpx.get(f"{server.url}/ready", timeout=30)
        assert ready.status_code == 503 and ready.json()["status"] == "not ready"
        assert time.monotonic() - started < 5
        assert "127.0.0.1" not in ready.text and "Errno" not in ready.text
        metrics = metric_values(httpx.get(f"{server.url}/metrics").text)
        assert metrics[("ogp_graph_store_up", ())] == 0


def test_the_request_id_is_echoed_or_made(server: Server) -> None:
    given = httpx.post(
        f"{server.url}/graphql",
        json={"query": "{ partnership { id } }"},
        headers={"X-Request-ID": "dashboard-42"},
    )
    assert given.headers["x-request-id"] == "dashboard-42"
    unsafe = httpx.get(f"{server.url}/health", headers={"X-Request-ID": "evil\tid<>"})
    assert unsafe.headers["x-request-id"] == "evilid"
    made = httpx.get(f"{server.url}/health")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])


def test_log_records_carry_the_request_id(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ogp_graph")
    httpx.post(
        f"{server.url}/graphql",
        json={"query": "{ plans(first: -1) { totalCount } }"},
        headers={"X-Request-ID": "trace-me-7"},
    )
    refused = [r for r in caplog.records if r.name == "ogp_graph.app"]
    assert refused and all(getattr(r, "request_id", None) == "trace-me-7" for r in refused)
    logging.getLogger("ogp_graph.test").info("outside any request")
    assert not hasattr(caplog.records[-1], "request_id")


def test_metrics_count_requests_latency_errors_statements_and_store(server: Server) -> None:
    gql = GraphQLClient(server.url)
    before = metric_values(httpx.get(f"{server.url}/metrics").text)
    gql.data("{ plans(first: 3) { nodes { id commitments { totalCount } } } }")
    gql.post("{ plans { nope } }")  # an invalid document
    heavy = "{ indicators(first: 500) { nodes { departments(first: 500) { nodes { id } } } } }"
    gql.post(heavy)  # over the budget
    response = httpx.get(f"{server.url}/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    after = metric_values(response.text)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("ogp_graph_requests_total", operation="query", status="200") >= 2
    assert grew("ogp_graph_graphql_errors_total", kind="cost_limit") == 1
    assert grew("ogp_graph_graphql_errors_total", kind="invalid_document") == 1
    assert grew("ogp_graph_cypher_statements_total") >= 1  # the list, compiled into one
    assert grew("ogp_graph_request_duration_seconds_count", operation="query") >= 2
    assert after[("ogp_graph_store_up", ())] == 1
    assert ("ogp_graph_document_cache_total", (("result", "hit"),)) in after
    assert after[("process_resident_memory_bytes", ())] > 0
