"""Where the graph lives: read once from the environment, validated at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("ogp-graph-data")
SUPPORTED_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class StoreSettings(BaseSettings):
    """Connection settings of the store.

    With ``NEO4J_URI`` unset, the embedded ArcadeDB store is started on loopback
    with its data under ``data_dir``; otherwise that Neo4j server is used.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    neo4j_uri: str | None = Field(default=None, alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", alias="NEO4J_USER")
    neo4j_password: str = Field(default="", alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", alias="NEO4J_DATABASE")
    data_dir: Path = Field(default=DEFAULT_DATA_DIR, alias="OGP_GRAPH_DATA_DIR")
    statement_timeout: float = Field(default=15.0, gt=0, alias="OGP_GRAPH_STATEMENT_TIMEOUT")
    embedded_heap: str = Field(default="1g", alias="OGP_GRAPH_EMBEDDED_HEAP")

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
