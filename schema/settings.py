"""Limits of the API, read once from the environment at start-up."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
