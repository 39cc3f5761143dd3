"""Where the graph lives: read once from the environment, validated at start-up."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: the embedded store's folder unless configured: per user, the same from any working folder
DEFAULT_DATA_DIR = user_data_path("ogp-graph", appauthor=False) / "store"
SUPPORTED_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class StoreSettings(BaseSettings):
    """Connection settings of the store.

    With ``NEO4J_URI`` unset, the embedded ArcadeDB store is started on loopback
    with its data under ``data_dir``; otherwise that Neo4j server is used.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    neo4j_uri: str | None = Field(
        default=None,
        alias="NEO4J_URI",
        description="bolt:// or neo4j:// address of a Neo4j 5 server; unset: the embedded store",
    )
    neo4j_user: str = Field(default="neo4j", alias="NEO4J_USER", description="user on that server")
    neo4j_password: str = Field(
        default="", alias="NEO4J_PASSWORD", description="password of that user"
    )
    neo4j_database: str = Field(
        default="neo4j", alias="NEO4J_DATABASE", description="database on that server"
    )
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        alias="OGP_GRAPH_DATA_DIR",
        description="folder of the embedded store (--data-dir wins)",
    )
    statement_timeout: float = Field(
        default=15.0,
        gt=0,
        alias="OGP_GRAPH_STATEMENT_TIMEOUT",
        description="seconds one statement may run",
    )
    connect_timeout: float = Field(
        default=1.0,
        gt=0,
        alias="OGP_GRAPH_CONNECT_TIMEOUT",
        description="seconds to reach the store: how soon a request fails while it is down",
    )
    load_wait: float = Field(
        default=60.0,
        ge=0,
        alias="OGP_GRAPH_LOAD_WAIT",
        description="seconds a load waits for another load on the same store to end",
    )
    embedded_bolt_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        alias="OGP_GRAPH_EMBEDDED_BOLT_PORT",
        description="loopback Bolt port of the embedded store (0: any free port)",
    )
    embedded_heap: str = Field(
        default="1g", alias="OGP_GRAPH_EMBEDDED_HEAP", description="Java heap of the embedded store"
    )

    @field_validator("neo4j_uri")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in SUPPORTED_SCHEMES:
            raise ValueError(
                f"NEO4J_URI {value!r} must start with one of "
                + ", ".join(f"{s}://" for s in SUPPORTED_SCHEMES)
            )
        return value

    @property
    def embedded(self) -> bool:
        """True when no Neo4j server is configured and the embedded store is used."""
        return self.neo4j_uri is None
