"""A client that leaves stops its request's work (no socket, no store: a tiny schema behind
the real endpoint, and an ASGI conversation played by hand)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.types import Message, Scope

from schema.document_cache import DocumentCache
from schema.settings import ApiSettings
from schema.transport.endpoint import CLIENT_CLOSED_REQUEST, GraphQLEndpoint

SCOPE: Scope = {
    "type": "http",
    "method": "POST",
    "path": "/graphql",
    "headers": [(b"content-type", b"application/json"), (b"accept", b"application/json")],
    "query_string": b"",
}


async def _no_context(request: Request) -> dict[str, Any]:
    return {}


async def converse(query_type: type, query: str, hang_up: asyncio.Event) -> list[Message]:
    """POST ``query``; the client hangs up once ``hang_up`` is set. What the endpoint sent."""
    endpoint = GraphQLEndpoint(
        strawberry.Schema(query_type), ApiSettings(), DocumentCache(8, 10_000, None), _no_context
    )
    messages: list[Message] = [
        {"type": "http.request", "body": json.dumps({"query": query}).encode()}
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        await hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body":
            hang_up.set()  # a client that got its answer leaves

    await asyncio.wait_for(endpoint(SCOPE, receive, send), timeout=30)
    return sent


def test_a_request_whose_client_leaves_is_cancelled_and_recorded_as_499() -> None:
    stopped: list[str] = []

    async def go() -> list[Message]:
        started = asyncio.Event()

        @strawberry.type
        class Query:
            @strawberry.field(description="Waits until cancelled.")
            async def slow(self) -> int:
                started.set()  # the client hangs up once the work has begun
                try:
                    await asyncio.sleep(3600)
                except asyncio.CancelledError:
                    stopped.append("cancelled")
                    raise
                return 1

        return await converse(Query, "{ slow }", started)

    sent = asyncio.run(go())
    assert stopped == ["cancelled"]
    assert sent[0]["status"] == CLIENT_CLOSED_REQUEST


def test_a_request_whose_client_stays_is_answered() -> None:
    @strawberry.type
    class Query:
        @strawberry.field(description="One, a moment later.")
        async def one(self) -> int:
            await asyncio.sleep(0.01)
            return 1

    sent = asyncio.run(converse(Query, "{ one }", asyncio.Event()))
    assert sent[0]["status"] == 200
    assert json.loads(sent[1]["body"]) == {"data": {"one": 1}}
