"""Every Cypher statement the code can send, named, so that CI can lint them all.

Fixed statements are declared with :func:`statement` where they are used.
Statements built at run time (per label, per filter) come from the
``lintable_statements`` generators of the modules that build them, fed with
every label and operator they accept.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

_REGISTRY: dict[str, Statement] = {}

#: modules that declare statements or generate them
_MODULES = (
    "graph.constraints",
    "graph.index_order",
    "graph.writer",
    "graph.reads",
    "graph.query_builder",
    "graph.compile",
    "graph.search",
    "graph.explore",
    "graph.groups",
    "graph.locks",
    "graph.dump",
    "graph.partnership",
)


@dataclass(frozen=True)
class Statement:
    """A named Cypher statement; values always travel as parameters."""

    name: str
    cypher: str
    #: parameters a generated statement was built with (tests run it with them)
    example: dict[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)
    #: its values are properties, counts, lists and maps of them, never a node, relationship
    #: or path: the driver's values are already plain (graph.records has nothing to change)
    projected: bool = field(default=False, compare=False)


def statement(name: str, cypher: str) -> Statement:
    """Declare a fixed statement under a unique name."""
    if name in _REGISTRY and _REGISTRY[name].cypher != cypher:
        raise ValueError(f"two statements are named {name!r}")
    _REGISTRY[name] = Statement(name, cypher)
    return _REGISTRY[name]


def all_statements() -> list[Statement]:
    """Every statement, fixed and generated, for the Cypher check."""
    found: dict[str, Statement] = {}
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        generator = getattr(module, "lintable_statements", None)
        if generator is not None:
            for item in generator():
                found.setdefault(item.cypher, item)
    for item in _REGISTRY.values():
        found.setdefault(item.cypher, item)
    return list(found.values())
