"""The bundled seed dataset: it is valid, it holds every fact of the seed document, and a
broken dataset file is refused with messages that say where and what to fix."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from graph.document import GraphDocument, NodeRecord
from loaders.errors import SourceError
from loaders.seed_dataset import (
    SECTIONS,
    SeedDataset,
    bundled_dataset_path,
    looks_like_seed_dataset,
    read_seed_dataset,
    seed_document,
)

FILE = "ogp_seed.yaml"


@pytest.fixture(scope="module")
def text() -> str:
    return bundled_dataset_path().read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dataset(text: str) -> SeedDataset:
    return read_seed_dataset(text, FILE)


@pytest.fixture(scope="module")
def doc(dataset: SeedDataset) -> GraphDocument:
    return seed_document(dataset, FILE)


@pytest.fixture(scope="module")
def nodes(doc: GraphDocument) -> dict[str, NodeRecord]:
    return {node.id: node for node in doc.nodes}


@pytest.fixture(scope="module")
def links(doc: GraphDocument) -> set[tuple[str, str, str]]:
    return {(rel.start_id, rel.type, rel.end_id) for rel in doc.relationships}


def labelled(nodes: dict[str, NodeRecord], label: str) -> dict[str, dict[str, Any]]:
    return {nid: node.properties for nid, node in nodes.items() if node.label == label}


# --- the bundled file ---------------------------------------------------------------


def test_the_bundled_dataset_is_valid_and_recognised(text: str, dataset: SeedDataset) -> None:
    assert bundled_dataset_path().is_file()
    assert looks_like_seed_dataset(yaml.safe_load(text))
    assert dataset.dataset.name == "ogp-seed"
    assert dataset.dataset.version == "2018.1"


def test_the_document_is_named_and_versioned_by_content(
    dataset: SeedDataset, doc: GraphDocument
) -> None:
    assert doc.name == "ogp-seed"
    assert doc.version.startswith("2018.1+")
    assert seed_document(dataset, FILE).version == doc.version
    edited = dataset.model_copy(update={"countries": dataset.countries[:1]})
    assert seed_document(edited, FILE).version != doc.version


def test_every_node_has_a_source_entry_and_both_languages(nodes: dict[str, NodeRecord]) -> None:
    assert len(nodes) == len({n.id for n in nodes.values()})
    for node in nodes.values():
        assert node.source.startswith(f"{FILE}#"), node.id
        for name, value in node.properties.items():
            if name.endswith("_en"):
                assert value and node.properties[name[:-3] + "_fr"], (node.id, name)
    assert nodes["Plan:CAN-2016-2018"].source == f"{FILE}#plans/CAN-2016-2018"


# --- every fact of the seed ---------------------------------------------------------


def test_the_partnership_had_79_members_in_2018(nodes: dict[str, NodeRecord]) -> None:
    ogp = nodes["Partnership:OGP"].properties
    assert ogp["name_en"] == "Open Government Partnership"
    assert ogp["name_fr"] == "Partenariat pour un gouvernement ouvert"
    assert (ogp["abbreviation_en"], ogp["abbreviation_fr"]) == ("OGP", "PGO")
    assert (ogp["memberCount"], ogp["memberCountYear"]) == (79, 2018)


def test_canada_joined_in_september_2011_and_georgia_is_a_member(
    nodes: dict[str, NodeRecord], doc: GraphDocument
) -> None:
    assert nodes["Country:CAN"].properties["name_fr"] == "Canada"
    assert nodes["Country:GEO"].properties["name_fr"] == "Géorgie"
    membership = {
        rel.start_id: rel.properties
        for rel in doc.relationships
        if rel.type == "MEMBER_OF" and rel.end_id == "Partnership:OGP"
    }
    assert membership == {"Country:CAN": {"since": "2011-09"}, "Country:GEO": {}}


def test_canada_has_four_plans(nodes: dict[str, NodeRecord], links: set) -> None:
    plans = labelled(nodes, "Plan")
    summary = {
        pid: (p["ordinal"], p["startYear"], p["endYear"], p.get("declaredCommitmentCount"))
        for pid, p in plans.items()
    }
    assert summary == {
        "Plan:CAN-2012-2014": (1, 2012, 2014, None),
        "Plan:CAN-2014-2016": (2, 2014, 2016, None),
        "Plan:CAN-2016-2018": (3, 2016, 2018, 22),
        "Plan:CAN-2018-2020": (4, 2018, 2020, 10),
    }
    for pid in plans:
        assert ("Country:CAN", "HAS_PLAN", pid) in links
    third = plans["Plan:CAN-2016-2018"]
    assert "Biennial" in third["title_en"] and "biannuel" in third["title_fr"]
    assert "22" in third["description_en"] and "22" in third["description_fr"]


def test_plans_have_their_streams_and_priority_areas(
    nodes: dict[str, NodeRecord], links: set
) -> None:
    themes: dict[str, set[tuple[str, str]]] = {}
    for start, rel_type, end in links:
        if rel_type == "HAS_THEME":
            theme = nodes[end].properties
            themes.setdefault(start, set()).add((theme["kind"], theme["name_en"]))
    assert themes == {
        "Plan:CAN-2012-2014": {
            ("STREAM", "Open data"),
            ("STREAM", "Open information"),
            ("STREAM", "Open dialogue"),
        },
        "Plan:CAN-2016-2018": {
            ("PRIORITY_AREA", "Open by default"),
            ("PRIORITY_AREA", "Fiscal transparency"),
            ("PRIORITY_AREA", "Innovation, prosperity and sustainable development"),
            ("PRIORITY_AREA", "Engaging Canadians and the world"),
        },
        "Plan:CAN-2018-2020": {
            ("PRIORITY_AREA", "Inclusive access to government information"),
        },
    }
    assert nodes["Theme:CAN-2016-2018:open-by-default"].properties["name_fr"] == (
        "Ouverture par défaut"
    )


def test_the_second_plan_expanded_open_contracting_and_financial_data(
    nodes: dict[str, NodeRecord],
) -> None:
    plan = nodes["Plan:CAN-2014-2016"].properties
    assert "open contracting" in plan["description_en"]
    assert "open financial data" in plan["description_en"]
    assert "contrats" in plan["description_fr"] and "financières" in plan["description_fr"]


def test_six_reports_assess_the_plans(nodes: dict[str, NodeRecord], links: set) -> None:
    reports = {
        (end, props["kind"]): props.get("published")
        for rid, props in labelled(nodes, "Report").items()
        for start, rel_type, end in links
        if start == rid and rel_type == "ASSESSES"
    }
    assert reports == {
        ("Plan:CAN-2016-2018", "END_OF_TERM_SELF_ASSESSMENT"): "2018-11",
        ("Plan:CAN-2016-2018", "MID_TERM_SELF_ASSESSMENT"): "2017-11",
        ("Plan:CAN-2016-2018", "PROGRESS_TRACKER"): None,
        ("Plan:CAN-2014-2016", "END_OF_TERM_SELF_ASSESSMENT"): "2017-01",
        ("Plan:CAN-2014-2016", "MID_TERM_SELF_ASSESSMENT"): "2016-01",
        ("Plan:CAN-2012-2014", "MID_TERM_SELF_ASSESSMENT"): None,
    }
    tracker = nodes["Report:CAN-2016-2018:PROGRESS_TRACKER"].properties
    assert "quarterly" in tracker["description_en"]
    assert "trimestre" in tracker["description_fr"]
    first_end_of_term = nodes["Report:CAN-2014-2016:END_OF_TERM_SELF_ASSESSMENT"].properties
    assert "first end-of-term" in first_end_of_term["description_en"]


def test_the_co_chairs_of_2018_2019_and_their_predecessors(
    nodes: dict[str, NodeRecord], links: set
) -> None:
    def chair(term: str, role: str) -> tuple[str, str | None, str | None]:
        cid = f"CoChair:{term}:{role}"
        assert ("Partnership:OGP", "HAS_TERM", f"CoChairTerm:{term}") in links
        assert (f"CoChairTerm:{term}", "HAS_CHAIR", cid) in links
        targets = {rel: end for start, rel, end in links if start == cid}
        assert nodes[cid].properties["role"] == role
        return nodes[cid].properties["name_en"], targets.get("REPRESENTS"), targets.get("HELD_BY")

    assert chair("2018-2019", "GOVERNMENT") == ("Government of Canada", "Country:CAN", None)
    assert nodes["CoChair:2018-2019:GOVERNMENT"].properties["name_fr"] == "Gouvernement du Canada"
    assert chair("2018-2019", "CIVIL_SOCIETY") == (
        "Nathaniel Heller",
        None,
        "Person:nathaniel-heller",
    )
    assert chair("2017-2018", "GOVERNMENT") == (
        "Government of Georgia",
        "Country:GEO",
        "Person:thea-tsulukiani",
    )
    assert chair("2017-2018", "CIVIL_SOCIETY") == ("Mukelani Dimba", None, "Person:mukelani-dimba")
    assert nodes["CoChairTerm:2018-2019"].properties == {"startYear": 2018, "endYear": 2019}
    assert {p["name"] for p in labelled(nodes, "Person").values()} == {
        "Nathaniel Heller",
        "Thea Tsulukiani",
        "Mukelani Dimba",
    }


def test_canada_hosts_the_global_summit_in_ottawa_in_may_2019(
    nodes: dict[str, NodeRecord], links: set
) -> None:
    summit = nodes["Event:ogp-global-summit-2019"].properties
    assert (summit["city_en"], summit["city_fr"], summit["startDate"]) == (
        "Ottawa",
        "Ottawa",
        "2019-05",
    )
    assert ("Event:ogp-global-summit-2019", "HOSTED_BY", "Country:CAN") in links
    assert ("Event:ogp-global-summit-2019", "ORGANISED_BY", "Partnership:OGP") in links


def test_the_initiatives_and_the_plans_behind_them(
    nodes: dict[str, NodeRecord], links: set
) -> None:
    kinds = {nid: p["kind"] for nid, p in labelled(nodes, "Initiative").items()}
    assert kinds == {
        "Initiative:advisory-panel-on-open-government": "ADVISORY_BODY",
        "Initiative:multi-stakeholder-forum-on-open-government": "FORUM",
        "Initiative:open-data-canada": "PROGRAM",
        "Initiative:open-data-exchange": "PROGRAM",
        "Initiative:open-data-for-development": "PROGRAM",
        "Initiative:directive-on-open-government": "POLICY",
        "Initiative:open-data-portal": "PORTAL",
    }
    established = {(s, e) for s, rel, e in links if rel == "ESTABLISHED"}
    assert established == {
        ("Plan:CAN-2012-2014", "Initiative:open-data-portal"),
        ("Plan:CAN-2014-2016", "Initiative:open-data-canada"),
        ("Plan:CAN-2014-2016", "Initiative:open-data-exchange"),
        ("Plan:CAN-2014-2016", "Initiative:open-data-for-development"),
        ("Plan:CAN-2014-2016", "Initiative:directive-on-open-government"),
        ("Plan:CAN-2016-2018", "Initiative:multi-stakeholder-forum-on-open-government"),
    }
    guided = {(s, e) for s, rel, e in links if rel == "GUIDED"}
    assert guided == {
        ("Initiative:advisory-panel-on-open-government", "Plan:CAN-2012-2014"),
        ("Initiative:advisory-panel-on-open-government", "Plan:CAN-2014-2016"),
    }
    portal = nodes["Initiative:open-data-portal"].properties
    assert (portal["url_en"], portal["url_fr"]) == ("https://data.gc.ca", "https://donnees.gc.ca")
    assert nodes["Initiative:open-data-exchange"].properties["name_fr"] == (
        "Échange de données ouvertes"
    )


# --- a broken file ------------------------------------------------------------------


def refused(text: str, edit: Callable[[dict[str, Any]], None]) -> SourceError:
    """Edit the bundled dataset, read it back, and return the error it must raise."""
    data = yaml.safe_load(text)
    edit(data)
    with pytest.raises(SourceError) as caught:
        read_seed_dataset(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "bad.yaml")
    return caught.value


def where(error: SourceError) -> dict[str, str]:
    assert all(problem.file == "bad.yaml" for problem in error.problems)
    return {problem.location: problem.message for problem in error.problems}


def test_bad_yaml_is_reported_with_line_and_column() -> None:
    with pytest.raises(SourceError) as caught:
        read_seed_dataset("dataset:\n  name: ogp-seed\nplans: [\n  - a\n", "bad.yaml")
    [problem] = caught.value.problems
    assert problem.file == "bad.yaml"
    assert problem.location.startswith("line ")
    assert ", column " in problem.location
    assert "not valid YAML" in problem.message
    assert str(caught.value).startswith("bad.yaml: line ")


@pytest.mark.parametrize("content", ["", "- just\n- a list\n", "42\n"])
def test_a_file_that_is_not_a_mapping_is_refused(content: str) -> None:
    with pytest.raises(SourceError, match=r"^bad\.yaml: expected a mapping"):
        read_seed_dataset(content, "bad.yaml")


def test_a_missing_french_text_names_entry_and_field(text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["plans"][2]["title"]["fr"]

    error = refused(text, edit)
    assert where(error) == {"plans[2].title.fr": "field required"}
    assert str(error) == "bad.yaml: plans[2].title.fr: field required"


def test_every_problem_of_the_file_is_listed_at_once(text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["plans"][0]["startYear"] = "2012"
        del data["reports"][1]["description"]["fr"]
        data["plans"][1]["colour"] = "blue"
        data["countries"][0]["memberSince"] = "2011-9"
        data["initiatives"][0]["kind"] = "COMMITTEE"
        data["events"][0]["startDate"] = "May 2019"
        data["coChairTerms"][0]["endYear"] = 2017
        data["plans"][3]["key"] = "CAN-2018-2021"
        data["coChairTerms"][1]["chairs"][1]["country"] = "ZAF"

    problems = where(refused(text, edit))
    assert set(problems) == {
        "plans[0].startYear",
        "reports[1].description.fr",
        "plans[1].colour",
        "countries[0].memberSince",
        "initiatives[0].kind",
        "events[0].startDate",
        "coChairTerms[0].endYear",
        "plans[3].key",
        "coChairTerms[1].chairs[1].country",
    }
    assert "integer" in problems["plans[0].startYear"]
    assert "'2012'" in problems["plans[0].startYear"]
    assert problems["reports[1].description.fr"] == "field required"
    assert problems["plans[1].colour"] == "unknown field"
    assert "YYYY-MM" in problems["countries[0].memberSince"]
    assert "'FORUM'" in problems["initiatives[0].kind"]
    assert "must come after startYear" in problems["coChairTerms[0].endYear"]
    assert "'CAN-2018-2020'" in problems["plans[3].key"]


def test_a_report_naming_an_unknown_plan_is_refused(text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["reports"][0]["plan"] = "CAN-2030-2032"
        data["initiatives"][1]["guided"] = ["CAN-2000-2002"]

    problems = where(refused(text, edit))
    assert set(problems) == {"reports[0].plan", "initiatives[1].guided[0]"}
    assert "'CAN-2030-2032'" in problems["reports[0].plan"]


def test_a_chair_naming_an_unknown_country_or_person_is_refused(text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["coChairTerms"][0]["chairs"][0]["country"] = "FRA"
        data["coChairTerms"][0]["chairs"][1]["person"] = "someone-else"

    problems = where(refused(text, edit))
    assert set(problems) == {
        "coChairTerms[0].chairs[0].country",
        "coChairTerms[0].chairs[1].person",
    }
    assert "'FRA'" in problems["coChairTerms[0].chairs[0].country"]


def test_duplicate_keys_are_refused(text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["initiatives"][3]["key"] = data["initiatives"][2]["key"]
        data["reports"][1]["kind"] = data["reports"][0]["kind"]
        data["plans"][0]["themes"][1]["key"] = "open-data"

    problems = where(refused(text, edit))
    assert set(problems) == {"initiatives[3].key", "reports[1].kind", "plans[0].themes[1].key"}
    assert "duplicate 'open-data-canada'" in problems["initiatives[3].key"]
    assert "initiatives[2]" in problems["initiatives[3].key"]


def test_looks_like_seed_dataset_tells_it_from_other_files() -> None:
    assert looks_like_seed_dataset({"dataset": {"name": "x"}, "plans": []})
    assert not looks_like_seed_dataset({"dataset_type": "nap", "resources": []})
    assert not looks_like_seed_dataset({"dataset": "ogp-seed", "plans": []})
    assert not looks_like_seed_dataset(["dataset", "plans"])


# --- a file cut short ---------------------------------------------------------------


def test_a_dataset_cut_at_an_entry_boundary_is_refused(text: str) -> None:
    lines = text.splitlines(keepends=True)
    start = lines.index("partnership:\n")
    cuts = [i for i, line in enumerate(lines) if i >= start and re.match(r"  - |\w+:", line)]
    assert len(cuts) == 34  # 8 sections, 26 entries
    for i in cuts:
        with pytest.raises(SourceError) as caught:
            read_seed_dataset("".join(lines[:i]), "cut.yaml")
        locations = {problem.location for problem in caught.value.problems}
        # a count the header declares, or a section missing or left empty
        expected = {f"dataset.entries.{s}" for s in SECTIONS} | set(SECTIONS)
        assert locations and locations <= expected, (lines[i], locations)


def test_what_a_cut_dataset_lacks_is_said(text: str) -> None:
    cut = text[: text.rindex("\n  - key: ") + 1]
    with pytest.raises(SourceError) as caught:
        read_seed_dataset(cut, "cut.yaml")
    assert str(caught.value) == (
        "cut.yaml: dataset.entries.initiatives: the header declares 7 entries in "
        "'initiatives', the file lists 6: is the file cut short or the count out of date?"
    )


def test_the_declared_entries_are_checked(text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["dataset"]["entries"]["events"] = 2
        data["dataset"]["entries"]["summits"] = 1
        del data["dataset"]["entries"]["people"]

    problems = where(refused(text, edit))
    assert set(problems) == {"dataset.entries.summits"}  # the shape first

    def recount(data: dict[str, Any]) -> None:
        data["dataset"]["entries"]["events"] = 2
        del data["dataset"]["entries"]["people"]

    problems = where(refused(text, recount))
    assert set(problems) == {"dataset.entries.events", "dataset.entries.people"}
    assert "declares 0 entries in 'people', the file lists 3" in problems["dataset.entries.people"]
