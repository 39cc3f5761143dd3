"""The declaration (graph/domain.py) holds together, and what is generated from it is committed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph import domain
from graph.document import GraphDocument
from graph.domain import ENTITIES, ENUM_BY_NAME, ENUMS, LINKS_OF, Kind
from graph.domain_doc import document
from graph.fields import FIELDS, LINKS
from graph.model import LABELS, RELATIONS, label_of, relation
from schema.codegen import source

ROOT = Path(__file__).resolve().parents[1]
SCREAMING = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")


def test_the_generated_schema_module_is_up_to_date() -> None:
    committed = (ROOT / "schema" / "entities.py").read_text(encoding="utf-8")
    assert committed == source(), (
        "schema/entities.py differs from graph/domain.py: run `python -m schema.codegen`"
    )


def test_the_graph_model_document_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "graph-model.md").read_text(encoding="utf-8")
    assert committed == document(), (
        "docs/graph-model.md differs from graph/domain.py: run `python -m graph.domain_doc`"
    )


def test_labels_are_unique_and_named_like_types() -> None:
    labels = [e.label for e in ENTITIES]
    assert len(labels) == len(set(labels))
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", label) for label in labels)
    assert LABELS[-1] == "Dataset" and "Dataset" not in labels


def test_every_enum_value_is_screaming_snake_case_and_described() -> None:
    for decl in ENUMS:
        for value, description in decl.values.items():
            assert SCREAMING.match(value), f"{decl.name}.{value}"
            assert description, f"{decl.name}.{value}"


def test_every_reference_of_the_declaration_resolves() -> None:
    for entity in ENTITIES:
        names = [link.name for link in LINKS_OF[entity.label]]
        assert len(names) == len(set(names)), f"{entity.label} has two links of one name"
        assert not set(names) & set(entity.props), (
            f"{entity.label}: a link and a property share a name"
        )
        for name, prop in entity.props.items():
            assert prop.description, f"{entity.label}.{name}"
            if prop.kind is Kind.ENUM:
                assert prop.ref in ENUM_BY_NAME, f"{entity.label}.{name}"
            if prop.kind is Kind.COUNT:
                assert prop.ref is not None
                assert domain.link(entity.label, prop.ref).many, f"{entity.label}.{name}"
        for field, direction in entity.order:
            assert field in FIELDS[entity.label] and direction in ("ASC", "DESC")
        for link in LINKS_OF[entity.label]:
            assert link.target in domain.ENTITY_BY_LABEL, f"{entity.label}.{link.name}"
            assert link.style in ("connection", "list", "one")
            assert link.style == "one" or link.many
        for choice in entity.groupings:
            assert SCREAMING.match(choice.name)
            assert (choice.prop is None) != (not choice.path), f"{entity.label}.{choice.name}"
            if choice.prop is not None:
                assert choice.prop in entity.props
            else:
                domain.path_target(entity.label, choice.path)


def test_the_tables_are_derived_from_the_declaration() -> None:
    assert FIELDS["Indicator"]["dueDate"].kind is Kind.DATE
    assert FIELDS["Country"]["planCount"].expression == "COUNT { ({v})-[:HAS_PLAN]->(:Plan) }"
    assert "url" not in FIELDS["Plan"]  # web addresses are shown, not filtered
    assert LINKS["Plan"]["country"].direction == "in"
    assert LINKS["Event"]["organizer"].target == "Partnership"
    assert relation("Milestone", "LED_BY", "Department") in RELATIONS
    with pytest.raises(KeyError):
        relation("Department", "LED_BY", "Milestone")
    assert domain.path_pattern("Indicator", ("milestone", "commitment"), "n", "g") == (
        "(n)<-[:HAS_INDICATOR]-(:Milestone)<-[:HAS_MILESTONE]-(g:Commitment)"
    )
    with pytest.raises(KeyError, match="Plan has no relationship 'nothing'"):
        domain.link("Plan", "nothing")


def test_ids_name_their_label() -> None:
    assert label_of("Plan:CAN-2016-2018") == "Plan"
    assert label_of("Dataset:ogp-seed") is None
    assert label_of("Nothing:x") is None
    assert label_of("Plan") is None


def test_a_document_refuses_what_the_model_does_not_have() -> None:
    doc = GraphDocument("test", "1")
    plan = doc.add_node("Plan", "P", "t#1", {"startYear": 2020})
    country = doc.add_node("Country", "CAN", "t#2", {"code": "CAN"}, defaults={"name_en": "C"})
    doc.link("HAS_PLAN", country, plan)
    assert doc.nodes[1].defaults == {"name_en": "C"}
    assert doc.relationships[0].start_label == "Country"
    with pytest.raises(ValueError, match="unknown label 'Planet'"):
        doc.add_node("Planet", "X", "t#3", {})
    with pytest.raises(ValueError, match=r"no relation \(Plan\)-\[:HAS_PLAN\]->\(Country\)"):
        doc.link("HAS_PLAN", plan, country)
    with pytest.raises(ValueError, match="HAS_PLANS"):
        doc.link("HAS_PLANS", country, plan)


def test_graph_imports_neither_loaders_nor_schema() -> None:
    offending = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "graph").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(from|import) (loaders|schema)\b", line)
    ]
    assert not offending, offending
