"""OGP's commitment data (current format): counts, ratings, tags, members, and bad rows."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from graph.document import GraphDocument, NodeRecord
from loaders.errors import SourceError
from loaders.ogp_commitments import (
    OgpCommitmentData,
    looks_like_ogp_commitments,
    ogp_commitments_document,
    read_ogp_commitments,
)
from tests.partnership_data import COMMITMENTS_CSV, edited_commitments, text_of


@cache
def data() -> OgpCommitmentData:
    return read_ogp_commitments(text_of(COMMITMENTS_CSV), "subset.csv")


@cache
def document() -> GraphDocument:
    return ogp_commitments_document(data())[0]


def node(node_id: str) -> NodeRecord:
    """The node's properties as the writer would merge them (one document: later complete)."""
    found = [n for n in document().nodes if n.id == node_id]
    assert found, node_id
    merged = NodeRecord(found[0].label, node_id, {}, found[0].source, {})
    for n in found:
        merged.properties.update(n.properties)
        merged.defaults.update(n.defaults)
    return merged


def links(rel_type: str, start: str) -> set[str]:
    return {
        r.end_id for r in document().relationships if r.type == rel_type and r.start_id == start
    }


def test_recognised_by_content() -> None:
    assert looks_like_ogp_commitments(text_of(COMMITMENTS_CSV))
    assert not looks_like_ogp_commitments("reporting_period,indicators\n")


def test_counts_of_commitments_members_and_plans() -> None:
    rows = [c.row for c in data().commitments]
    assert len(rows) == 503
    assert len({r.code for r in rows}) == 70
    assert len({r.plan_id for r in rows}) == 198
    per_member = Counter[str | None](r.code for r in rows)
    assert per_member["MKD"] == 31 and per_member["GHA"] == 23 and per_member["CAN"] == 3
    assert per_member["USA"] == 4 and per_member["GBSC"] == 3
    per_plan = Counter[str | None](r.plan_id for r in rows)
    assert per_plan["AP_KGZ01"] == 15 and per_plan["AP_MKD05"] == 13 and per_plan["AP_CAN04"] == 1
    labels = Counter(n.label for n in {n.id: n for n in document().nodes}.values())
    assert labels["Commitment"] == 503 and labels["Plan"] == 198
    members = {n.id for n in document().nodes if "memberCategory" in n.properties}
    assert len(members) == 70
    # Mexico is in the graph as Jalisco's country, not as a member of this subset
    assert labels["Country"] == 65 and "Country:MEX" not in members
    assert labels["LocalGovernment"] == 6 and labels["Region"] == 4


def test_ratings_and_tags_of_an_albanian_commitment() -> None:
    al = node("Commitment:AL0002").properties
    assert al["specificity"] == "MEDIUM" and al["verifiable"] is True
    assert al["potentialImpact"] == "MODERATE" and al["completionProgressReport"] == "SUBSTANTIAL"
    assert al["ogpValues"] == ["ACCESS_TO_INFORMATION", "PUBLIC_ACCOUNTABILITY", "TECHNOLOGY"]
    assert al["starred2015"] is True and al["starredProgressReport"] is False
    assert al["starred"] is True
    # ND is not a rating: null, with the reason kept
    assert "didItOpenGovernment" not in al and al["didItOpenGovernmentReason"] == "NO_DATA"
    assert links("HAS_POLICY_AREA", "Commitment:AL0002") == {
        "PolicyArea:democratizing-decision-making",
        "PolicyArea:regulatory-governance",
        "PolicyArea:open-parliaments",
    }
    assert links("LED_BY", "Commitment:AL0002") == {"Department:ALB:council-of-ministers"}
    assert "Plan:AP_ALB01" in {
        r.start_id for r in document().relationships if r.end_id == "Commitment:AL0002"
    }


def test_canada_commitment_joins_the_existing_plan_and_departments() -> None:
    ca = node("Commitment:CA0066").properties
    assert ca["completionEndOfTerm"] == "COMPLETE" and ca["didItOpenGovernment"] == "DID_NOT_CHANGE"
    assert links("LED_BY", "Commitment:CA0066") == {"Department:fin", "Department:ic"}
    assert links("SUPPORTED_BY", "Commitment:CA0042") == {"Department:jus", "Department:pco-bcp"}
    plan = node("Plan:CAN-2018-2020")
    assert plan.properties["ogpId"] == "AP_CAN04" and plan.properties["ordinal"] == 4
    # OGP's years are defaults: the bundled dataset's 2018-2020 stays
    assert plan.defaults["endYear"] == 2021 and "endYear" not in plan.properties
    assert "Plan:AP_CAN04" not in {n.id for n in document().nodes}


def test_us_and_other_members_sampled() -> None:
    us = node("Commitment:US0036").properties
    assert us["code"] == "10"
    assert links("LED_BY", "Commitment:US0036") == {
        "Department:USA:department-of-treasury",
        "Department:USA:department-of-justice",
    }
    ke = [c.row for c in data().commitments if c.row.code == "KEN"]
    assert len(ke) == 8
    mk = Counter(c.row.potential_impact.value for c in data().commitments if c.row.code == "MKD")
    assert sum(mk.values()) == 31


