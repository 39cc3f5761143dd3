"""Unit tests (no database) of the tracker definitions' parser, the department table and
the graph made from a definition, against the three real files in ../shared."""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders.departments import load_departments
from loaders.errors import SourceError
from loaders.nap_definitions import (
    REQUIRED_COLUMNS,
    NapDefinition,
    NapMilestone,
    definition_document,
    looks_like_definition,
    read_definition,
)
from loaders.values import BilingualText as Text

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "canada-nap"
FILES = ("nap4-2018-2020.yaml", "nap5-2022-2024.yaml", "nap6-2025-2029.yaml")
NAP4, NAP5, NAP6 = FILES

# Counted independently from the files (a plain yaml.safe_load and a few lines of Python).
EXPECTED: dict[str, dict[str, Any]] = {
    NAP4: {
        "dataset_type": "nap",
        "plan_key": "CAN-2018-2020",
        "ordinal": 4,
        "years": (2018, 2020),
        "declared": 10,
        "commitments": 10,
        "milestones": 56,
        "indicators": 135,
        "periods": 12,
        "first_period": "2019-03",
        "last_period": "2021-12",
        "statuses": 4,
        "departments": 18,
        "due_dates": 131,
        "deadlines": 0,
        "milestone_led_by": 75,
        "indicator_led_by": 0,
    },
    NAP5: {
        "dataset_type": "nap5",
        "plan_key": "CAN-2022-2024",
        "ordinal": 5,
        "years": (2022, 2024),
        "declared": 5,
        "commitments": 5,
        "milestones": 19,
        "indicators": 106,
        "periods": 12,
        "first_period": "2022-03",
        "last_period": "2024-12",
        "statuses": 4,
        "departments": 16,
        "due_dates": 105,
        "deadlines": 106,
        "milestone_led_by": 31,
        "indicator_led_by": 106,
    },
    NAP6: {
        "dataset_type": "nap6",
        "plan_key": "CAN-2025-2029",
        "ordinal": 6,
        "years": (2025, 2029),
        "declared": 4,
        "commitments": 4,
        "milestones": 19,
        "indicators": 65,
        "periods": 9,
        "first_period": "2025-12",
        "last_period": "2029-12",
        "statuses": 4,
        "departments": 9,
        "due_dates": 0,
        "deadlines": 65,
        "milestone_led_by": 20,
        "indicator_led_by": 66,
    },
}

DEPARTMENTS_BY_PLAN = {
    NAP4: {
        "cirnac-rcaanc", "csps-efpc", "dfatd-maecd", "ec", "esdc-edsc", "fin", "ic",
        "idrc-crdi", "lac-bac", "nrc-cnrc", "nrcan-rncan", "ocsa-bcsc", "pch", "pco-bcp",
        "pwgsc-tpsgc", "statcan", "tbs-sct", "wage",
    },
    NAP5: {
        "dfatd-maecd", "ec", "esdc-edsc", "hc-sc", "ic", "idrc-crdi", "isc-sac", "jus",
        "nrcan-rncan", "pch", "pco-bcp", "ps-sp", "rcmp-grc", "statcan", "tbs-sct", "wage",
    },
    NAP6: {
        "hc-sc", "isc-sac", "jus", "lac-bac", "pch", "pwgsc-tpsgc", "rcmp-grc", "tbs-sct",
        "vac-acc",
    },
}  # fmt: skip


def load_yaml(text: str) -> Any:
    """Parse YAML as ``yaml.safe_load`` does, with libyaml (several times faster)."""
    return yaml.load(text, Loader=yaml.CSafeLoader)


def dump_yaml(data: object) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def defs() -> dict[str, NapDefinition]:
    return {
        name: read_definition((DATA / name).read_text(encoding="utf-8"), name) for name in FILES
    }


def milestone(defn: NapDefinition, code: str) -> NapMilestone:
    return next(m for m in defn.iter_milestones() if m.code == code)


def indicator(defn: NapDefinition, code: str):
    return next(i for i in defn.iter_indicators() if i.code == code)


# --- the real files ------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_counts_per_plan(defs: dict[str, NapDefinition], name: str) -> None:
    defn, exp = defs[name], EXPECTED[name]
    assert defn.file == name
    assert defn.dataset_type == exp["dataset_type"]
    assert defn.country == "CAN"
    assert defn.plan_key == exp["plan_key"]
    assert defn.ordinal == exp["ordinal"]
    assert (defn.start_year, defn.end_year) == exp["years"]
    assert defn.declared_commitment_count == exp["declared"]
    assert len(defn.commitments) == exp["commitments"]
    assert len(list(defn.iter_milestones())) == exp["milestones"]
    assert len(list(defn.iter_indicators())) == exp["indicators"]
    assert len(defn.reporting_periods) == exp["periods"]
    assert defn.reporting_periods[0] == exp["first_period"]
    assert defn.reporting_periods[-1] == exp["last_period"]
    assert defn.reporting_periods == sorted(defn.reporting_periods)
    assert len(defn.statuses) == exp["statuses"]
    assert len(defn.departments) == exp["departments"]
    assert {d.code for d in defn.departments} == DEPARTMENTS_BY_PLAN[name]
    assert sum(i.due_date is not None for i in defn.iter_indicators()) == exp["due_dates"]
    assert sum(i.deadline is not None for i in defn.iter_indicators()) == exp["deadlines"]


