"""Schema extensions: limits, error masking, and the statement count of each request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from graph.errors import StatementTimeout, StoreError, StoreUnavailable
from graph.query_builder import QueryError
from graph.store import statement_log
from schema.cost import RequestLimits
from schema.errors import UserInputError
from schema.operations import record_statements
from schema.settings import ApiSettings

#: errors whose message is meant for the user; anything else is masked
#: (a GraphQLError as cause: graphql-core refusing a value, e.g. an Int out of range)
_USER_FACING = (UserInputError, QueryError, StoreError, GraphQLError)
MASKED_MESSAGE = "Unexpected error while answering this request; it has been logged."


class CypherStatements(SchemaExtension):
    """Counts the statements a request sends; reports them under ``extensions.cypher``."""

    def on_execute(self) -> Iterator[None]:
        with statement_log() as entry:
            context = self.execution_context.context
            if isinstance(context, dict) and "ogp" in context:
                context["ogp"].statements = entry
            self._entry = entry
            yield
            record_statements(entry.count)

    def get_results(self) -> dict[str, Any]:
        entry = getattr(self, "_entry", None)
        if entry is None:
            return {}
        return {
            "cypher": {"statements": entry.count, "milliseconds": round(entry.seconds * 1000, 1)}
        }


def is_unexpected(error: GraphQLError) -> bool:
    """True for a failure that is not the user's doing: its message is masked and logged."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False  # a validation error, or a variable's value that does not fit its type
    return not isinstance(original, _USER_FACING)


def public_message(error: GraphQLError) -> str:
    """What a client is told of an error that is not its own doing: never a statement's
    name, a store's record or a Java exception (those are logged). A store that cannot be
    reached keeps its own message: where it is and why it does not answer."""
    original = error.original_error
    if isinstance(original, StatementTimeout):
        return (
            f"The request ran longer than {original.seconds:g} s and was stopped; ask for less "
            "(smaller pages, fewer nested lists or filters)."
        )
    return MASKED_MESSAGE


def _needs_public_message(error: GraphQLError) -> bool:
    original = error.original_error
    if isinstance(original, StoreUnavailable):
        return False
    return is_unexpected(error) or isinstance(original, StoreError)


class PublicErrors(MaskErrors):
    """Masks unexpected failures and tells store failures in the client's terms."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            message=public_message(error),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
        )


def extensions_for(settings: ApiSettings) -> list[Any]:
    """The extensions of the schema, with the configured limits."""
    return [
        lambda: RequestLimits(settings),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: QueryDepthLimiter(max_depth=settings.max_depth),
        CypherStatements,
        lambda: PublicErrors(should_mask_error=_needs_public_message),
    ]
