"""Automatic persisted queries, as Apollo's clients send them.

A client first sends only ``extensions.persistedQuery.sha256Hash``; an unknown
hash answers ``PersistedQueryNotFound`` and the client sends the text with its
hash, which is checked and kept (in the document cache, which is keyed by that
same hash). Later requests send the hash alone.
"""

from __future__ import annotations

import re
from typing import Any

from schema.document_cache import DocumentCache, document_hash
from schema.errors import Refusal, RequestError
from schema.transport.operations import OperationRequest

NOT_FOUND = "PersistedQueryNotFound"
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def document_text(operation: OperationRequest, cache: DocumentCache) -> str:
    """The document to run: the one sent, or the one persisted under the hash sent."""
    persisted = (operation.extensions or {}).get("persistedQuery")
    if persisted is None:
        if operation.query is None or not operation.query.strip():
            raise RequestError(
                "No GraphQL document: send it in `query` (or its hash in "
                "`extensions.persistedQuery`)"
            )
        return operation.query
    wanted = _checked_hash(persisted)
    if operation.query is None:
        text = cache.persisted(wanted)
        if text is None:
            raise RequestError(NOT_FOUND, refusal=Refusal.GRAPHQL, code="PERSISTED_QUERY_NOT_FOUND")
        return text
    if document_hash(operation.query) != wanted.lower():
        raise RequestError(
            "provided sha does not match query: `sha256Hash` must be the SHA-256 of `query`",
            refusal=Refusal.GRAPHQL,
            code="PERSISTED_QUERY_HASH_MISMATCH",
        )
    return operation.query


def _checked_hash(persisted: Any) -> str:
    if not isinstance(persisted, dict):
        raise RequestError("`extensions.persistedQuery` must be an object")
    if persisted.get("version", 1) != 1:
        raise RequestError(
            "Only version 1 of persisted queries is supported", code="PERSISTED_QUERY_NOT_SUPPORTED"
        )
    value = persisted.get("sha256Hash")
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise RequestError("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits")
    return value