@pytest.mark.parametrize("name", FILES)
def test_plan_title_in_both_languages(defs: dict[str, NapDefinition], name: str) -> None:
    defn = defs[name]
    span = f"{defn.start_year}-{defn.end_year}"
    assert defn.title == Text(
        f"Canada's {span} National Action Plan on Open Government",
        f"Plan d'action national du Canada pour un gouvernement ouvert de {span}",
    )


def test_reporting_periods_of_the_plans_are_disjoint(defs: dict[str, NapDefinition]) -> None:
    periods = [set(d.reporting_periods) for d in defs.values()]
    assert sum(len(p) for p in periods) == len(set().union(*periods)) == 33
    assert all(re.fullmatch(r"\d{4}-\d\d", p) for p in set().union(*periods))


@pytest.mark.parametrize("name", FILES)
def test_status_scale(defs: dict[str, NapDefinition], name: str) -> None:
    statuses = defs[name].statuses
    assert [(s.code, s.rank) for s in statuses] == [("NS", 0), ("LP", 1), ("SP", 2), ("C", 3)]
    assert statuses[2].label == Text("Substantial progress", "Progrès important")
    assert statuses[3].label == Text("Complete", "Réalisé")
    assert statuses[0].label == Text("Not started", "Non commencé")


def _texts(defn: NapDefinition) -> list[tuple[str, str, Text | None]]:
    out: list[tuple[str, str, Text | None]] = []
    for c in defn.commitments:
        out += [(c.code, "title", c.title), (c.code, "url", c.url)]
        for m in c.milestones:
            out += [(m.code, "title", m.title), (m.code, "full_text", m.full_text)]
            out += [(m.code, "url", m.url)]
            for i in m.indicators:
                out += [(i.code, "title", i.title), (i.code, "full_text", i.full_text)]
                out += [(i.code, "deadline", i.deadline), (i.code, "comment_url", i.comment_url)]
    out += [(s.code, "label", s.label) for s in defn.statuses]
    return out


@pytest.mark.parametrize("name", FILES)
def test_every_text_is_in_both_languages_and_trimmed(
    defs: dict[str, NapDefinition], name: str
) -> None:
    for code, what, text in _texts(defs[name]):
        if what == "title" or what == "label":
            assert text is not None, (code, what)
        if text is None:
            continue
        for value in (text.en, text.fr):
            assert value, (code, what)
            assert value == value.strip(), (code, what, value)


def test_french_and_english_differ(defs: dict[str, NapDefinition]) -> None:
    defn = defs[NAP5]
    assert defn.commitments[0].title == Text(
        "Climate Change and Sustainable Growth", "Changements climatiques et croissance durable"
    )
    assert milestone(defs[NAP6], "C02.3").title == Text(
        "Increase Canadians' access to government information",
        "Accroître l'accès des Canadiens à l'information gouvernementale.",
    )


def test_codes_nest(defs: dict[str, NapDefinition]) -> None:
    for defn in defs.values():
        for c in defn.commitments:
            for m in c.milestones:
                assert m.code.split(".")[0] == c.code
                for i in m.indicators:
                    assert i.code.rsplit(".", 1)[0] == m.code
    # 2022-2024 writes some indicator numbers on two digits
    assert indicator(defs[NAP5], "C02.1.01").title.en.startswith("Projects are supported")


def test_due_dates_and_deadlines(defs: dict[str, NapDefinition]) -> None:
    nap4, nap5, nap6 = (defs[n] for n in FILES)
    assert indicator(nap4, "C01.1.1").due_date == "2020-06"
    assert indicator(nap4, "C02.3.2").due_date is None  # due_date: (empty)
    assert indicator(nap4, "C04.7.6").due_date is None  # commented out
    assert indicator(nap4, "C01.1.1").deadline is None
    assert indicator(nap5, "C01.1.1").due_date == "2023-12"
    assert indicator(nap5, "C01.1.1").deadline == Text("By 2023", "D'ici 2023")
    assert indicator(nap5, "C03.1.2").due_date is None
    assert indicator(nap6, "C01.1.1").deadline == Text("Fall 2027", "Automne 2027")
    multi = indicator(nap6, "C03.4.3").deadline
    assert multi is not None and multi.en is not None
    assert multi.en.endswith("Updated annually to reflect new commitments.")


def test_links_are_absolute(defs: dict[str, NapDefinition]) -> None:
    nap4 = defs[NAP4]
    assert nap4.commitments[0].url == Text(
        "https://open.canada.ca/en/content/canadas-2018-2020-national-action-plan-open-government#toc4",
        "https://ouvert.canada.ca/fr/contenu/plan-daction-national-du-canada-pour-un-gouvernement-ouvert-de-2018-2020#toc4",
    )
    assert indicator(nap4, "C01.1.1").comment_url == Text(
        "https://open.canada.ca/en/commitment/comments-milestone-11",
        "https://ouvert.canada.ca/fr/engagements/commentaires-jalons-11",
    )
    for defn in defs.values():
        for code, what, text in _texts(defn):
            if what in ("url", "comment_url") and text is not None:
                assert text.en.startswith("https://open.canada.ca/"), code
                assert text.fr.startswith("https://ouvert.canada.ca/"), code
    assert all(c.url is None for c in defs[NAP5].commitments + defs[NAP6].commitments)


