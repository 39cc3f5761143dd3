"""What can be filtered, sorted and followed on each label, derived from :mod:`graph.domain`.

The query builder turns typed filters into Cypher from these tables alone;
the GraphQL layer maps its input fields onto the names used here.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.domain import ENTITIES, LINKS_OF, Entity, Kind, Link, Prop

__all__ = ["DEFAULT_SORT", "FIELDS", "LINKS", "Field", "Kind", "Link"]


@dataclass(frozen=True)
class Field:
    """A property (or computed count) of a label, as filters and sorts see it."""

    kind: Kind
    property: str
    #: for COUNT fields: the Cypher expression over ``{v}``, the node's variable
    expression: str | None = None
    #: the property lists are ordered by, when not ``property`` itself
    sort_property: str | None = None


def _field(entity: Entity, name: str, prop: Prop) -> Field:
    if prop.kind is Kind.COUNT:
        assert prop.ref is not None
        counted = next(link for link in LINKS_OF[entity.label] if link.name == prop.ref)
        return Field(Kind.COUNT, "", f"COUNT {{ {counted.pattern('{v}', '')} }}")
    # codes and ids sort in natural order (C01.2 before C01.10): see derived.derived_text
    natural = f"{name}_sort" if name in ("id", "code") else None
    return Field(prop.kind, name, sort_property=natural)


FIELDS: dict[str, dict[str, Field]] = {
    entity.label: {
        "id": Field(Kind.ID, "id", sort_property="id_sort"),
        **{
            name: _field(entity, name, prop)
            for name, prop in entity.props.items()
            if prop.filterable
        },
    }
    for entity in ENTITIES
}

LINKS: dict[str, dict[str, Link]] = {
    label: {link.name: link for link in links} for label, links in LINKS_OF.items()
}

#: the default order of each label's lists (then ``id``)
DEFAULT_SORT: dict[str, tuple[tuple[str, str], ...]] = {
    entity.label: entity.order for entity in ENTITIES
}
