"""Errors shown to API users: plain messages, never a stack trace."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any


class UserInputError(ValueError):
    """An argument is not acceptable; the message says which and why."""


class Refusal(Enum):
    """Where a request was refused, which decides its status under ``application/json``.

    A malformed HTTP request (bad JSON, wrong method or media type, too large)
    keeps its 4xx status whatever the client accepts. A well-formed request whose
    GraphQL document cannot run (syntax, unknown operation, persisted query not
    found, bad variables) answers 200 under the legacy ``application/json`` and its
    own 4xx under ``application/graphql-response+json``, as GraphQL over HTTP says.
    """

    HTTP = "http"
    GRAPHQL = "graphql"


class RequestError(Exception):
    """A request the service refuses before running it, with the status to answer."""

    def __init__(
        self,
        message: str,
        status: int = 400,
        *,
        refusal: Refusal = Refusal.HTTP,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        locations: list[dict[str, int]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.refusal = refusal
        self.code = code
        self.headers = dict(headers or {})
        self.locations = locations

    def formatted(self) -> dict[str, Any]:
        """The error as an entry of a GraphQL response's ``errors`` list."""
        error: dict[str, Any] = {"message": self.message}
        if self.locations:
            error["locations"] = self.locations
        if self.code:
            error["extensions"] = {"code": self.code}
        return error

    def status_for(self, media_type: str) -> int:
        """The HTTP status under the chosen response media type."""
        if self.refusal is Refusal.GRAPHQL and media_type == "application/json":
            return 200
        return self.status
