"""The 2016 OGP Explorer: commitments, old country names, the merge with current data, process data."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from loaders.errors import SourceError
from loaders.explorer_2016 import (
    SKIPPED_REASON,
    ExplorerData,
    explorer_document,
    explorer_keys,
    looks_like_explorer_commitments,
    looks_like_process_data,
    process_document,
    read_explorer_commitments,
    read_process_data,
)
from loaders.ogp_commitments import described_plans, read_ogp_commitments
from loaders.plan_keys import plan_key
from tests.partnership_data import (
    COMMITMENTS_CSV,
    EXPLORER_CSV,
    PROCESS_CSV,
    csv_rows,
    csv_text,
    text_of,
)


@cache
def data() -> ExplorerData:
    return read_explorer_commitments(text_of(EXPLORER_CSV), "explorer.csv")


@cache
def current_plans() -> frozenset[str]:
    return frozenset(described_plans(read_ogp_commitments(text_of(COMMITMENTS_CSV), "subset.csv")))


@cache
def alone_document():
    return explorer_document(data())


def test_recognised_by_content() -> None:
    assert looks_like_explorer_commitments(text_of(EXPLORER_CSV))
    assert not looks_like_explorer_commitments(text_of(COMMITMENTS_CSV))
    assert looks_like_process_data(text_of(PROCESS_CSV))
    assert not looks_like_process_data(text_of(EXPLORER_CSV))


def test_counts_and_old_country_names() -> None:
    items = data().commitments
    assert len(items) == 1927
    assert len({i.member for i in items}) == 61
    assert len({(i.member, i.row.plan_number) for i in items}) == 100
    per_member = Counter(i.member for i in items)
    assert per_member["GBR"] == 62 and per_member["USA"] == 53  # "UK", "USA"
    assert per_member["MKD"] == 86 and per_member["KOR"] == 21  # "Macedonia", "South Korea"
    assert per_member["CAN"] == 41 and per_member["SVK"] == 22  # "Slovakia"
    assert len(set(explorer_keys(data()))) == 1927  # numbers a plan repeats get ~2


def test_ratings_of_sampled_commitments() -> None:
    first = data().commitments[0].row  # Albania, plan 1, commitment 10
    assert first.specificity.value == "MEDIUM" and first.potential_impact.value == "NONE"
    assert first.completion_progress_report.value == "COMPLETE"
    assert first.open_government.reason == "NO_DATA"
    rows = [i.row for i in data().commitments]
    assert (
        Counter[str | None](r.open_government.value for r in rows)["DID_NOT_CHANGE"] == 22
    )  # "b. None"
    assert Counter[str | None](r.potential_impact.reason for r in rows)["UNCLEAR"] == 7
    assert Counter[str | None](r.completion_progress_report.reason for r in rows)["WITHDRAWN"] == 20
    assert (
        Counter[str | None](r.completion_progress_report.value for r in rows)["NOT_STARTED"] == 192
    )
    assert Counter[str | None](r.specificity.value for r in rows)["NONE"] == 46


def test_current_data_wins_and_skipped_rows_are_counted() -> None:
    plans = current_plans()
    expected = sum(1 for i in data().commitments if plan_key(i.member, i.row.plan_number) in plans)
    doc, notes = explorer_document(data(), set(plans))
    assert notes.skipped == {SKIPPED_REASON: expected} and expected > 0
    ids = {n.id for n in doc.nodes if n.label == "Commitment"}
    assert len(ids) == 1927 - expected
    alone, alone_notes = alone_document()
    assert alone_notes.skipped == {}
    assert len({n.id for n in alone.nodes if n.label == "Commitment"}) == 1927


def test_plans_are_the_same_nodes_as_current_and_canadian_ones() -> None:
    doc, _ = alone_document()
    plans = {n.id for n in doc.nodes if n.label == "Plan"}
    assert len(plans) == 100
    assert {"Plan:CAN-2012-2014", "Plan:CAN-2014-2016", "Plan:AP_ALB01", "Plan:AP_GBR02"} <= plans
    albania = next(n for n in doc.nodes if n.id == "Commitment:AP_ALB01:10")
    assert albania.properties["title_en"] == "The regulation on ethics in research and publishing"
    # the Explorer only fills in: a plan's years never override the current data's
    plan = next(n for n in doc.nodes if n.id == "Plan:AP_ALB01")
    assert plan.defaults["submissionYear"] == 2012 and "submissionYear" not in plan.properties
    tags = {
        r.end_id
        for r in doc.relationships
        if r.type == "HAS_POLICY_AREA" and r.start_id == albania.id
    }
    assert tags == {"PolicyArea:legislation", "PolicyArea:regulation", "PolicyArea:education"}


def test_unknown_country_names_are_listed() -> None:
    rows = csv_rows(EXPLORER_CSV)
    rows[2][0] = "Atlantis"
    rows[3][0] = "Atlantis"
    rows[4][0] = "Narnia"
    with pytest.raises(SourceError) as caught:
        read_explorer_commitments(csv_text(rows), "explorer.csv")
    text = str(caught.value)
    assert "explorer.csv: lines 3, 4: column 'Country': unknown country name 'Atlantis'" in text
    assert "unknown country name 'Narnia'" in text


def test_bad_cells_give_line_column_and_value() -> None:
    rows = csv_rows(EXPLORER_CSV)
    header = rows[1]
    rows[5][header.index("Potential impact")] = "Enormous"
    rows[6][header.index("Action Plan Number")] = "two"
    with pytest.raises(SourceError) as caught:
        read_explorer_commitments(csv_text(rows), "explorer.csv")
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 2
    assert (
        "explorer.csv: line 6, column 'Potential impact'" in problems[0]
        and "'Enormous'" in problems[0]
    )
    assert "line 7, column 'Action Plan Number'" in problems[1]


def test_process_data_per_plan() -> None:
    file, plans = read_process_data(text_of(PROCESS_CSV), "process.csv")
    # the file has 116 plan rows; its header block is repeated once (lines 5-6), not data
    assert len(plans) == 116
    iap2 = Counter[str | None](p.row.iap2_development.value for p in plans)
    assert iap2["CONSULT"] == 26 and iap2["COLLABORATE"] == 9 and iap2["INVOLVE"] == 8
    doc = process_document(file, plans)
    canada = [n for n in doc.nodes if n.id == "Plan:CAN-2012-2014"]
    merged = {k: v for n in canada for k, v in n.properties.items()}
    assert merged["consultationStepsFollowed"] == 3 and merged["regularForum"] is True
    assert merged["iap2LevelDuringDevelopmentReason"] == "NOT_REVIEWED"
    assert merged["ogpId"] == "AP_CAN01"
