"""Writes ``docs/graph-model.md`` from :mod:`graph.domain` (``python -m graph.domain_doc``).

``tests/test_domain.py`` fails when the committed document differs from this output.
"""

from __future__ import annotations

from pathlib import Path

from graph.domain import DATASET_LABEL, ENTITIES, ENUM_BY_NAME, Entity, Kind, Prop
from graph.model import RELATIONS

TARGET = Path(__file__).resolve().parents[1] / "docs" / "graph-model.md"

INTRO = """\
# The graph model

Generated from `graph/domain.py` by `python -m graph.domain_doc`: do not edit by hand.

Every node has exactly one label, a stable global `id` of the form `Label:key`
(also its Relay id in the API), `sources` (every `file#entry` that describes it)
and `loadedAt` (ISO 8601, UTC, when it was last written). Text that exists in
both languages is stored as two properties, `<name>_en` and `<name>_fr`. The
writer adds, for search and filters, `<name>_norm` (a list of the lower-cased,
accent-free forms of both languages) and `id_sort`/`code_sort` (numbers
zero-padded, for natural order). For search, the writer also keeps an index
(`graph/search_index.py`): every entity gets `searchDoc` (its number in the
index) and `searchIndexed` (the keys it is indexed under, with their weights),
and `SearchIndex` nodes (no relationships) hold the postings of the keys hashed
to them, plus one `SearchIndex:<version>:meta` node (how many entities are
indexed).

Kinds: *text* (one text), *bilingual* (`_en`/`_fr`), *url* (bilingual web address),
*int*, *bool*, *date* (`YYYY-MM` or `YYYY-MM-DD`, compared in calendar order), *enum* (one of
the listed values), *enum_list* (several of them), *count* (computed from relationships, not
stored).
"""


def _prop(name: str, prop: Prop) -> str:
    stored = f"{name}_en/fr" if prop.kind in (Kind.BILINGUAL, Kind.URL) else name
    detail = prop.kind.value
    if prop.kind in (Kind.ENUM, Kind.ENUM_LIST) and prop.ref:
        detail = "`" + "`, `".join(ENUM_BY_NAME[prop.ref].values) + "`"
    elif prop.kind is Kind.COUNT:
        detail = f"count of `{prop.ref}`"
    if prop.example:
        detail += f"; {prop.example}"
    return f"{stored} ({detail})"


def _row(entity: Entity) -> str:
    props = ", ".join(_prop(name, prop) for name, prop in entity.props.items())
    return f"| {entity.label} | {entity.key} | {props} |"


def _rel_properties(start: str, rel_type: str, end: str) -> str:
    for entity in ENTITIES:
        for link in entity.links:
            if link.type == rel_type and {entity.label, link.target} == {start, end}:
                return link.properties
    return ""


def document() -> str:
    """The text of ``docs/graph-model.md``."""
    lines = [INTRO, "| label | key (after `Label:`) | properties (kind) |", "| --- | --- | --- |"]
    lines += [_row(entity) for entity in ENTITIES]
    lines.append(
        f"| {DATASET_LABEL} | document name (`ogp-seed`, `nap:CAN-2022-2024`, "
        "`tracker:CAN-2022-2024`) | version, loadedAt (bookkeeping: which version of a "
        "source is in the store) |"
    )
    notes = [entity.notes for entity in ENTITIES if entity.notes]
    if notes:
        lines += ["", *notes]
    lines += ["", "| relationship | from | to | properties |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {rel.type} | {rel.start} | {rel.end} | {_rel_properties(rel.start, rel.type, rel.end)} |"
        for rel in RELATIONS
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    TARGET.write_text(document(), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
