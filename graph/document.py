"""The neutral form every loader produces: nodes and relationships to merge.

Loaders turn source files into a :class:`GraphDocument`; :mod:`graph.writer`
merges one into the store. Labels and relationship types are checked against
the declaration (:mod:`graph.domain`) as the document is built, so a loader
that names something the model does not have fails where it does so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.model import ENTITY_LABELS, relation

PropertyValue = str | int | float | bool | list[str] | list[int] | None
Properties = Mapping[str, PropertyValue]


def node_id(label: str, key: str) -> str:
    """The stable, global id of a node: ``Label:key`` (e.g. ``Plan:CAN-2016-2018``)."""
    return f"{label}:{key}"


@dataclass
class NodeRecord:
    """A node to merge, identified by ``id``; ``properties`` are set on it.

    Bilingual text is stored as two properties, ``<name>_en`` and ``<name>_fr``.
    ``source`` says where the fact comes from: ``file#entry``; a node described
    by several files keeps each of them in its ``sources`` list. A property set
    to ``None`` is removed from the node.
    """

    label: str
    id: str
    properties: dict[str, PropertyValue]
    source: str
    #: set only where the node does not have them yet, so that two sources
    #: describing the same node agree whatever the order they are loaded in
    defaults: dict[str, PropertyValue] = field(default_factory=dict)


@dataclass
class RelRecord:
    """A relationship to merge between two nodes given by label and id."""

    type: str
    start_label: str
    start_id: str
    end_label: str
    end_id: str
    properties: dict[str, PropertyValue] = field(default_factory=dict)
    #: when true, the start node's other relationships of this type are removed
    #: first (a progress update has one status: a new load replaces it)
    replace: bool = False


@dataclass
class GraphDocument:
    """Everything one source file contributes to the graph."""

    name: str
    version: str
    nodes: list[NodeRecord] = field(default_factory=list)
    relationships: list[RelRecord] = field(default_factory=list)

    def add_node(
        self,
        label: str,
        key: str,
        source: str,
        properties: Properties,
        *,
        defaults: Properties | None = None,
    ) -> str:
        """Add a node and return its id; ``ValueError`` for a label the model does not have."""
        if label not in ENTITY_LABELS:
            raise ValueError(f"{self.name}: unknown label {label!r} for {label}:{key}")
        nid = node_id(label, key)
        self.nodes.append(NodeRecord(label, nid, dict(properties), source, dict(defaults or {})))
        return nid

    def link(
        self,
        rel_type: str,
        start: str,
        end: str,
        properties: Properties | None = None,
        *,
        replace: bool = False,
    ) -> None:
        """Add a relationship between two node ids (``Label:key``).

        ``ValueError`` when the model has no such relationship between those labels.
        """
        start_label = start.split(":", 1)[0]
        end_label = end.split(":", 1)[0]
        try:
            relation(start_label, rel_type, end_label)
        except KeyError as exc:
            raise ValueError(f"{self.name}: {exc.args[0]} ({start} -> {end})") from None
        self.relationships.append(
            RelRecord(rel_type, start_label, start, end_label, end, dict(properties or {}), replace)
        )
