"""The HTTP middlewares of the transport: CORS for pages on other origins, gzip."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from schema.settings import ApiSettings

#: request headers a page may send: any (the data is public and no credentials are allowed,
#: so client libraries' own headers, such as Apollo's, need no configuration)
ALLOWED_HEADERS = ["*"]
#: response headers a page may read
EXPOSED_HEADERS = ["ETag", "Cache-Control", "Content-Language", "X-Request-Id"]


def transport_middleware(settings: ApiSettings) -> list[Middleware]:
    """CORS (unless no origin is allowed) outermost, so even refusals carry its headers; gzip."""
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=ALLOWED_HEADERS,
                expose_headers=EXPOSED_HEADERS,
                allow_credentials=False,
                max_age=600,
            )
        )
    middleware.append(Middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_bytes))
    return middleware
