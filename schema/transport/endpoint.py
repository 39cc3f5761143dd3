"""The ``/graphql`` endpoint: GraphQL over HTTP, from request to answer.

It reads the operations (POST JSON, a batch, or GET), resolves persisted
queries, prepares each document through the shared cache, refuses what cannot
run with a JSON GraphQL error and the status the spec gives, runs the rest
through the Strawberry schema, and answers in the media type the client
accepts. GET answers are cacheable: ``Cache-Control``, a weak ``ETag`` and 304.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
import strawberry
from graphql import OperationType as CoreOperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from schema.context import Context
from schema.direct import DirectPath
from schema.document_cache import CONTEXT_KEY, OFFLOAD_CHARS, DocumentCache
from schema.errors import Refusal, RequestError
from schema.settings import ApiSettings
from schema.transport.inputs import check_text
from schema.transport.media import JSON, accepts_html, response_media_type
from schema.transport.operations import OperationRequest, read_operations
from schema.transport.persisted import document_text

log = logging.getLogger("ogp_graph.http")

ContextFactory = Callable[[Request], Awaitable[dict[str, Any]]]
PageRenderer = Callable[[Request], Awaitable[Response]]

ALLOWED_METHODS = "GET, POST, OPTIONS"
UNEXPECTED = "Unexpected error while answering this request; it has been logged."
#: what an abandoned request is recorded with (nginx's "client closed request"); nobody reads it
CLIENT_CLOSED_REQUEST = 499
CLIENT_LEFT = "The client closed the connection before its answer; the work was stopped."
#: what makes two answers to the same URL differ
VARY = "Accept, Accept-Language, Accept-Encoding"

T = TypeVar("T")


@dataclass
class Answer:
    """The GraphQL response to one operation, its HTTP status and any header it needs."""

    body: dict[str, Any]
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class GraphQLEndpoint:
    """An ASGI app answering GraphQL over HTTP at one path."""

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: ApiSettings,
        documents: DocumentCache,
        context: ContextFactory,
        page: PageRenderer | None = None,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.documents = documents
        self.context = context
        self.page = page
        #: fully compiled queries answered from their records (schema/direct.py), if on
        self.direct = DirectPath(schema._schema, settings) if settings.direct else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.answer(request)
        except Exception:  # a fault of the service: logged in full, answered in JSON
            log.exception("unexpected failure answering %s %s", request.method, request.url.path)
            response = self._json({"errors": [{"message": UNEXPECTED}]}, 500, JSON)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        """The response to one HTTP request."""
        accept = request.headers.get("accept")
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": ALLOWED_METHODS})
        wants_page = request.method == "GET" and "query" not in request.query_params
        if wants_page and self.page is not None and accepts_html(accept):
            return await self.page(request)
        media = response_media_type(accept)
        if media is None:
            return self._refused(
                RequestError(
                    "Accept `application/graphql-response+json` or `application/json`: "
                    "the service answers in no other media type",
                    406,
                ),
                JSON,
            )
        if request.method not in ("GET", "POST"):
            return self._refused(
                RequestError(
                    f"{request.method} is not answered here; use GET or POST",
                    405,
                    headers={"Allow": ALLOWED_METHODS},
                ),
                media,
            )
        try:
            operations, batched = await read_operations(request, self.settings)
        except RequestError as error:
            return self._refused(error, media)
        answers = [await self._run(request, operation, media) for operation in operations]
        if batched:
            return self._json([answer.body for answer in answers], 200, media)
        answer = answers[0]
        if request.method == "GET":
            return self._cacheable(request, answer, media)
        return self._json(answer.body, answer.status, media, answer.headers)

    async def _run(self, request: Request, operation: OperationRequest, media: str) -> Answer:
        """The answer to one operation."""
        try:
            text = document_text(operation, self.documents)
            check_text(text, "The document")
            if len(text) > OFFLOAD_CHARS:
                prepared = await asyncio.to_thread(self.documents.prepare, text)
            else:
                prepared = self.documents.prepare(text)
            if prepared.syntax_error is not None:
                error = prepared.syntax_error
                raise RequestError(
                    error.message,
                    refusal=Refusal.GRAPHQL,
                    locations=[loc._asdict() for loc in error.locations or []] or None,
                )
            chosen = prepared.operation(operation.operation_name)
            if isinstance(chosen, str):
                raise RequestError(chosen, refusal=Refusal.GRAPHQL)
            if request.method == "GET" and chosen.operation is not CoreOperationType.QUERY:
                raise RequestError(
                    f"GET answers queries only; send a {chosen.operation.value} with POST",
                    405,
                    headers={"Allow": "POST"},
                )
        except RequestError as error:
            log.info("request refused: %s", error.message)
            return Answer({"errors": [error.formatted()]}, error.status_for(media), error.headers)
        context = await self.context(request)
        ogp = context.get("ogp")
        if self.direct is not None and isinstance(ogp, Context):
            plan = self.direct.plan(prepared, chosen, operation.variables, ogp.lang)
            if plan is not None:
                work = self.direct.run(plan, ogp, operation.variables, text)
                outcome = await _unless_the_client_leaves(request, _boxed(work))
                if outcome is None:
                    log.info("the client left before its answer: its work was stopped")
                    return Answer({"errors": [{"message": CLIENT_LEFT}]}, CLIENT_CLOSED_REQUEST)
                if outcome[0] is not None:
                    return Answer(outcome[0], 200)
                context = await self.context(request)  # fresh loaders for the usual path
        context[CONTEXT_KEY] = prepared
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed |= {OperationType.MUTATION}
        execution = self.schema.execute(
            text,
            variable_values=operation.variables,
            context_value=context,
            operation_name=operation.operation_name,
            allowed_operation_types=allowed,
        )
        result = await _unless_the_client_leaves(request, execution)
        if result is None:
            log.info("the client left before its answer: its work was stopped")
            return Answer({"errors": [{"message": CLIENT_LEFT}]}, CLIENT_CLOSED_REQUEST)
        return _body(result, media)

    def _refused(self, error: RequestError, media: str) -> Response:
        log.info("request refused: %s", error.message)
        return self._json(
            {"errors": [error.formatted()]}, error.status_for(media), media, error.headers
        )

    def _json(
        self,
        body: Any,
        status: int,
        media: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        try:
            content = orjson.dumps(body)
        except TypeError:  # what orjson does not write (an integer beyond 64 bits)
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        response = Response(content, status, headers=headers, media_type=media)
        response.headers["Vary"] = VARY
        return response

    def _cacheable(self, request: Request, answer: Answer, media: str) -> Response:
        """A GET answer with validators: ``ETag`` over data and errors, 304 when unchanged."""
        body, status = answer.body, answer.status
        if status != 200 or body.get("errors"):
            headers = {**answer.headers, "Cache-Control": "no-store"}
            return self._json(body, status, media, headers)
        essence = json.dumps(
            [media, body.get("data"), body.get("errors")], sort_keys=True, ensure_ascii=False
        )
        etag = 'W/"' + hashlib.sha256(essence.encode("utf-8")).hexdigest()[:32] + '"'
        headers = {
            "ETag": etag,
            "Cache-Control": f"public, max-age={self.settings.get_max_age}",
        }
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers={**headers, "Vary": VARY})
        return self._json(body, status, media, headers)


#: how long a request's work runs before its client is watched for leaving (seconds)
WATCH_AFTER = 0.005


async def _until_disconnected(request: Request) -> None:
    """Returns when the client has closed its connection (its whole body was read before)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _boxed(work: Awaitable[T]) -> tuple[T]:
    """``work``'s result in a tuple, so that a ``None`` result is told from a client gone."""
    return (await work,)


