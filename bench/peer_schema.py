"""Type definitions for the peer (`@neo4j/graphql`) over ogp-graph's labels, from graph/domain.py.

Each entity becomes a ``@node`` type with its stored properties: a bilingual text ``x`` is
``x: String @alias(property: "x_en")`` (English, as ogp-graph answers by default) plus
``x_fr``; ``id_sort``/``code_sort`` are exposed so the peer can sort in ogp-graph's
natural order. Every link, declared or reverse, becomes a ``@relationship`` field.
Search is not offered: ogp-graph ranks its hits with BM25 in Python over its own index
(graph/search.py), which no single Cypher statement of the peer reproduces, so the
benchmark measures search against the hand-written statements only.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.domain import ENTITIES, LINKS_OF, Kind  # noqa: E402

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


def type_definitions() -> str:
    """The SDL the peer server reads."""
    parts = []
    for entity in ENTITIES:
        body = "\n  ".join(_fields(entity.label))
        parts.append(f'type {entity.label} @node(labels: ["{entity.label}"]) {{\n  {body}\n}}')
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(type_definitions())