# --- departments ---------------------------------------------------------------------


LEADS_2018 = {
    # code: (departments, clean English title, clean French title or None)
    "C01.1": (["tbs-sct"], "Make improvements to open.canada.ca", None),
    "C01.2": (["csps-efpc", "tbs-sct"], None, None),  # ÉFPC in French
    "C01.3": (
        ["nrcan-rncan", "statcan", "tbs-sct"],
        "Improve the quality of open data available on open.canada.ca",
        "Améliorer la qualité des données ouvertes du site ouvert.canada.ca.",
    ),
    "C01.7": (["esdc-edsc"], None, None),  # the French title keeps ESDC
    "C02.3": (["pwgsc-tpsgc", "tbs-sct"], None, None),  # PSPC / SPAC
    "C03.1": (["fin", "ic"], "Implement legislative amendments", None),
    "C04.2": (["pco-bcp", "statcan", "tbs-sct"], None, None),
    "C04.6": (["lac-bac", "tbs-sct"], None, None),
    "C04.7": (["csps-efpc", "ic", "tbs-sct"], None, None),  # French says SPAC: warning
    "C05.1": (
        ["ocsa-bcsc"],
        "Develop an Open Science Roadmap for the GC",
        "Élaborer une feuille de route pour la science ouverte pour le GC",
    ),
    "C05.2": (
        ["nrc-cnrc", "ocsa-bcsc", "tbs-sct"],
        "Pilot an open science portal",
        "Piloter un portail des sciences ouvertes",
    ),
    "C05.3": (
        ["nrc-cnrc"],
        None,
        "Lancer une plateforme pour trouver des scientifiques du CNRC et leur travail",
    ),
    "C05.5": (["ec"], "Measure the GC’s progress in implementing open science", None),
    "C06.2": (
        ["dfatd-maecd"],
        "Leverage the G7 Rapid Response Mechanism (RRM)",
        "Miser sur le mécanisme d’intervention rapide du\xa0G7\xa0(MIR)",  # no-break spaces
    ),
    "C06.3": (["pch"], None, None),
    "C08.3": (["wage"], "Implement GBA+ in public engagement and consultations", None),
    "C08.6": (["statcan", "wage"], None, None),
    "C09.3": (["cirnac-rcaanc"], None, None),
    "C10.2": (["idrc-crdi"], "Support the OGP Thematic Partnership on Open Data", None),
    "C10.3": (["idrc-crdi", "tbs-sct"], None, None),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(LEADS_2018))
def test_2018_lead_departments_from_titles(defs: dict[str, NapDefinition], code: str) -> None:
    departments, title_en, title_fr = LEADS_2018[code]
    m = milestone(defs[NAP4], code)
    assert m.departments == departments
    if title_en is not None:
        assert m.title.en == title_en
    if title_fr is not None:
        assert m.title.fr == title_fr


def test_2018_titles_are_clean(defs: dict[str, NapDefinition]) -> None:
    nap4 = defs[NAP4]
    ending = {m.code for m in nap4.iter_milestones() if m.title.en.endswith(")")}
    ending_fr = {m.code for m in nap4.iter_milestones() if m.title.fr.endswith(")")}
    # only the programme's acronym is left, as part of the title
    assert ending == ending_fr == {"C06.2"}
    for m in nap4.iter_milestones():
        assert m.departments, m.code
        assert "SBDAs" not in m.title.en and "MOVS" not in m.title.fr
        assert all(not i.departments for i in m.indicators)
    # the full texts are kept as written
    assert milestone(nap4, "C01.3").full_text.en.endswith("(NRCan / StatCan / TBS)")  # type: ignore[union-attr]


def test_2018_languages_that_disagree_are_reported(defs: dict[str, NapDefinition]) -> None:
    warnings = defs[NAP4].warnings
    located = {w.location for w in warnings}
    assert located == {
        f"resources[0].fields[milestones].choices[{code}]" for code in ("C04.7", "C08.2", "C10.7")
    }
    for w in warnings:
        assert w.file == NAP4
        assert "SPAC" in w.message and "csps-efpc" in w.message and "pwgsc-tpsgc" in w.message
    assert defs[NAP5].warnings == [] and defs[NAP6].warnings == []


def test_2022_lead_departments_from_indicators(defs: dict[str, NapDefinition]) -> None:
    for name in (NAP5, NAP6):
        for m in defs[name].iter_milestones():
            union: list[str] = []
            for i in m.indicators:
                assert i.departments, i.code
                union += [c for c in i.departments if c not in union]
            assert m.departments == union
    nap5, nap6 = defs[NAP5], defs[NAP6]
    assert indicator(nap6, "C01.5.1").departments == ["pwgsc-tpsgc", "hc-sc"]
    assert milestone(nap6, "C01.5").departments == ["pwgsc-tpsgc", "hc-sc"]
    assert milestone(nap5, "C05.2").departments == [
        "tbs-sct", "nrcan-rncan", "isc-sac", "hc-sc", "idrc-crdi", "wage",
    ]  # fmt: skip
    assert indicator(nap5, "C05.3.18").supporting_departments == ["statcan"]
    assert indicator(nap5, "C01.1.1").supporting_departments == []
    # a title's parenthesised acronym stays in the title
    assert milestone(nap5, "C01.2").title.en.endswith(
        "Canadian Centre for Energy Information (CCEI)"
    )


