"""Parsed and validated GraphQL documents, kept by the SHA-256 of their text.

A document sent again (by a front end's fixed queries, or by hash alone through
automatic persisted queries) costs no parsing and no validation: the cache
holds the syntax tree, its operations by name and the errors validation found.
It is bounded both in entries and in characters of text, least recently used
first out, so unique documents from the public cannot grow memory.

The validation rules of a schema are fixed when the app is built (the limits of
its settings), so the errors validation found hold for every later request.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema import operations

log = logging.getLogger("ogp_graph.documents")

#: the key under which the transport hands the prepared document to the schema
CONTEXT_KEY = "prepared_document"

#: documents longer than this are parsed and validated in a worker thread, so that the
#: event loop keeps answering other requests meanwhile (a 5,000-token document takes ~0.5 s)
OFFLOAD_CHARS = 4000

TOO_DEEP = (
    "The document nests too deeply (fragments spreading fragments, or nested values); flatten it"
)


def document_hash(text: str) -> str:
    """The SHA-256 of a document's UTF-8 text in hex, as persisted queries name it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class PreparedDocument:
    """One document text, parsed once, with its operations and validation errors."""

    text: str
    document: DocumentNode | None
    syntax_error: GraphQLError | None
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    validation_errors: list[GraphQLError] | None = None
    #: what root fields of this document compiled to (schema/fields.py), by operation,
    #: path, variables and language: a repeated request compiles nothing
    compiled: dict[Any, Any] = field(default_factory=dict)
    #: by operation name: the direct path's memory of it (``None``: it never answers it),
    #: with its plans by variables and language (schema/direct.py); decided on first use
    direct: dict[str | None, Any] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode | str:
        """The operation to run, or why none can be chosen (a message for the user)."""
        if name is not None:
            found = self.operations.get(name)
            return found if found is not None else f"Unknown operation named '{name}'."
        if len(self.operations) == 1:
            return next(iter(self.operations.values()))
        if not self.operations:
            return "The document has no operation to run."
        return "The document holds several operations: name the one to run in `operationName`."


@dataclass
class CacheCounters:
    """How often a document was found prepared, for the service's metrics."""

    hits: int = 0
    misses: int = 0
    evictions: int = 0
    persisted_hits: int = 0
    persisted_misses: int = 0


class DocumentCache:
    """A bounded LRU of prepared documents, shared by every request of one app."""

    def __init__(self, max_entries: int, max_chars: int, max_tokens: int | None) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.max_tokens = max_tokens
        self.counters = CacheCounters()
        self._entries: OrderedDict[str, PreparedDocument] = OrderedDict()
        self._chars = 0
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def prepare(self, text: str) -> PreparedDocument:
        """The prepared document for ``text``: from the cache, or parsed now and kept."""
        key = document_hash(text)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.counters.hits += 1
                operations.record_document_cache(hit=True)
                return entry
            self.counters.misses += 1
        operations.record_document_cache(hit=False)
        entry = self._parse(text)
        self._keep(key, entry)
        return entry

    def persisted(self, sha256_hex: str) -> str | None:
        """The text of a document known by its hash (automatic persisted queries)."""
        with self._lock:
            entry = self._entries.get(sha256_hex.lower())
            if entry is None:
                self.counters.persisted_misses += 1
                return None
            self.counters.persisted_hits += 1
            return entry.text

    def validate(
        self,
        entry: PreparedDocument,
        schema: GraphQLSchema,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        """The validation errors of a parsed document, found once."""
        return validate_once(entry, schema, rules)

    def _parse(self, text: str) -> PreparedDocument:
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return PreparedDocument(text, None, error)
        except RecursionError:
            return PreparedDocument(text, None, GraphQLError(TOO_DEEP))
        operations: dict[str | None, OperationDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                name = definition.name.value if definition.name else None
                operations.setdefault(name, definition)
        return PreparedDocument(text, document, None, operations)

    def _keep(self, key: str, entry: PreparedDocument) -> None:
        size = len(entry.text)
        if self.max_entries == 0 or size > self.max_chars:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self._chars += size
            while len(self._entries) > self.max_entries or self._chars > self.max_chars:
                _, dropped = self._entries.popitem(last=False)
                self._chars -= len(dropped.text)
                self.counters.evictions += 1


def validate_once(
    entry: PreparedDocument,
    schema: GraphQLSchema,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """The validation errors of a parsed document, found once and kept on it."""
    if entry.validation_errors is None:
        assert entry.document is not None
        try:
            entry.validation_errors = validate_document(schema, entry.document, rules)
        except RecursionError:
            entry.validation_errors = [GraphQLError(TOO_DEEP)]
    return entry.validation_errors


class PreparedDocuments(SchemaExtension):
    """Hands the transport's prepared document to Strawberry: no second parse or validation.

    It needs no cache of its own: the transport puts the prepared document in the context.
    """

    def _prepared(self) -> PreparedDocument | None:
        context: Any = self.execution_context.context
        entry = context.get(CONTEXT_KEY) if isinstance(context, dict) else None
        if isinstance(entry, PreparedDocument) and entry.text == self.execution_context.query:
            return entry
        return None

    def on_parse(self) -> Iterator[None]:
        entry = self._prepared()
        if entry is not None and entry.document is not None:
            self.execution_context.graphql_document = entry.document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        entry = self._prepared()
        if entry is not None and entry.document is not None:
            context = self.execution_context
            arguments = (entry, context.schema._schema, tuple(context.validation_rules))
            if entry.validation_errors is None and len(entry.text) > OFFLOAD_CHARS:
                # a long document takes long to validate: off the event loop
                errors = await asyncio.to_thread(validate_once, *arguments)
            else:
                errors = validate_once(*arguments)
            context.pre_execution_errors = list(errors)
        yield
