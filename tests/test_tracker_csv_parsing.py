"""Unit tests (no database) of the tracker records CSV reader, against the plans of the
three real tracker definitions in ../shared (the records themselves are not there: the
CSVs here are written in the portal's layout, starting from each file's example
record)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders.errors import SourceError
from loaders.nap_definitions import NapDefinition, definition_document, read_definition
from loaders.text import decode_utf8 as decode_tracker_bytes
from loaders.tracker_records import (
    REQUIRED_COLUMNS,
    PlanCatalog,
    TrackerRow,
    looks_like_tracker_csv,
    match_plan,
    read_tracker_rows,
    tracker_document,
    validate_rows,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "canada-nap"
FILES = ("nap4-2018-2020.yaml", "nap5-2022-2024.yaml", "nap6-2025-2029.yaml")
HEADER = list(REQUIRED_COLUMNS)


@pytest.fixture(scope="module")
def definitions() -> dict[str, NapDefinition]:
    return {
        name: read_definition((DATA / name).read_text(encoding="utf-8"), name) for name in FILES
    }


@pytest.fixture(scope="module")
def catalogs(definitions: dict[str, NapDefinition]) -> dict[str, PlanCatalog]:
    return {d.plan_key: PlanCatalog.from_definition(d) for d in definitions.values()}


def parse_tracker_csv(text: str | bytes, file: str) -> list[TrackerRow]:
    """The records of a CSV as a load reads them; every problem raised."""
    rows, found = read_tracker_rows(text, file)
    if found:
        raise SourceError(found)
    return rows


def read_tracker_csv(
    text: str | bytes, file: str, catalogs: Any
) -> tuple[PlanCatalog, list[TrackerRow]]:
    """Read a CSV, find its plan and check the records against it, as a load does."""
    rows = parse_tracker_csv(text, file)
    catalog = match_plan(rows, catalogs, file)
    validate_rows(rows, catalog, file)
    return catalog, rows


def example_record(name: str) -> dict[str, str]:
    """The example record a definition file carries (``resources[0].examples.record``)."""
    data = yaml.load((DATA / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    record = data["resources"][0]["examples"]["record"]
    return {key: str(value) for key, value in record.items()}


def record(period: str, indicator: str, status: str = "SP", **cells: str) -> dict[str, str]:
    milestone = indicator.rsplit(".", 1)[0]
    row = {
        "reporting_period": period,
        "commitments": milestone.split(".")[0],
        "milestones": milestone,
        "indicators": indicator,
        "status": status,
        "progress_en": f"Progress on {indicator}",
        "progress_fr": f"Progrès de {indicator}",
        "evidence_en": "",
        "evidence_fr": "",
        "challenges_en": "",
        "challenges_fr": "",
    }
    row.update(cells)
    return row


def to_csv(rows: list[dict[str, str]], header: list[str] | None = None, bom: bool = False) -> str:
    header = header or HEADER
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return ("\ufeff" if bom else "") + out.getvalue()


def problems(call: Any, *args: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(SourceError) as info:
        call(*args)
    return [(p.file, p.location, p.message) for p in info.value.problems]


# --- catalogs ------------------------------------------------------------------------


def test_catalogs_of_the_real_plans(catalogs: dict[str, PlanCatalog]) -> None:
    sizes = {
        key: (len(c.periods), len(c.indicators), sorted(c.statuses)) for key, c in catalogs.items()
    }
    assert sizes == {
        "CAN-2018-2020": (12, 135, ["C", "LP", "NS", "SP"]),
        "CAN-2022-2024": (12, 106, ["C", "LP", "NS", "SP"]),
        "CAN-2025-2029": (9, 65, ["C", "LP", "NS", "SP"]),
    }
    assert catalogs["CAN-2018-2020"].indicators["C01.1.1"] == ("C01.1", "C01")
    assert catalogs["CAN-2022-2024"].indicators["C02.1.01"] == ("C02.1", "C02")
    assert catalogs["CAN-2025-2029"].indicators["C04.5.4"] == ("C04.5", "C04")


# --- parsing -------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_example_record_of_each_file(
    name: str, definitions: dict[str, NapDefinition], catalogs: dict[str, PlanCatalog]
) -> None:
    example = example_record(name)
    text = to_csv([example], [*HEADER, "record_created", "record_modified", "user_modified"])
    catalog, rows = read_tracker_csv(text, "records.csv", catalogs.values())
    assert catalog.plan_key == definitions[name].plan_key
    (row,) = rows
    assert row.line == 2
    assert (row.reporting_period, row.indicator, row.status) == (
        example["reporting_period"],
        "C01.1.1",
        "SP",
    )
    assert (row.commitment, row.milestone) == ("C01", "C01.1")
    assert row.progress_en == example["progress_en"].strip()
    assert "\n" in (row.progress_en or "")
    assert row.progress_fr == example["progress_fr"].strip()
    assert row.evidence_fr == example["evidence_fr"].strip()
    assert row.challenges_en == example["challenges_en"].strip()


def test_code_and_title_cells_as_the_portal_writes_them() -> None:
    row = record(
        "2019-03",
        "C01.1.1",
        commitments="C01: User-friendly open government",
        milestones="C01.1: Make improvements to open.canada.ca (TBS)",
        indicators="C01.1.1: Pilot launched for users",
        status="SP: Substantial progress",
    )
    (parsed,) = parse_tracker_csv(to_csv([row]), "r.csv")
    assert (parsed.commitment, parsed.milestone, parsed.indicator, parsed.status) == (
        "C01",
        "C01.1",
        "C01.1.1",
        "SP",
    )


def test_bom_bytes_and_text() -> None:
    text = to_csv([record("2019-03", "C01.1.1", progress_fr="Progrès réalisé")], bom=True)
    from_text = parse_tracker_csv(text, "r.csv")
    from_bytes = parse_tracker_csv(text.encode("utf-8"), "r.csv")
    assert from_text == from_bytes
    assert from_text[0].progress_fr == "Progrès réalisé"
    assert decode_tracker_bytes(b"\xef\xbb\xbfa,b", "r.csv") == "a,b"


def test_quoted_fields_and_line_numbers() -> None:
    rows = [
        record("2019-03", "C01.1.1", progress_en="- one, with a comma\n- two\n- three"),
        record("2019-03", "C01.1.2", evidence_en='He said "yes", twice'),
        record("2019-06", "C01.1.1", challenges_fr="ligne 1\r\nligne 2"),
    ]
    text = to_csv(rows)
    # a blank line between records is skipped, and counted
    text = text.replace("\r\n2019-06", "\r\n\r\n2019-06")
    parsed = parse_tracker_csv(text, "r.csv")
    assert [r.line for r in parsed] == [2, 5, 7]
    assert parsed[0].progress_en == "- one, with a comma\n- two\n- three"
    assert parsed[1].evidence_en == 'He said "yes", twice'
    assert parsed[2].challenges_fr == "ligne 1\nligne 2"
    assert parsed[0].evidence_en is None and parsed[0].challenges_fr is None


def test_extra_columns_any_order_and_header_spacing() -> None:
    header = ["record_created", *reversed(HEADER), "owner_org"]
    row = record("2025-12", "C01.1.1", record_created="2026-01-02", owner_org="rcmp-grc")
    text = to_csv([row], header).replace("reporting_period", " Reporting_Period ", 1)
    (parsed,) = parse_tracker_csv(text, "r.csv")
    assert parsed.reporting_period == "2025-12" and parsed.indicator == "C01.1.1"


def test_missing_columns_are_errors() -> None:
    header = [h for h in HEADER if h not in ("status", "evidence_fr")]
    found = problems(parse_tracker_csv, to_csv([record("2019-03", "C01.1.1")], header), "r.csv")
    assert found == [
        ("r.csv", "line 1", "missing column 'status'"),
        ("r.csv", "line 1", "missing column 'evidence_fr'"),
    ]


def test_duplicate_period_and_indicator_names_both_lines() -> None:
    rows = [
        record("2019-03", "C01.1.1", progress_en="a\nb"),
        record("2019-03", "C01.1.2"),
        record("2019-03", "C01.1.1: Pilot launched for users"),
    ]
    ((file, loc, msg),) = problems(parse_tracker_csv, to_csv(rows), "r.csv")
    assert (file, loc) == ("r.csv", "line 5")
    assert "lines 2 and 5" in msg and "2019-03" in msg and "C01.1.1" in msg


@pytest.mark.parametrize("text", ["", "   \n", "\ufeff"])
def test_empty_file(text: str) -> None:
    ((file, _, msg),) = problems(parse_tracker_csv, text, "empty.csv")
    assert file == "empty.csv" and "empty" in msg


def test_header_only() -> None:
    ((_, _, msg),) = problems(parse_tracker_csv, to_csv([]), "r.csv")
    assert "no records" in msg


def test_not_utf8() -> None:
    data = to_csv([record("2019-03", "C01.1.1")]).encode("utf-8")
    data = data.replace("Progrès".encode(), "Progrès".encode("latin-1"))
    ((file, loc, msg),) = problems(parse_tracker_csv, data, "latin1.csv")
    assert (file, loc) == ("latin1.csv", "line 2")
    assert "not UTF-8" in msg and "0xe8" in msg


def test_structural_cell_problems_all_at_once() -> None:
    rows = [
        record("2019-3", "C01.1.1"),
        record("2019-03", "C01.1.2", indicators="C01.1"),
        record("2019-03", "C01.1.3", status=": nothing"),
        record("2019-03", "C01.1.4", indicators=""),
        record("2019-03", "C01.1.5", milestones="Make improvements"),
        record("2019-03", "C01.1.6"),
    ]
    found = problems(parse_tracker_csv, to_csv(rows), "r.csv")
    assert [(loc, re.sub(r" .*", "", msg)) for _, loc, msg in found] == [
        ("line 2", "reporting_period"),
        ("line 3", "indicators"),
        ("line 4", "status"),
        ("line 5", "indicators"),
        ("line 6", "milestones"),
    ]
    assert "'2019-3'" in found[0][2]
    assert "'C01.1'" in found[1][2]


def test_wrong_number_of_fields() -> None:
    text = to_csv([record("2019-03", "C01.1.1")]) + "2019-06,C01,C01.1,C01.1.1,SP\r\n"
    ((_, loc, msg),) = problems(parse_tracker_csv, text, "r.csv")
    assert loc == "line 3" and "expected 11 fields" in msg and "found 5" in msg
    # trailing empty cells are harmless
    (row,) = parse_tracker_csv(to_csv([record("2019-03", "C01.1.1")]).rstrip() + ",,\r\n", "r")
    assert row.indicator == "C01.1.1"


def test_unterminated_quote() -> None:
    text = to_csv([record("2019-03", "C01.1.1")]) + '2019-06,C01,C01.1,C01.1.2,SP,"never closed\r\n'
    ((_, loc, msg),) = problems(parse_tracker_csv, text, "r.csv")
    assert loc == "line 3" and "cannot read" in msg


def test_looks_like_tracker_csv() -> None:
    assert looks_like_tracker_csv(to_csv([]))
    assert looks_like_tracker_csv(to_csv([], bom=True))
    assert looks_like_tracker_csv("Reporting_Period,Indicators\n")
    assert not looks_like_tracker_csv("")
    assert not looks_like_tracker_csv("dataset_type: nap\nresources: []\n")
    assert not looks_like_tracker_csv("reporting_period,status\n2019-03,SP\n")


# --- matching a plan and validating --------------------------------------------------


@pytest.mark.parametrize(
    ("period", "indicator", "plan"),
    [
        ("2019-03", "C01.1.1", "CAN-2018-2020"),
        ("2021-12", "C10.7.2", "CAN-2018-2020"),
        ("2022-03", "C02.1.01", "CAN-2022-2024"),
        ("2024-12", "C05.3.18", "CAN-2022-2024"),
        ("2025-12", "C01.5.1", "CAN-2025-2029"),
        ("2029-12", "C04.5.4", "CAN-2025-2029"),
    ],
)
def test_match_plan_by_periods(
    catalogs: dict[str, PlanCatalog], period: str, indicator: str, plan: str
) -> None:
    rows = parse_tracker_csv(to_csv([record(period, indicator)]), "r.csv")
    catalog = match_plan(rows, catalogs.values(), "r.csv")
    assert catalog.plan_key == plan
    validate_rows(rows, catalog, "r.csv")


def test_match_plan_errors(catalogs: dict[str, PlanCatalog]) -> None:
    unknown = parse_tracker_csv(
        to_csv([record("2019-03", "C01.1.1"), record("2030-06", "C01.1.1")]), "r.csv"
    )
    found = problems(match_plan, unknown, list(catalogs.values()), "r.csv")
    assert ("r.csv", "line 3", "reporting period 2030-06 belongs to no known plan") in found

    mixed = parse_tracker_csv(
        to_csv([record("2019-03", "C01.1.1"), record("2022-03", "C01.1.1")]), "r.csv"
    )
    ((_, _, msg),) = problems(match_plan, mixed, list(catalogs.values()), "r.csv")
    assert "CAN-2018-2020: 2019-03" in msg and "CAN-2022-2024: 2022-03" in msg

    twice = [catalogs["CAN-2018-2020"], catalogs["CAN-2018-2020"]]
    rows = parse_tracker_csv(to_csv([record("2019-03", "C01.1.1")]), "r.csv")
    ((_, _, msg),) = problems(match_plan, rows, twice, "r.csv")
    assert "several plans" in msg
    assert problems(match_plan, [], list(catalogs.values()), "r.csv")


def test_validate_rows_reports_every_problem(catalogs: dict[str, PlanCatalog]) -> None:
    catalog = catalogs["CAN-2018-2020"]
    rows = [
        TrackerRow(2, "2019-03", "C01", "C01.1", "C01.1.1", "SP"),
        TrackerRow(3, "2019-03", "C01", "C01.1", "C01.1.99", "SP"),
        TrackerRow(4, "2019-03", "C01", "C01.1", "C01.1.2", "XX"),
        TrackerRow(5, "2022-03", "C01", "C01.1", "C01.1.3", "C"),
        TrackerRow(6, "2019-03", "C02", "C01.2", "C01.1.4", "LP"),
        TrackerRow(7, "2019-03", None, None, "C01.2.1", None),
    ]
    found = problems(validate_rows, rows, catalog, "r.csv")
    assert [(loc, msg) for _, loc, msg in found] == [
        ("line 3", "unknown indicator C01.1.99 in CAN-2018-2020"),
        ("line 4", "unknown status 'XX' (expected one of C, LP, NS, SP)"),
        ("line 5", "reporting period 2022-03 is not one of CAN-2018-2020's"),
        ("line 6", "milestones says C01.2 but indicator C01.1.4 belongs to milestone C01.1"),
        ("line 6", "commitments says C02 but indicator C01.1.4 belongs to commitment C01"),
    ]


# --- the graph -----------------------------------------------------------------------


def test_tracker_document(
    catalogs: dict[str, PlanCatalog], definitions: dict[str, NapDefinition]
) -> None:
    rows = [
        record("2019-03", "C01.1.1", evidence_en="https://open.canada.ca"),
        record("2019-06", "C01.1.1", status="C"),
        record("2019-06", "C10.7.2", status=""),
    ]
    text = to_csv(rows)
    catalog, parsed = read_tracker_csv(text, "records.csv", catalogs.values())
    doc = tracker_document(parsed, catalog, "records.csv")
    assert doc.name == "tracker:CAN-2018-2020"
    assert re.fullmatch(r"[0-9a-f]{64}", doc.version)
    assert [n.id for n in doc.nodes] == [
        "ProgressUpdate:CAN-2018-2020:C01.1.1:2019-03",
        "ProgressUpdate:CAN-2018-2020:C01.1.1:2019-06",
        "ProgressUpdate:CAN-2018-2020:C10.7.2:2019-06",
    ]
    first = doc.nodes[0]
    assert first.label == "ProgressUpdate"
    assert first.source == "records.csv#2019-03/C01.1.1"
    assert first.properties == {
        "period": "2019-03",
        "progress_en": "Progress on C01.1.1",
        "progress_fr": "Progrès de C01.1.1",
        "evidence_en": "https://open.canada.ca",
        "evidence_fr": None,
        "challenges_en": None,
        "challenges_fr": None,
    }
    assert Counter(r.type for r in doc.relationships) == {
        "HAS_UPDATE": 3,
        "IN_PERIOD": 3,
        "HAS_STATUS": 2,
    }
    rels = {(r.type, r.start_id, r.end_id): r for r in doc.relationships}
    update = "ProgressUpdate:CAN-2018-2020:C01.1.1:2019-06"
    assert ("HAS_UPDATE", "Indicator:CAN-2018-2020:C01.1.1", update) in rels
    assert ("IN_PERIOD", update, "ReportingPeriod:CAN-2018-2020:2019-06") in rels
    status = rels[("HAS_STATUS", update, "Status:CAN-2018-2020:C")]
    assert status.replace is True and status.start_label == "ProgressUpdate"
    assert all(not r.replace for r in doc.relationships if r.type != "HAS_STATUS")

    # every node the updates attach to is one the plan's definition creates
    defined = {n.id for n in definition_document(definitions["nap4-2018-2020.yaml"]).nodes}
    for rel in doc.relationships:
        end = rel.start_id if rel.type == "HAS_UPDATE" else rel.end_id
        assert end in defined, rel

    # the version follows the content, not the layout
    spaced = text.replace("\r\n2019-06", "\r\n\r\n2019-06", 1)
    _, reparsed = read_tracker_csv(spaced, "other.csv", catalogs.values())
    assert reparsed[1].line != parsed[1].line
    assert tracker_document(reparsed, catalog, "other.csv").version == doc.version
    changed = text.replace("Progress on C10.7.2", "Done")
    _, rows_changed = read_tracker_csv(changed, "records.csv", catalogs.values())
    assert tracker_document(rows_changed, catalog, "records.csv").version != doc.version


def test_tracker_document_refuses_invalid_rows(catalogs: dict[str, PlanCatalog]) -> None:
    rows = [TrackerRow(2, "2019-03", "C01", "C01.1", "C01.1.99", "SP")]
    found = problems(tracker_document, rows, catalogs["CAN-2018-2020"], "r.csv")
    assert found == [("r.csv", "line 2", "unknown indicator C01.1.99 in CAN-2018-2020")]


def test_a_csv_cut_inside_a_record_is_refused() -> None:
    rows = [
        record("2019-03", "C01.1.1"),
        record("2019-03", "C01.1.2", progress_en="- one, with a comma\n- two", evidence_fr="x"),
    ]
    text = to_csv(rows)
    last = text.rindex("2019-03,C01,C01.1,C01.1.2")
    # the header declares 11 columns: a record cut before its last one lacks some, and a
    # record cut inside a quoted cell never closes it
    ends = [last + i for i, ch in enumerate(text[last:]) if ch == ","]
    inside_quotes = text.index("- two", last)
    for cut in [*ends, inside_quotes]:
        rows_read, found = read_tracker_rows(text[:cut], "cut.csv")
        assert [row.indicator for row in rows_read] == ["C01.1.1"], cut
        ((file, loc, msg),) = [(p.file, p.location, p.message) for p in found]
        assert (file, loc) == ("cut.csv", "line 3"), cut
        assert "expected 11 fields" in msg or "cannot read the record" in msg, (cut, msg)