def test_department_table_covers_exactly_the_plans() -> None:
    table = load_departments()
    used = set().union(*DEPARTMENTS_BY_PLAN.values())
    assert {d.code for d in table} == used
    assert len(table) == 24
    for dept in table:
        for text in (dept.abbreviation, dept.name):
            assert text.en and text.fr and text.en == text.en.strip()
    for lang in ("en", "fr"):
        abbreviations = [d.abbreviation.get(lang).casefold() for d in table]
        assert len(abbreviations) == len(set(abbreviations))


def test_department_table_lookups() -> None:
    table = load_departments()
    tbs = table.by_code("tbs-sct")
    assert tbs is not None
    assert tbs.abbreviation == Text("TBS", "SCT")
    assert tbs.name == Text(
        "Treasury Board of Canada Secretariat", "Secrétariat du Conseil du Trésor du Canada"
    )
    assert table.by_abbreviation("TBS", "en") is tbs
    assert table.by_abbreviation("SCT", "fr") is tbs
    assert table.by_abbreviation("SCT", "en") is None  # each language its own
    assert table.by_code("pspc-spac") is table.by_code("pwgsc-tpsgc")
    assert table.by_abbreviation("PSPC", "en").code == "pwgsc-tpsgc"  # type: ignore[union-attr]
    assert table.by_abbreviation("SWC", "en").code == "wage"  # type: ignore[union-attr]
    assert table.by_abbreviation("CFC", "fr").code == "wage"  # type: ignore[union-attr]
    assert table.by_abbreviation("CIRNA", "en").code == "cirnac-rcaanc"  # type: ignore[union-attr]
    assert table.by_abbreviation("GAC", "en").code == "dfatd-maecd"  # type: ignore[union-attr]
    assert table.by_abbreviation("ÉFPC", "fr").code == "csps-efpc"  # type: ignore[union-attr]
    assert table.by_abbreviation("statcan", "en").code == "statcan"  # type: ignore[union-attr]
    assert table.by_code("ocsa-bcsc").portal_organization is False  # type: ignore[union-attr]
    assert table.by_code("nope") is None


def test_same_department_is_one_node_across_plans(defs: dict[str, NapDefinition]) -> None:
    docs = [definition_document(defs[name]) for name in FILES]
    nodes: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        for n in doc.nodes:
            if n.label == "Department":
                nodes.setdefault(n.id, []).append(n.properties)
    assert len(nodes) == 24
    assert len(nodes["Department:tbs-sct"]) == 3
    assert len(nodes["Department:wage"]) == 2  # SWC in 2018-2020, wage in 2022-2024
    assert len(nodes["Department:pwgsc-tpsgc"]) == 2  # PSPC in 2018-2020, slug in 2025-2029
    for props in nodes.values():
        assert all(p == props[0] for p in props)


# --- the graph -----------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_definition_document_shape(defs: dict[str, NapDefinition], name: str) -> None:
    defn, exp = defs[name], EXPECTED[name]
    doc = definition_document(defn)
    key = exp["plan_key"]
    assert doc.name == f"nap:{key}"
    assert re.fullmatch(r"[0-9a-f]{64}", doc.version)
    labels = Counter(n.label for n in doc.nodes)
    assert labels == {
        "Country": 1,
        "Plan": 1,
        "Commitment": exp["commitments"],
        "Milestone": exp["milestones"],
        "Indicator": exp["indicators"],
        "Department": exp["departments"],
        "Status": exp["statuses"],
        "ReportingPeriod": exp["periods"],
    }
    types = Counter(r.type for r in doc.relationships)
    assert types == {
        "HAS_PLAN": 1,
        "HAS_COMMITMENT": exp["commitments"],
        "HAS_MILESTONE": exp["milestones"],
        "HAS_INDICATOR": exp["indicators"],
        "HAS_STATUS_LEVEL": exp["statuses"],
        "HAS_PERIOD": exp["periods"],
        "LED_BY": exp["milestone_led_by"] + exp["indicator_led_by"],
    }
    ids = [n.id for n in doc.nodes]
    assert len(ids) == len(set(ids))
    by_id = {n.id: n for n in doc.nodes}
    for rel in doc.relationships:
        assert rel.start_id in by_id and rel.end_id in by_id, rel
        assert by_id[rel.start_id].label == rel.start_label
        assert by_id[rel.end_id].label == rel.end_label
        assert rel.replace is False
    led_from = Counter(r.start_label for r in doc.relationships if r.type == "LED_BY")
    assert led_from["Milestone"] == exp["milestone_led_by"]
    assert led_from["Indicator"] == exp["indicator_led_by"]
    for n in doc.nodes:
        assert n.id.startswith(f"{n.label}:")
        assert n.source.startswith(f"{name}#")


