"""One strict YAML reader for every source: bad syntax and keys given twice are errors.

PyYAML silently keeps the last of two equal keys in a mapping; a source where that
happens has lost a fact without anyone noticing, so every format reads YAML here.
"""

from __future__ import annotations

from typing import Any

import yaml

from loaders.errors import SourceError, SourceProblem

try:  # libyaml's parser, several times faster, where PyYAML was built with it
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _DuplicateCheckingLoader(_SafeLoader):
    """A safe loader that records keys given twice in one mapping."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[object, yaml.Mark, yaml.Mark]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[object, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except (yaml.YAMLError, TypeError):
                continue
            if key in seen:
                self.duplicates.append((key, key_node.start_mark, seen[key]))
            else:
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def mark_location(mark: yaml.Mark | None) -> str:
    """``line L, column C`` of a YAML mark (1-based), or ``""``."""
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def read_yaml(text: str, file: str) -> Any:
    """Parse YAML text strictly; ``file`` names it in errors.

    Raises :class:`SourceError` for bad syntax (with line and column) and for every
    key given twice in one mapping (with both places).
    """
    loader = _DuplicateCheckingLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = "; ".join(part for part in (exc.context, exc.problem) if part)
        raise SourceError.single(file, mark_location(mark), f"not valid YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise SourceError.single(file, "", f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise SourceError(
            [
                SourceProblem(
                    file,
                    mark_location(mark),
                    f"key {key!r} given twice in one mapping (first at {mark_location(first)})",
                )
                for key, mark, first in loader.duplicates
            ]
        )
    return data
