"""The ASGI application: GraphQL over HTTP at ``/graphql``, GraphiQL for browsers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from graph.errors import StoreError
from graph.index_order import learn_index_order_at_start
from graph.settings import StoreSettings
from graph.store import BoltEndpoint, Store
from schema import operations, request_id
from schema.context import Context
from schema.document_cache import DocumentCache, PreparedDocuments
from schema.entities import ENTITY_TYPES
from schema.extensions import extensions_for, is_unexpected
from schema.lang import from_accept_language
from schema.query import Query
from schema.settings import ApiSettings
from schema.transport.endpoint import ContextFactory, GraphQLEndpoint
from schema.transport.lane import GraphQLLane
from schema.transport.middleware import transport_middleware
from schema.web import graphiql_page, web_routes

log = logging.getLogger("ogp_graph.app")


class OgpSchema(strawberry.Schema):
    """The schema, logging refused requests briefly and unexpected failures in full."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        operations.record_errors(errors)
        for error in errors:
            if is_unexpected(error):
                log.error("unexpected error: %s", error.message, exc_info=error.original_error)
            elif isinstance(error.original_error, StoreError):
                log.warning("store: %s", error.original_error)
            else:
                log.info("request refused: %s", error.message)


def build_schema(
    settings: ApiSettings | None = None, documents: DocumentCache | None = None
) -> strawberry.Schema:
    """The GraphQL schema, with its limits and error handling.

    With ``documents``, requests take their parsed and validated document from
    that cache (the transport prepares it) instead of parsing it again.
    """
    settings = settings or ApiSettings()
    # one schema per distinct settings: building one takes a while, and it holds no state
    # of a request (its extensions are made anew for each)
    key = (settings.model_dump_json(), documents is not None)
    if key not in _SCHEMAS:
        extensions = extensions_for(settings)
        if documents is not None:
            extensions = [PreparedDocuments, *extensions]
        _SCHEMAS[key] = OgpSchema(query=Query, types=list(ENTITY_TYPES), extensions=extensions)
    return _SCHEMAS[key]


_SCHEMAS: dict[tuple[str, bool], strawberry.Schema] = {}


def context_factory(settings: ApiSettings) -> ContextFactory:
    """What the resolvers of each operation share: the store, the language, a statement log."""

    async def context(request: Request) -> dict[str, Any]:
        store: Store = request.app.state.store
        ogp = Context(
            store=store,
            settings=settings,
            lang=from_accept_language(request.headers.get("accept-language")),
        )
        return {"request": request, "ogp": ogp}

    return context


async def home(request: Request) -> Response:
    """``/`` sends browsers to GraphiQL, under the prefix the app is served at."""
    return RedirectResponse(request.scope.get("root_path", "").rstrip("/") + "/graphql")


def create_app(
    endpoint: BoltEndpoint,
    store_settings: StoreSettings | None = None,
    api_settings: ApiSettings | None = None,
) -> Starlette:
    """The application, connected to the store at ``endpoint``.

    Behind a reverse proxy under a path prefix, serve it with uvicorn's
    ``root_path`` set to that prefix: routes, redirects and GraphiQL stay under it.
    """
    store_settings = store_settings or StoreSettings()
    api_settings = api_settings or ApiSettings()
    documents = DocumentCache(
        api_settings.document_cache_entries,
        api_settings.document_cache_chars,
        api_settings.max_tokens,
    )
    graphql = GraphQLEndpoint(
        build_schema(api_settings, documents),
        api_settings,
        documents,
        context_factory(api_settings),
        page=graphiql_page if api_settings.graphiql else None,
    )
    # operations (schema/operations.py): request ids, load shedding, metrics, health checks
    request_id.install()
    metrics = operations.Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.store = Store.connect(
            endpoint, store_settings.statement_timeout, store_settings.connect_timeout
        )
        try:
            await learn_index_order_at_start(app.state.store)  # closed below if cut short
            yield
        finally:
            await app.state.store.close()

    routes = [
        Route("/", home),
        Route("/graphql", graphql),  # every method: the endpoint answers 405 itself, in JSON
        *operations.routes(metrics, api_settings.ready_timeout),
        *web_routes(),
    ]
    admission = operations.Admission(api_settings.max_in_flight)
    # plain GraphQL POSTs skip the transport middlewares and the router (lane.py)
    lane = operations.OperationsMiddleware(graphql, metrics=metrics, admission=admission)
    middleware = [
        Middleware(GraphQLLane, lane=lane),
        *transport_middleware(api_settings),
        Middleware(operations.OperationsMiddleware, metrics=metrics, admission=admission),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.documents = documents
    return app


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
