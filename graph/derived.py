"""What the writer computes from a node's facts: folded texts, sort keys, a new node's whole
properties.

Apart from the writer so that the processes that make a big write's new nodes
(:mod:`graph.index_workers`) need not import the writer.
"""

from __future__ import annotations

import re
from typing import Any

from graph.document import NodeRecord
from graph.normalize import fold


def derived_properties(props: dict[str, Any]) -> dict[str, Any]:
    """Everything the writer computes from a node's facts (``props``: the merged node).

    The one place where derived properties are made: add new ones here. They are
    not facts, so they never count as a change in the load's report.
    """
    return derived_text(props)


def derived_text(props: dict[str, Any]) -> dict[str, Any]:
    """Folded copies of a node's text, for filters and search.

    ``<name>_norm`` for every bilingual text (both languages); search keeps its own
    index (:mod:`graph.search_index`).
    """
    derived: dict[str, Any] = {}
    bases = {key[:-3] for key in props if key.endswith(("_en", "_fr"))}
    for base in sorted(bases):
        given = {lang: props.get(f"{base}_{lang}") for lang in ("en", "fr")}
        folded = {lang: fold(v) for lang, v in given.items() if isinstance(v, str) and v}
        derived[f"{base}_norm"] = list(dict.fromkeys(folded.values())) or None
    for key in ("id", "code"):
        if isinstance(props.get(key), str):
            derived[f"{key}_sort"] = natural_key(props[key])
    return derived


def natural_key(text: str) -> str:
    """``text`` with every number zero-padded, so that C01.2 sorts before C01.10."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), text)


def new_node_facts(node: NodeRecord) -> dict[str, Any]:
    """The facts a node the store does not have is created with: its properties, its
    ``id`` and its defaults (``None`` values left out)."""
    props = {**node.properties, "id": node.id}
    for key, value in node.defaults.items():
        props.setdefault(key, value)
    return {k: v for k, v in props.items() if v is not None}


def new_node_properties(node: NodeRecord) -> dict[str, Any]:
    """Every property a node the store does not have is created with: its facts and what
    is derived from them."""
    props = new_node_facts(node)
    props.update(derived_properties(props))
    return {k: v for k, v in props.items() if v is not None}
