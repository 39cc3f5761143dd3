"""Running the service: liveness and readiness, Prometheus metrics, request ids, load shedding.

- ``/health``: the process is alive (no store call); ``/ready``: the store answers and
  holds data (503 otherwise), for load balancers and orchestrators.
- ``/metrics``: Prometheus metrics of this process (each worker has its own).
- :class:`OperationsMiddleware`: gives each request an id (``X-Request-ID``, echoed),
  refuses GraphQL requests beyond ``max_in_flight`` with a 503 "busy" GraphQL error and
  ``Retry-After``, and records the metrics of each request.

What happens inside a GraphQL request (its operation type, its errors by kind, the
statements it sent, the document cache) is written to :class:`RequestRecord` through
a context variable by the schema's extensions, and counted once the answer is sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import query_builder as qb
from graph.errors import StatementTimeout, StoreError, StoreUnavailable
from graph.query_builder import QueryError
from schema import request_id
from schema.errors import UserInputError

log = logging.getLogger("ogp_graph.operations")

#: the node every loaded store holds (the bundled dataset): its presence means "data loaded"
READY_PROBE_ID = "Partnership:OGP"
BUSY_CODE = "BUSY"


@dataclass
class RequestRecord:
    """What one GraphQL request did, written by the schema's extensions as it runs."""

    operation: str | None = None
    errors: list[str] = field(default_factory=list)
    statements: int = 0
    cache: list[bool] = field(default_factory=list)


_record: ContextVar[RequestRecord | None] = ContextVar("ogp_graph_request_record", default=None)


def current_record() -> RequestRecord | None:
    """The record of the GraphQL request being answered in this context, if any."""
    return _record.get()