def test_definition_document_properties(defs: dict[str, NapDefinition]) -> None:
    doc = definition_document(defs[NAP4])
    by_id = {n.id: n for n in doc.nodes}
    plan = by_id["Plan:CAN-2018-2020"]
    assert plan.properties == {
        "startYear": 2018,
        "endYear": 2020,
        "ordinal": 4,
        "declaredCommitmentCount": 10,
    }
    # the seed dataset's title wins whatever the load order
    assert plan.defaults == {
        "title_en": "Canada's 2018-2020 National Action Plan on Open Government",
        "title_fr": "Plan d'action national du Canada pour un gouvernement ouvert de 2018-2020",
    }
    country = by_id["Country:CAN"]
    assert country.properties == {"code": "CAN"}
    assert country.defaults == {"name_en": "Canada", "name_fr": "Canada"}
    assert by_id["Status:CAN-2018-2020:SP"].properties == {
        "code": "SP",
        "rank": 2,
        "label_en": "Substantial progress",
        "label_fr": "Progrès important",
    }
    assert by_id["ReportingPeriod:CAN-2018-2020:2019-03"].properties == {"period": "2019-03"}
    assert by_id["Department:tbs-sct"].properties == {
        "code": "tbs-sct",
        "abbreviation_en": "TBS",
        "abbreviation_fr": "SCT",
        "name_en": "Treasury Board of Canada Secretariat",
        "name_fr": "Secrétariat du Conseil du Trésor du Canada",
    }
    commitment = by_id["Commitment:CAN-2018-2020:C01"]
    assert commitment.source == f"{NAP4}#commitments/C01"
    assert commitment.properties["title_en"] == "User-friendly open government"
    assert commitment.properties["url_fr"].startswith("https://ouvert.canada.ca/fr/contenu/")
    m = by_id["Milestone:CAN-2018-2020:C01.3"]
    assert set(m.properties) == {
        "code", "title_en", "title_fr", "fullText_en", "fullText_fr", "url_en", "url_fr",
    }  # fmt: skip
    assert (
        m.properties["title_en"] == "Improve the quality of open data available on open.canada.ca"
    )
    i = by_id["Indicator:CAN-2018-2020:C01.1.1"]
    assert set(i.properties) == {
        "code", "title_en", "title_fr", "fullText_en", "fullText_fr", "dueDate",
        "deadline_en", "deadline_fr", "commentUrl_en", "commentUrl_fr",
    }  # fmt: skip
    assert i.properties["dueDate"] == "2020-06"
    assert i.properties["deadline_en"] is None  # set, so that a reload replaces it
    assert (
        i.properties["commentUrl_en"]
        == "https://open.canada.ca/en/commitment/comments-milestone-11"
    )
    assert i.source == f"{NAP4}#indicators/C01.1.1"
    led = {(r.start_id, r.end_id) for r in doc.relationships if r.type == "LED_BY"}
    assert ("Milestone:CAN-2018-2020:C01.3", "Department:nrcan-rncan") in led
    assert ("Milestone:CAN-2018-2020:C05.1", "Department:ocsa-bcsc") in led

    doc6 = definition_document(defs[NAP6])
    led6 = {(r.start_id, r.end_id) for r in doc6.relationships if r.type == "LED_BY"}
    assert ("Indicator:CAN-2025-2029:C01.5.1", "Department:hc-sc") in led6
    assert ("Milestone:CAN-2025-2029:C01.5", "Department:pwgsc-tpsgc") in led6
    c01 = {n.id: n for n in doc6.nodes}["Commitment:CAN-2025-2029:C01"]
    assert "url_en" not in c01.properties


def test_document_version_follows_content_not_file_name() -> None:
    text = (DATA / NAP5).read_text(encoding="utf-8")
    one = definition_document(read_definition(text, NAP5)).version
    again = definition_document(read_definition(text, "elsewhere/nap5.yaml")).version
    changed = text.replace("en: Justice\n", "en: Justice for all\n", 1)
    assert changed != text
    other = definition_document(read_definition(changed, NAP5)).version
    assert one == again != other


def test_looks_like_definition() -> None:
    for name in FILES:
        assert looks_like_definition(load_yaml((DATA / name).read_text(encoding="utf-8")))
    assert not looks_like_definition(None)
    assert not looks_like_definition([])
    assert not looks_like_definition({"dataset": {"name": "ogp-seed"}})
    assert not looks_like_definition({"resources": [{"fields": [{"datastore_id": "status"}]}]})
    assert looks_like_definition({"resources": [{"fields": [{"datastore_id": "indicators"}]}]})


# --- bad input -----------------------------------------------------------------------


def parse_definition(data: object, file: str) -> NapDefinition:
    """Read ``data`` written out as YAML, the way a file is read."""
    return read_definition(dump_yaml(data), file)


