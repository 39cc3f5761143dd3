"""Limits of the API, read once from the environment at start-up."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ApiSettings(BaseSettings):
    """What a single GraphQL request may ask for.

    Each limit refuses a request with a GraphQL error that names it; the
    defaults suit the dashboards and explorers the API serves.
    """

    model_config = SettingsConfigDict(env_prefix="OGP_GRAPH_", extra="ignore")

    default_page_size: int = Field(default=20, ge=1, description="`first` when not given")
    max_page_size: int = Field(default=500, ge=1, description="the largest `first` accepted")
    max_depth: int = Field(
        default=20,
        ge=2,
        description="nesting depth of a query (a connection hop takes 3: field, edges, node)",
    )
    max_aliases: int = Field(default=30, ge=1, description="aliases in one document")
    max_tokens: int = Field(default=5000, ge=100, description="tokens in one document")
    max_neighborhood_depth: int = Field(default=3, ge=1, description="`depth` of neighborhood")
    max_graph_nodes: int = Field(default=500, ge=1, description="nodes an exploration returns")
    max_path_length: int = Field(default=8, ge=1, description="`maxLength` of shortestPath")
    graphiql: bool = Field(default=True, description="serve GraphiQL to browsers")
    direct: bool = Field(
        default=True,
        description="answer a fully compiled query straight from its statements' records, "
        "without graphql-core's execution (schema/direct.py); off: every field is resolved",
    )

    # --- the HTTP transport ---------------------------------------------------
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        description=(
            "origins whose pages may call the API (CORS), comma-separated; `*` (the default) "
            "lets any page read the public data, an empty value turns CORS off"
        ),
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="the largest request body, refused unread (413)"
    )
    max_batch_operations: int = Field(
        default=10, ge=0, description="operations in one batched request (a JSON array); 0 = off"
    )
    get_max_age: int = Field(
        default=60, ge=0, description="seconds a GET answer may be cached (`Cache-Control`)"
    )
    gzip_minimum_bytes: int = Field(
        default=1024, ge=0, description="answers at least this large are gzipped when accepted"
    )
    document_cache_entries: int = Field(
        default=512, ge=0, description="parsed and validated documents kept (and persisted ones)"
    )
    document_cache_chars: int = Field(
        default=500_000,
        ge=0,
        description=(
            "characters of document text the cache may hold (a dense document's syntax tree "
            "takes up to ~300 bytes a character: 150 MB at most by default)"
        ),
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """``OGP_GRAPH_CORS_ORIGINS`` is a comma-separated list (or a JSON list)."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip().rstrip("/") for part in text.split(",") if part.strip()]
        return value

    # --- cost budget and bounded input (schema/cost.py) ------------------------------------
    cost_budget: int = Field(
        default=200_000,
        ge=1,
        description="the largest estimated cost of one request (rows it can touch) accepted",
    )
    cost_scan_rows: int = Field(
        default=1_000,
        ge=1,
        description="rows a root list, count, search or grouping is assumed to scan",
    )
    cost_fanout: int = Field(
        default=10,
        ge=1,
        description="related nodes assumed per relationship: plain lists and `where` on a link",
    )
    max_list_length: int = Field(
        default=500, ge=1, description="items in one list argument or variable (ids, in, OR...)"
    )
    max_string_length: int = Field(
        default=1_000, ge=1, description="characters in one string argument or variable"
    )
    max_input_depth: int = Field(
        default=24, ge=2, description="nesting depth of one argument or variable value"
    )
    max_document_length: int = Field(
        default=100_000, ge=100, description="characters in one GraphQL document"
    )
    # --- load shedding (schema/operations.py) ----------------------------------------------
    max_in_flight: int = Field(
        default=64,
        ge=1,
        description="GraphQL requests one process answers at once; more get 503 busy",
    )
    ready_timeout: float = Field(
        default=2.0, gt=0, description="seconds /ready waits for the store before saying no"
    )