async def _unless_the_client_leaves(request: Request, execution: Awaitable[T]) -> T | None:
    """The result of ``execution``, or ``None`` (the work cancelled) if the client leaves first.

    Without this an abandoned request keeps its resolvers, and their statements, running
    to the end for nobody. The work runs in this task; a watcher cancels it when the
    client leaves. The watcher starts only once the work has run :data:`WATCH_AFTER`:
    most requests end before, and a task made, scheduled and cancelled for each of them
    cost about 20 µs (a task for the work too, and waiting on both, cost 40 µs more).
    """
    task = asyncio.current_task()
    assert task is not None
    gone = False
    watcher: asyncio.Future[None] | None = None

    async def watch() -> None:
        nonlocal gone
        await _until_disconnected(request)
        gone = True
        task.cancel()

    def start_watching() -> None:
        nonlocal watcher
        watcher = asyncio.ensure_future(watch())

    later = asyncio.get_running_loop().call_later(WATCH_AFTER, start_watching)
    try:
        result = await execution
    except asyncio.CancelledError:
        if not gone:
            raise  # cancelled from outside: the server is stopping
        task.uncancel()  # the watcher's cancellation, handled here
        return None
    finally:
        later.cancel()
        if watcher is not None:
            watcher.cancel()
    if gone:  # the work finished anyway (it ignored the cancellation)
        task.uncancel()
    return result


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    weak = etag.removeprefix("W/")
    return "*" in tags or any(tag.removeprefix("W/") == weak for tag in tags)


def _body(result: ExecutionResult, media: str) -> Answer:
    """The GraphQL response of an executed operation and its status.

    An operation that never started executing (its document invalid, its
    variables wrong) has no ``data``: a request error, 400 under
    ``application/graphql-response+json``.
    """
    raw_errors = result.errors or []
    errors = [error.formatted for error in raw_errors]
    not_started = isinstance(result, PreExecutionError) or (
        result.data is None and bool(raw_errors) and all(e.path is None for e in raw_errors)
    )
    body: dict[str, Any] = {} if not_started else {"data": result.data}
    if errors:
        body["errors"] = errors
    if result.extensions:
        body["extensions"] = result.extensions
    status = 400 if not_started and media != JSON else 200
    return Answer(body, status)