def test_local_members_are_local_governments_in_their_country() -> None:
    expected = {
        "ARBA": "ARG",
        "GBSC": "GBR",
        "GETB": "GEO",
        "MXJL": "MEX",
        "NGKD": "NGA",
        "PHSC": "PHL",
    }
    for code, country in expected.items():
        local = node(f"LocalGovernment:{code}")
        assert local.properties["memberCategory"] == "LEGACY_LOCAL"
        assert links("IN_COUNTRY", local.id) == {f"Country:{country}"}
        assert links("MEMBER_OF", local.id) == {"Partnership:OGP"}
    assert node("LocalGovernment:GBSC").defaults["name_en"] == "Scotland"
    assert links("IN_REGION", "LocalGovernment:ARBA") == {"Region:americas"}
    assert (
        node("Region:africa-and-the-middle-east").properties["name_fr"] == "Afrique et Moyen-Orient"
    )


def test_codes_are_not_ratings() -> None:
    rows = [c.row for c in data().commitments]
    specificity = Counter[str | None](
        r.specificity.reason for r in rows if r.specificity.value is None
    )
    assert specificity == {"NO_DATA": 264, "NOT_REVIEWED": 53}
    assert (
        Counter[str | None](r.specificity.value for r in rows)["NONE"] == 2
    )  # a rating: no specificity
    overall = Counter[str | None](r.open_government.reason for r in rows)
    assert overall["NO_RESULTS_YET"] == 17
    assert Counter[str | None](r.completion_progress_report.reason for r in rows)["WITHDRAWN"] == 1
    assert Counter[str | None](r.completion_end_of_term.reason for r in rows)["UNCLEAR"] == 2
    assert Counter[str | None](r.potential_for_results.reason for r in rows)["UNCLEAR"] == 14
    assert Counter[str | None](r.open_government.value for r in rows)["WORSENED"] == 1


def test_policy_areas_in_their_families() -> None:
    areas = {a.name: a for a in data().policy_areas}
    assert len(areas) == 86
    assert areas["Beneficial Ownership"].family == "Anti-Corruption and Integrity"
    assert areas["Open Contracting"].family == "Anti-Corruption and Integrity"
    assert areas["Water & Sanitation"].family == "Public Service Delivery"
    assert areas["Capacity Building"].family is None and areas["Open Data"].family is None
    assert areas["Fiscal Openness"].is_family and areas["Fiscal Openness"].family is None
    assert links("IN_FAMILY", "PolicyArea:beneficial-ownership") == {
        "PolicyArea:anti-corruption-and-integrity"
    }


def test_irm_reports_assess_plans() -> None:
    report = node("Report:AP_ALB01:IRM_PROGRESS_REPORT").properties
    assert report["kind"] == "IRM_PROGRESS_REPORT" and report["publishedYear"] == 2014
    assert links("ASSESSES", "Report:AP_ALB01:IRM_PROGRESS_REPORT") == {"Plan:AP_ALB01"}
    # a plan whose rows give a year and NR: the year
    assert node("Report:AP_ARG04:IRM_PROGRESS_REPORT").properties["publishedYear"] == 2021


def test_kosovo_is_a_member_like_the_others() -> None:
    text = edited_commitments(
        {
            0: {
                "Commitment Unique Identifier": "XK0001",
                "Country/Locality": "Kosovo",
                "Code": "XKX",
                "National Or Local": "Other",
                "Action Plan ID": "AP_XKX01",
                "Action Plan Number": "1",
            }
        },
        keep=1,
    )
    doc, _ = ogp_commitments_document(read_ogp_commitments(text, "kosovo.csv"))
    kosovo = [n for n in doc.nodes if n.id == "Country:XKX"]
    assert any(n.properties.get("memberCategory") == "OTHER" for n in kosovo)
    assert any(n.defaults.get("name_en") == "Kosovo" for n in kosovo)
    assert ("IN_REGION", "Region:europe") in {
        (r.type, r.end_id) for r in doc.relationships if r.start_id == "Country:XKX"
    }


def test_bad_rows_list_every_problem_with_line_column_and_value() -> None:
    text = edited_commitments(
        {
            1: {"Potential Impact": "Huge", "Year Of Submission": "twenty"},
            3: {"Country/Locality": "Atlantis", "Region": "Oceania"},
        }
    )
    with pytest.raises(SourceError) as caught:
        read_ogp_commitments(text, "bad.csv")
    messages = [str(p) for p in caught.value.problems]
    assert any(
        "bad.csv: line 3, column 'Potential Impact'" in m and "'Huge'" in m for m in messages
    )
    assert any("line 3, column 'Year Of Submission'" in m and "'twenty'" in m for m in messages)
    assert any("line 5, column 'Region'" in m and "'Oceania'" in m for m in messages)
    assert len(messages) == 3


def test_unknown_country_name_is_an_error_naming_it() -> None:
    text = edited_commitments({0: {"Country/Locality": "Atlantis"}}, keep=2)
    with pytest.raises(SourceError) as caught:
        read_ogp_commitments(text, "bad.csv")
    assert "line 2, column 'Country/Locality': unknown country name, got 'Atlantis'" in str(
        caught.value
    )


def test_missing_columns_and_wrong_plan_ids() -> None:
    with pytest.raises(SourceError, match="column 'Region' is missing"):
        read_ogp_commitments(text_of(COMMITMENTS_CSV).replace("Region,", "Area,", 1), "renamed.csv")
    text = edited_commitments({0: {"Action Plan ID": "AP_ALB02"}}, keep=1)
    with pytest.raises(SourceError, match="member ALB plan 1 is AP_ALB01"):
        read_ogp_commitments(text, "bad.csv")
