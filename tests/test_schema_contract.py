"""The schema front ends depend on: committed as schema.graphql, described everywhere."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from schema.app import build_schema

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_sdl_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    current = build_schema().as_str() + "\n"
    assert committed == current, (
        "schema.graphql differs from the code: if the change is meant, run "
        "`ogp-graph schema > schema.graphql` and commit it"
    )


def test_every_type_field_and_argument_has_a_description() -> None:
    schema = build_schema()._schema
    missing = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, item in kind.fields.items():
                if not item.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(item, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(kind, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in kind.values.items() if not value.description]
    assert not missing, missing[:30]
