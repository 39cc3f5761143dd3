"""The US 5th National Action Plan tracker: commitments by OGP id, milestones, agencies, statuses."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from functools import cache

import pytest

from graph.document import GraphDocument
from loaders.errors import SourceError
from loaders.us_tracker import (
    UsTracker,
    looks_like_us_tracker_page,
    read_us_tracker,
    tracker_pages,
    us_tracker_document,
)
from tests.partnership_data import US_TRACKER_DIR


@cache
def tracker() -> UsTracker:
    return read_us_tracker(US_TRACKER_DIR, "us-nap5-tracker")


@cache
def document() -> GraphDocument:
    return us_tracker_document(tracker())


def node(node_id: str):
    return next(n for n in document().nodes if n.id == node_id)


def ends(rel_type: str, start: str) -> set[str]:
    return {
        r.end_id for r in document().relationships if r.type == rel_type and r.start_id == start
    }


def test_counts_and_statuses() -> None:
    assert len(tracker().commitments) == 36 and len(tracker().subcommitments) == 70
    assert (
        sorted(tracker().commitments)[0] == "US0113"
        and sorted(tracker().commitments)[-1] == "US0148"
    )
    statuses = Counter(s.commitment_status for s in tracker().subcommitments)
    assert statuses == {"Complete": 33, "In Progress": 36, "Not Started": 1}
    assert looks_like_us_tracker_page((US_TRACKER_DIR / "_commitments" / "US0113.md").read_text())


def test_plan_commitments_and_milestones() -> None:
    assert ends("HAS_PLAN", "Country:USA") == {"Plan:AP_USA05"}
    plan = node("Plan:AP_USA05")
    assert plan.properties["ogpId"] == "AP_USA05"
    assert (plan.defaults["startYear"], plan.defaults["endYear"]) == (2022, 2024)
    assert len(ends("HAS_COMMITMENT", "Plan:AP_USA05")) == 36
    # OGP's data names the same node: the tracker's title is only a default
    us0113 = node("Commitment:US0113")
    assert us0113.properties["ogpId"] == "US0113" and "title_en" in us0113.defaults
    assert ends("HAS_MILESTONE", "Commitment:US0113") == {
        f"Milestone:AP_USA05:US0113.{n}" for n in range(1, 8)
    }
    assert ends("HAS_MILESTONE", "Commitment:US0114") == {"Milestone:AP_USA05:US0114.0"}


def test_agencies_are_institutions_of_the_united_states() -> None:
    assert ends("LED_BY", "Milestone:AP_USA05:US0113.1") == {
        "Department:USA:executive-office-of-the-president",
        "Department:USA:office-of-science-and-technology-policy",
    }
    assert "Department:USA:executive-office-of-the-president" in ends(
        "HAS_INSTITUTION", "Country:USA"
    )


def test_progress_update_of_a_sub_commitment() -> None:
    update = node("ProgressUpdate:AP_USA05:US0114.0").properties
    assert update["progress_en"].startswith("The Office of the Chief Statistician")
    assert update["evidence_en"].startswith("[https://spd15revision.gov]")
    assert "90-day Federal Register Notice" in update["progressAugust2023_en"]
    assert ends("HAS_STATUS", "ProgressUpdate:AP_USA05:US0114.0") == {"Status:AP_USA05:IN_PROGRESS"}
    assert ends("HAS_STATUS", "ProgressUpdate:AP_USA05:US0113.1") == {"Status:AP_USA05:COMPLETE"}
    done = node("ProgressUpdate:AP_USA05:US0113.1").properties
    assert done["progress_en"] == "This commitment was previously completed"
    assert done["evidence_en"] is None  # "None."


def test_read_from_githubs_zip_archive() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in tracker_pages(US_TRACKER_DIR).items():
            archive.writestr(f"open.usa.gov-gh-pages/{path}", text)
        archive.writestr("open.usa.gov-gh-pages/index.md", "---\ntitle: home\n---\n")
    from_zip = read_us_tracker(buffer.getvalue(), "gh-pages.zip")
    assert len(from_zip.commitments) == 36 and len(from_zip.subcommitments) == 70


def test_bad_pages_are_all_listed() -> None:
    pages = tracker_pages(US_TRACKER_DIR)
    pages["_subcommitments/us0114-0.md"] = pages["_subcommitments/us0114-0.md"].replace(
        "commitment_status: In Progress", "commitment_status: Almost"
    )
    pages["_subcommitments/us0199-1.md"] = pages["_subcommitments/us0115-0.md"].replace(
        "US0115", "US0199"
    )
    del pages["_commitments/US0148.md"]
    with pytest.raises(SourceError) as caught:
        read_us_tracker(pages, "tracker")
    text = str(caught.value)
    assert "_subcommitments/us0114-0.md: front matter, field 'commitment_status'" in text
    assert "'Almost'" in text
    assert "_subcommitments/us0199-1.md: front matter: no commitment page for US0199" in text
    assert "no commitment page for US0148" in text