def minimal(lead: bool = True) -> dict[str, Any]:
    """A small, valid definition (2022 shape, or 2018 shape with lead=False)."""
    span = "2022-2024" if lead else "2018-2020"
    indicator: dict[str, Any] = {"en": "Do it", "fr": "Le faire", "due_date": "2022-06"}
    if lead:
        indicator["lead_dept"] = "tbs-sct"
    text_columns = [{"datastore_id": name} for name in REQUIRED_COLUMNS[5:]]
    example = {name: "" for name in REQUIRED_COLUMNS}
    example.update(
        reporting_period="2022-03",
        commitments="C01",
        milestones="C01.1",
        indicators="C01.1.1",
        status="NS",
    )
    return {
        "dataset_type": "nap5" if lead else "nap",
        "resources": [
            {
                "fields": [
                    {"datastore_id": "reporting_period", "choices": {"2022-03": "2022-03"}},
                    {
                        "datastore_id": "commitments",
                        "description": {
                            "en": f"The 1 commitments in the {span} National Action Plan",
                            "fr": f"Les 1 engagements dans le Plan d'action national de {span}",
                        },
                        "choices": {"C01": {"en": "Open", "fr": "Ouvert"}},
                    },
                    {
                        "datastore_id": "milestones",
                        "choices": {
                            "C01.1": {
                                "en": "Publish data" + ("" if lead else " (TBS/StatCan)"),
                                "fr": "Publier des données" + ("" if lead else " (SCT/StatCan)"),
                            }
                        },
                    },
                    {"datastore_id": "indicators", "choices": {"C01.1.1": indicator}},
                    {
                        "datastore_id": "status",
                        "choices": {
                            "NS": {"en": "Not started", "fr": "Non commencé"},
                            "C": {"en": "Complete", "fr": "Réalisé"},
                        },
                    },
                    *text_columns,
                ],
                "datastore_primary_key": ["reporting_period", "indicators"],
                "examples": {"record": example},
            }
        ],
    }


def choices(data: dict[str, Any], field_id: str) -> dict[str, Any]:
    for fld in data["resources"][0]["fields"]:
        if fld["datastore_id"] == field_id:
            return fld["choices"]
    raise KeyError(field_id)


def problems_of(data: object, file: str = "bad.yaml") -> list[tuple[str, str, str]]:
    with pytest.raises(SourceError) as info:
        parse_definition(data, file)
    return [(p.file, p.location, p.message) for p in info.value.problems]


IND = "resources[0].fields[indicators].choices"
MIL = "resources[0].fields[milestones].choices"


def test_minimal_definitions_parse() -> None:
    defn = parse_definition(minimal(), "ok.yaml")
    assert defn.plan_key == "CAN-2022-2024" and defn.ordinal == 5
    assert [s.code for s in defn.statuses] == ["NS", "C"]
    assert milestone(defn, "C01.1").departments == ["tbs-sct"]
    old = parse_definition(minimal(lead=False), "ok.yaml")
    assert old.plan_key == "CAN-2018-2020" and old.ordinal == 4
    m = milestone(old, "C01.1")
    assert m.departments == ["tbs-sct", "statcan"]
    assert m.title == Text("Publish data", "Publier des données")


def test_dangling_parents_are_errors() -> None:
    data = minimal()
    choices(data, "milestones")["C02.1"] = {"en": "Orphan", "fr": "Orphelin"}
    choices(data, "indicators")["C01.9.1"] = {"en": "x", "fr": "y", "lead_dept": "tbs-sct"}
    found = problems_of(data)
    assert ("bad.yaml", f"{MIL}[C02.1]") in {(f, loc) for f, loc, _ in found}
    assert any(loc == f"{IND}[C01.9.1]" and "C01.9" in msg for _, loc, msg in found)
    assert any("commitment C02" in msg for _, _, msg in found)


def test_unknown_slug_missing_language_bad_due_date_all_at_once() -> None:
    data = minimal()
    ind = choices(data, "indicators")["C01.1.1"]
    ind["lead_dept"] = ["tbs-sct", "xyz-abc"]
    del ind["fr"]
    ind["due_date"] = "June 2022"
    choices(data, "commitments")["C01"]["en"] = "   "
    found = problems_of(data)
    locations = {loc: msg for _, loc, msg in found}
    assert "xyz-abc" in locations[f"{IND}[C01.1.1].lead_dept"]
    assert "French" in locations[f"{IND}[C01.1.1].fr"]
    assert "June 2022" in locations[f"{IND}[C01.1.1].due_date"]
    assert "resources[0].fields[commitments].choices[C01].en" in locations
    assert len(found) == 4
    assert all(f == "bad.yaml" for f, _, _ in found)


def test_due_date_must_be_a_month() -> None:
    data = minimal()
    choices(data, "indicators")["C01.1.1"]["due_date"] = yaml.safe_load("2022-06-01")
    ((_, loc, msg),) = problems_of(data)
    assert loc == f"{IND}[C01.1.1].due_date" and "2022-06-01" in msg


def test_missing_lead_department_in_a_2022_file() -> None:
    data = minimal()
    choices(data, "indicators")["C01.1.2"] = {"en": "x", "fr": "y"}
    ((_, loc, msg),) = problems_of(data)
    assert loc == f"{IND}[C01.1.2].lead_dept" and "missing" in msg


def test_bad_codes_and_duplicates() -> None:
    data = minimal()
    choices(data, "commitments")["C1-1"] = {"en": "x", "fr": "y"}
    choices(data, "milestones")[" C01.1"] = {"en": "x", "fr": "y"}
    choices(data, "reporting_period")["2022-13"] = "2022-13"
    found = {loc: msg for _, loc, msg in problems_of(data)}
    assert "C01" in found["resources[0].fields[commitments].choices[C1-1]"]
    assert "twice" in found[f"{MIL}[ C01.1]"]
    assert "2022-13" in found["resources[0].fields[reporting_period].choices[2022-13]"]


