"""The ASGI application: GraphQL over HTTP at ``/graphql``, GraphiQL for browsers."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from graph.settings import StoreSettings
from graph.store import BoltEndpoint, StatementLog, Store
from schema.context import Context
from schema.entities import ENTITY_TYPES
from schema.extensions import extensions_for, is_unexpected
from schema.lang import from_accept_language
from schema.query import Query
from schema.settings import ApiSettings

log = logging.getLogger("ogp_graph.app")


class OgpSchema(strawberry.Schema):
    """The schema, logging refused requests briefly and unexpected failures in full."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if is_unexpected(error):
                log.error("unexpected error: %s", error.message, exc_info=error.original_error)
            else:
                log.info("request refused: %s", error.message)


def build_schema(settings: ApiSettings | None = None) -> strawberry.Schema:
    """The GraphQL schema, with its limits and error handling."""
    settings = settings or ApiSettings()
    return OgpSchema(query=Query, types=list(ENTITY_TYPES), extensions=extensions_for(settings))


def example_queries() -> list[dict[str, str]]:
    """GraphiQL's ready-to-run tabs: the ``.graphql`` files of ``schema/examples``."""
    folder = resources.files("schema") / "examples"
    tabs = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".graphql"):
            tabs.append({"query": item.read_text(encoding="utf-8")})
    return tabs


class GraphQLApp(GraphQL):
    """Strawberry's ASGI view with our context and GraphiQL's example tabs."""

    def __init__(self, schema: strawberry.Schema, settings: ApiSettings) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.settings = settings

    async def get_context(self, request: Any, response: Any = None) -> dict[str, Any]:
        store: Store = request.app.state.store
        context = Context(
            store=store,
            settings=self.settings,
            lang=from_accept_language(request.headers.get("accept-language")),
            statements=StatementLog(),
        )
        return {"request": request, "response": response, "ogp": context}

    async def render_graphql_ide(self, request: Request) -> Response:
        tabs = example_queries()
        html = self.graphql_ide_html
        first = json.dumps(tabs[0]["query"] if tabs else "")
        html = html.replace(
            "const EXAMPLE_QUERY = `",
            f"const OGP_EXAMPLES = {json.dumps(tabs)};\n"
            f"      const EXAMPLE_QUERY = {first};\n      const STRAWBERRY_WELCOME = `",
        )
        html = html.replace("fetcher: fetcher,", "fetcher: fetcher, defaultTabs: OGP_EXAMPLES,")
        html = html.replace("<title>Strawberry GraphiQL</title>", "<title>ogp-graph</title>")
        return HTMLResponse(html)


async def health(request: Request) -> JSONResponse:
    """Liveness and store reachability, for load balancers and compose."""
    store: Store = request.app.state.store
    try:
        await store.verify()
    except Exception as exc:  # the message is the point of this endpoint
        return JSONResponse({"status": "store unavailable", "detail": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "store": store.endpoint.description})


def create_app(
    endpoint: BoltEndpoint,
    store_settings: StoreSettings | None = None,
    api_settings: ApiSettings | None = None,
) -> Starlette:
    """The application, connected to the store at ``endpoint``."""
    store_settings = store_settings or StoreSettings()
    api_settings = api_settings or ApiSettings()
    graphql = GraphQLApp(build_schema(api_settings), api_settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.store = Store.connect(
            endpoint, store_settings.statement_timeout, store_settings.connect_timeout
        )
        try:
            yield
        finally:
            await app.state.store.close()

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    return Starlette(
        routes=[
            Route("/", home),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/health", health),
        ],
        lifespan=lifespan,
    )


def create_app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory`` and for each of several workers.

    ``ogp-graph serve`` starts the store (embedded or not) in the parent
    process and passes its address to the workers in the ``NEO4J_*`` variables.
    """
    settings = StoreSettings()
    if settings.neo4j_uri is None:
        raise RuntimeError("NEO4J_URI is not set: start the service with `ogp-graph serve`")
    endpoint = BoltEndpoint(
        settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
    )
    return create_app(endpoint, settings, ApiSettings())
