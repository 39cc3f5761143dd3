"""Type definitions for the peer (`@neo4j/graphql`) over ogp-graph's labels, from graph/domain.py.

Each entity becomes a ``@node`` type with its stored properties: a bilingual text ``x`` is
``x: String @alias(property: "x_en")`` (English, as ogp-graph answers by default) plus
``x_fr``; ``id_sort``/``code_sort`` are exposed so the peer can sort in ogp-graph's
natural order. Every link, declared or reverse, becomes a ``@relationship`` field.
Search is a ``@cypher`` field running ogp-graph's own search statement, returning ids.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.domain import ENTITIES, LINKS_OF, Kind  # noqa: E402
from graph.search import SEARCH  # noqa: E402

_SCALAR = {Kind.INT: "Int", Kind.COUNT: None}


def _fields(entity_label: str) -> list[str]:
    entity = next(e for e in ENTITIES if e.label == entity_label)
    lines = ["id: ID!", "id_sort: String", "sources: [String!]", "loadedAt: String"]
    for name, prop in entity.props.items():
        if prop.kind in (Kind.BILINGUAL, Kind.URL):
            lines.append(f'{name}: String @alias(property: "{name}_en")')
            lines.append(f"{name}_fr: String")
        elif prop.kind is Kind.COUNT or name == "id":
            continue
        else:
            lines.append(f"{name}: {_SCALAR.get(prop.kind, 'String')}")
            if name == "code":
                lines.append("code_sort: String")
    for link in LINKS_OF[entity_label]:
        direction = "OUT" if link.direction == "out" else "IN"
        target = f"[{link.target}!]!" if link.many else link.target
        lines.append(
            f'{link.name}: {target} @relationship(type: "{link.type}", direction: {direction})'
        )
    return lines


def search_statement() -> str:
    """ogp-graph's search statement, returning the ids of one page (what the peer serves)."""
    head, _, _ = SEARCH.cypher.partition("WITH collect(")
    return head + "WITH n.id AS id SKIP $skip LIMIT $limit RETURN id"


def type_definitions() -> str:
    """The SDL the peer server reads."""
    parts = []
    for entity in ENTITIES:
        body = "\n  ".join(_fields(entity.label))
        parts.append(f'type {entity.label} @node(labels: ["{entity.label}"]) {{\n  {body}\n}}')
    cypher = search_statement().replace("\\", "\\\\").replace('"""', '\\"""')
    parts.append(
        "type Query {\n"
        "  search(types: [String!]!, lang: String!, words: [String!]!, phrase: String!, "
        "skip: Int!, limit: Int!): [String!]!\n"
        f'    @cypher(statement: """{cypher}""", columnName: "id")\n'
        "}"
    )
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(type_definitions())