def test_structure_problems() -> None:
    data = minimal()
    data["dataset_type"] = "contracts"
    data["resources"][0]["fields"] = [
        f for f in data["resources"][0]["fields"] if f["datastore_id"] != "status"
    ]
    found = {loc: msg for _, loc, msg in problems_of(data)}
    assert "contracts" in found["dataset_type"]
    assert "status" in found["resources[0].fields[status]"]
    assert problems_of(None)[0][2].startswith("expected a mapping")
    assert "resources[0].fields" in problems_of({"dataset_type": "nap"})[0][1]


def test_plan_years_are_required() -> None:
    data = minimal()
    fld = data["resources"][0]["fields"][1]
    fld["description"] = {"en": "Commitments", "fr": "Engagements"}
    ((_, loc, msg),) = problems_of(data, "tracker.yaml")
    assert loc == "resources[0].fields[commitments].description" and "years" in msg
    # the file name may give them
    assert parse_definition(data, "nap9-2031-2033.yaml").plan_key == "CAN-2031-2033"


@pytest.mark.parametrize(
    ("en", "fr", "bad"),
    [
        ("Publish data (TBS/XYZ)", "Publier des données (SCT/StatCan)", ("en", "XYZ")),
        ("Publish data (ABCD)", "Publier des données (SCT)", ("en", "ABCD")),
        ("Publish data (TBS)", "Publier des données (SCT/PQRS)", ("fr", "PQRS")),
        ("Publish data (TBS)", "Publier des données (TBS)", ("fr", "TBS")),  # not French
    ],
)
def test_unknown_abbreviation_in_a_title_is_an_error(
    en: str, fr: str, bad: tuple[str, str]
) -> None:
    data = minimal(lead=False)
    choices(data, "milestones")["C01.1"] = {"en": en, "fr": fr}
    ((file, loc, msg),) = problems_of(data, "nap.yaml")
    lang, value = bad
    assert file == "nap.yaml"
    assert loc == f"{MIL}[C01.1].{lang}"
    assert repr(value) in msg and "C01.1" in msg


@pytest.mark.parametrize(
    ("en", "fr"),
    [
        ("Publish the analysis (GBA+)", "Publier l'analyse (ACS+)"),
        (
            "Use the Rapid Response Mechanism (RRM)",
            "Utiliser le mécanisme d'intervention rapide (MIR)",
        ),
        ("Publish data (in both languages)", "Publier des données (dans les deux langues)"),
    ],
)
def test_parenthesis_that_is_not_a_department_list_stays(en: str, fr: str) -> None:
    data = minimal(lead=False)
    choices(data, "milestones")["C01.1"] = {"en": en, "fr": fr}
    defn = parse_definition(data, "nap.yaml")
    m = milestone(defn, "C01.1")
    assert m.title == Text(en, fr)
    assert m.departments == []
    assert [w.location for w in defn.warnings] == [f"{MIL}[C01.1]"]


def test_support_clause_and_names_written_out() -> None:
    data = minimal(lead=False)
    choices(data, "milestones")["C01.1"] = {
        "en": "Measure science (ECCC, with support from SBDAs)",
        "fr": "Mesurer la science (ECCC, avec l’appui des MOVS.)",
    }
    m = milestone(parse_definition(data, "nap.yaml"), "C01.1")
    assert m.departments == ["ec"]
    assert m.title == Text("Measure science", "Mesurer la science")


def test_read_definition_reports_yaml_errors_with_line_and_column() -> None:
    with pytest.raises(SourceError) as info:
        read_definition("dataset_type: nap\nresources:\n  - fields: [\n", "broken.yaml")
    (problem,) = info.value.problems
    assert problem.file == "broken.yaml"
    assert re.fullmatch(r"line \d+, column \d+", problem.location)
    assert "not valid YAML" in problem.message


def test_read_definition_reports_duplicate_keys() -> None:
    text = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False)
    text = text.replace(
        "      C01.1.1:\n",
        "      C01.1.1:\n        en: first\n        fr: premier\n      C01.1.1:\n",
        1,
    )
    assert text.count("C01.1.1:") == 2
    with pytest.raises(SourceError) as info:
        read_definition(text, "dup.yaml")
    (problem,) = info.value.problems
    assert problem.file == "dup.yaml"
    assert problem.location.startswith("line ")
    assert "'C01.1.1' given twice" in problem.message


