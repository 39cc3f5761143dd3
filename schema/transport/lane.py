"""The short way through the application for a plain GraphQL request.

Most requests are a POST to the GraphQL path from a client that sends no ``Origin`` (so
no CORS) and accepts no gzip (scripts, servers, load generators). For them Starlette's
CORS, gzip and exception middlewares and its router only pass the request and each
response message along: a layer of calls each, about 0.1 ms a request together,
measured on ``{ __typename }``. :class:`GraphQLLane` sits outermost but for Starlette's
own server-error handler and sends such a request straight to the operations middleware
(request id, admission, metrics) and the endpoint; every other request, and every other
path, goes the whole way. The answer is the same either way (``tests/test_http_lane.py``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class GraphQLLane:
    """Sends plain GraphQL POSTs to ``lane``, everything else to ``app``."""

    def __init__(self, app: ASGIApp, lane: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.lane = lane
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("path") == self.path
            and _plain(scope["headers"])
        ):
            await self.lane(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _plain(headers: list[tuple[bytes, bytes]]) -> bool:
    """Neither a cross-origin request nor one whose answer may be gzipped."""
    for name, value in headers:
        if name == b"origin" or (name == b"accept-encoding" and b"gzip" in value.lower()):
            return False
    return True