def error_kind(error: GraphQLError) -> str:
    """A short, bounded name for the kind of a GraphQL error (a metric label)."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code.lower()
    original = error.original_error
    if original is None:
        return "invalid_document"
    if isinstance(original, UserInputError | QueryError):
        return "bad_input"
    if isinstance(original, StatementTimeout):
        return "timeout"
    if isinstance(original, StoreUnavailable):
        return "store_unavailable"
    if isinstance(original, StoreError):
        return "store"
    return "unexpected"


def record_errors(errors: Iterable[GraphQLError]) -> None:
    """Count the errors of the current request by kind (called from ``process_errors``)."""
    record = _record.get()
    if record is not None:
        record.errors.extend(error_kind(e) for e in errors)


def record_operation(operation: str) -> None:
    """Note the operation type (``query``...) of the current request."""
    record = _record.get()
    if record is not None:
        record.operation = operation


def record_statements(count: int) -> None:
    """Add ``count`` Cypher statements to those of the current request."""
    record = _record.get()
    if record is not None:
        record.statements += count


def record_document_cache(hit: bool) -> None:
    """A parsed-document cache lookup of the current request: a hit or a miss."""
    record = _record.get()
    if record is not None:
        record.cache.append(hit)


class Metrics:
    """The Prometheus metrics of one application, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        ProcessCollector(registry=registry)
        self.requests = Counter(
            "ogp_graph_requests",
            "GraphQL requests answered, by operation type and HTTP status.",
            ["operation", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "ogp_graph_request_duration_seconds",
            "Time to answer a GraphQL request, by operation type.",
            ["operation"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.errors = Counter(
            "ogp_graph_graphql_errors",
            "GraphQL errors in answers, by kind (cost_limit, input_limit, busy, "
            "invalid_document, bad_input, timeout, store_unavailable, store, unexpected).",
            ["kind"],
            registry=registry,
        )
        self.statements = Counter(
            "ogp_graph_cypher_statements",
            "Cypher statements sent to the store while answering requests.",
            registry=registry,
        )
        self.store_up = Gauge(
            "ogp_graph_store_up",
            "1 when the store answered the last request or readiness check that used it, else 0.",
            registry=registry,
        )
        self.document_cache = Counter(
            "ogp_graph_document_cache",
            "Lookups of the parsed-document cache, by result (hit or miss).",
            ["result"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "ogp_graph_requests_in_flight",
            "GraphQL requests being answered now.",
            registry=registry,
        )
        self._cache_results = {
            hit: self.document_cache.labels(result="hit" if hit else "miss")
            for hit in (True, False)
        }
        #: the request counter and latency of each (operation, status) seen, found once: a
        #: labels() lookup costs a few µs, three of them per request
        self._by_outcome: dict[tuple[str, int], tuple[Any, Any]] = {}

    def observe(self, record: RequestRecord, status: int, seconds: float) -> None:
        """Count one finished GraphQL request."""
        operation = record.operation or "none"
        outcome = self._by_outcome.get((operation, status))
        if outcome is None:
            outcome = (
                self.requests.labels(operation=operation, status=str(status)),
                self.latency.labels(operation=operation),
            )
            self._by_outcome[(operation, status)] = outcome
        outcome[0].inc()
        outcome[1].observe(seconds)
        for kind in record.errors:
            self.errors.labels(kind=kind).inc()
        if record.statements:
            self.statements.inc(record.statements)
        if "store_unavailable" in record.errors:
            self.store_up.set(0)
        elif record.statements:
            self.store_up.set(1)
        for hit in record.cache:
            self._cache_results[hit].inc()


def busy_response(in_flight: int) -> Response:
    """The answer to a GraphQL request beyond the limit: 503, a GraphQL error, Retry-After."""
    body = {
        "data": None,
        "errors": [
            {
                "message": f"the service is busy ({in_flight} requests being answered); "
                "retry in a moment",
                "extensions": {"code": BUSY_CODE},
            }
        ],
    }
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})


@dataclass
class Admission:
    """How many GraphQL requests are being answered, and how many may be at once: one
    count for every way a request takes through the application (schema/transport/lane.py)."""

    limit: int
    in_flight: int = 0


class OperationsMiddleware:
    """Request ids for every request; load shedding and metrics for GraphQL requests."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, admission: Admission, graphql_path: str = "/graphql"
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.admission = admission
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None
        )
        rid = request_id.sanitise(given) or request_id.new_id()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        token = request_id.set_current(rid)
        try:
            if scope.get("path") != self.graphql_path:
                await self.app(scope, receive, send_with_id)
            elif self.admission.in_flight >= self.admission.limit:
                in_flight = self.admission.in_flight
                log.info("busy: %d GraphQL requests in flight, one refused", in_flight)
                self.metrics.observe(RequestRecord(errors=[BUSY_CODE.lower()]), 503, 0.0)
                await busy_response(in_flight)(scope, receive, send_with_id)
            else:
                await self._graphql(scope, receive, send_with_id, lambda: status)
        finally:
            request_id.reset(token)

    async def _graphql(self, scope: Scope, receive: Receive, send: Send, status: Any) -> None:
        record = RequestRecord()
        token = _record.set(record)
        admission = self.admission
        admission.in_flight += 1
        self.metrics.in_flight.set(admission.in_flight)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            admission.in_flight -= 1
            self.metrics.in_flight.set(admission.in_flight)
            self.metrics.observe(record, status(), time.perf_counter() - started)
            _record.reset(token)


async def health(request: Request) -> JSONResponse:
    """Liveness: the process answers HTTP. It does not call the store."""
    return JSONResponse({"status": "ok"})


def _ready_check(metrics: Metrics, timeout: float) -> Any:
    async def ready(request: Request) -> JSONResponse:
        """Readiness: the store answers within ``timeout`` and holds the loaded data."""
        store = request.app.state.store
        try:
            rows = await asyncio.wait_for(
                store.read(qb.by_ids("Partnership"), ids=[READY_PROBE_ID]), timeout
            )
        except TimeoutError:
            reason = f"the store did not answer within {timeout:g} s"
        except StoreError:
            reason = "the store is unreachable or failing"
        else:
            metrics.store_up.set(1)
            if rows:
                return JSONResponse({"status": "ready"})
            return JSONResponse({"status": "not ready", "reason": "no data loaded"}, 503)
        metrics.store_up.set(0)
        log.info("not ready: %s", reason)
        return JSONResponse({"status": "not ready", "reason": reason}, 503)

    return ready


def _metrics_endpoint(metrics: Metrics) -> Any:
    async def expose(request: Request) -> Response:
        """The metrics of this process, in Prometheus' text format."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return expose


def routes(metrics: Metrics, ready_timeout: float) -> list[Route]:
    """``/health``, ``/ready`` and ``/metrics``."""
    return [
        Route("/health", health),
        Route("/ready", _ready_check(metrics, ready_timeout)),
        Route("/metrics", _metrics_endpoint(metrics)),
    ]