def test_real_file_with_a_broken_entry_names_it() -> None:
    data = load_yaml((DATA / NAP4).read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    ms = choices(broken, "milestones")
    ms["C01.1"]["en"] = "Make improvements to open.canada.ca (TBS/OGPX)"
    with pytest.raises(SourceError) as info:
        parse_definition(broken, NAP4)
    (problem,) = info.value.problems
    assert (problem.file, problem.location) == (NAP4, f"{MIL}[C01.1].en")
    assert "'OGPX'" in problem.message
    assert str(problem).startswith(f"{NAP4}: {MIL}[C01.1].en: ")


# --- a file cut short ----------------------------------------------------------------

_CHOICE = re.compile(r"^      \S[^:]*:")
_COLUMN = re.compile(r"^  - datastore_id: (\S+)")
_RESOURCE_KEY = re.compile(r"^  ([a-z_]+):")
_EXAMPLE_KEY = re.compile(r"^      ([a-z_]+):")
_PLAN_COLUMNS = ("reporting_period", "commitments", "milestones", "indicators", "status")


def entry_boundaries(lines: list[str]) -> dict[int, str]:
    """Where a definition can be cut so that what is left is still valid YAML, up to the
    end of its example record: before each plan column and its first and last choice,
    before the first and the last text column and the column after them, before each
    key of the resource after its columns, and before the example record and its first,
    status and last cells."""
    columns: list[tuple[int, str]] = []
    choices: dict[str, list[int]] = {}
    cuts: dict[int, str] = {}
    record: list[tuple[int, str]] = []
    column = ""
    after_fields = in_record = False
    for i, line in enumerate(lines):
        if m := _COLUMN.match(line):
            column = m.group(1)
            columns.append((i, column))
        elif m := _RESOURCE_KEY.match(line):
            if in_record:
                break  # filters, filter_one, sort: the rest is presentation
            if after_fields:
                cuts[i] = f"resource key {m.group(1)}"
            after_fields = after_fields or m.group(1) == "fields"
            column = ""
        elif line.startswith("    record:"):
            in_record = True
            cuts[i] = "example record"
        elif in_record and (m := _EXAMPLE_KEY.match(line)):
            record.append((i, m.group(1)))
        elif in_record and re.match(r"    \S", line):
            break
        elif column in _PLAN_COLUMNS and _CHOICE.match(line):
            choices.setdefault(column, []).append(i)
    names = [name for _, name in columns]
    after_text = columns[names.index("challenges_fr") + 1][1]
    for i, name in columns:
        if name in (*_PLAN_COLUMNS, "progress_en", "challenges_fr", after_text):
            cuts[i] = f"column {name}"
    for name, found in choices.items():
        cuts[found[0]] = f"first choice of {name}"
        cuts[found[-1]] = f"last choice of {name}"
    for i, cell in (record[0], *[r for r in record if r[1] == "status"], record[-1]):
        cuts[i] = f"example record's {cell}"
    return dict(sorted(cuts.items()))


@pytest.mark.parametrize("name", FILES)
def test_a_definition_cut_at_an_entry_boundary_is_refused(name: str) -> None:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines(keepends=True)
    cuts = entry_boundaries(lines)
    assert {
        "column status",
        "last choice of status",
        "column progress_en",
        "resource key datastore_primary_key",
        "resource key examples",
        "example record's status",
    } <= set(cuts.values())
    for i, where in cuts.items():
        with pytest.raises(SourceError) as info:
            read_definition("".join(lines[:i]), name)
        problems = info.value.problems
        assert all(p.file == name and p.location and p.message for p in problems), where
        # what is left is valid YAML: it is refused for what it lacks
        assert not any(p.message.startswith("not valid YAML") for p in problems), where


def test_what_a_cut_definition_lacks_is_said() -> None:
    lines = (DATA / NAP6).read_text(encoding="utf-8").splitlines(keepends=True)
    cuts = {where: i for i, where in entry_boundaries(lines).items()}

    def problems(where: str) -> dict[str, str]:
        with pytest.raises(SourceError) as info:
            read_definition("".join(lines[: cuts[where]]), NAP6)
        return {p.location: p.message for p in info.value.problems}

    assert problems("last choice of status") == {
        "resources[0].fields[progress_en]": "missing columns 'progress_en', 'progress_fr', "
        "'evidence_en', 'evidence_fr', 'challenges_en', 'challenges_fr'",
        "resources[0].datastore_primary_key": "field required",
        "resources[0].examples": "field required",
    }
    assert problems("column record_created") == {
        "resources[0].datastore_primary_key": "field required",
        "resources[0].examples": "field required",
    }
    found = problems("example record's status")
    assert list(found) == ["resources[0].examples.record"]
    assert "the example record has no 'status': is the file cut short?" in {
        p.message
        for p in _problems_of_text("".join(lines[: cuts["example record's status"]]), NAP6)
    }


def _problems_of_text(text: str, file: str) -> list[Any]:
    with pytest.raises(SourceError) as info:
        read_definition(text, file)
    return info.value.problems


def test_what_follows_the_example_record_is_not_needed() -> None:
    text = (DATA / NAP5).read_text(encoding="utf-8")
    cut = text[: text.index("    filters:")]
    assert definition_document(read_definition(cut, NAP5)).version == (
        definition_document(read_definition(text, NAP5)).version
    )


def test_a_definition_announcing_more_commitments_than_it_holds_is_refused() -> None:
    data = minimal()
    fld = data["resources"][0]["fields"][1]
    fld["description"]["en"] = "The 2 commitments in the 2022-2024 National Action Plan"
    fld["description"]["fr"] = "Les 2 engagements dans le Plan d'action national de 2022-2024"
    ((_, loc, msg),) = problems_of(data)
    assert loc == "resources[0].fields[commitments].description"
    assert "announces 2 commitments" in msg and "hold 1" in msg


def test_an_example_record_naming_undefined_choices_is_refused() -> None:
    data = minimal()
    record = data["resources"][0]["examples"]["record"]
    record["indicators"] = "C09.9.9"
    record["colour"] = "blue"
    found = {loc: msg for _, loc, msg in problems_of(data)}
    assert set(found) == {
        "resources[0].examples.record.indicators",
        "resources[0].examples.record.colour",
    }
    assert "'C09.9.9'" in found["resources[0].examples.record.indicators"]
