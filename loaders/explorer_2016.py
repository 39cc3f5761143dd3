"""The 2016 OGP Explorer files: commitments with IRM ratings, and the IRM's process data.

``ogp-explorer-commitments-2016.csv`` (line 1 column numbers, line 2 the header) has
no OGP ids: a plan is known by its member (a name of the time: ``UK``, ``Macedonia``)
and number, which :func:`loaders.plan_keys.plan_key` turns into the same plan node as
OGP's current data. Where the current data describes a plan, it wins: the Explorer's
rows of that plan are skipped and counted (:func:`explorer_document`).
``ogp-process-database-2016-07.csv`` (lines 1-3: numbers, groups, header; the header
block is repeated further down) gives, per plan, how it was co-created.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from graph.document import GraphDocument, node_id
from loaders.country_names import UnknownCountry, country_code, country_names
from loaders.csv_table import CsvRecord, csv_records, header_cells
from loaders.errors import SourceError, SourceProblem
from loaders.institutions import CanadaMatcher, canada_matcher
from loaders.irm_ratings import (
    ChangeInCompletion,
    Completion,
    Iap2Level,
    OgpValue,
    OpenGovernment,
    PotentialImpact,
    Rated,
    Specificity,
    flag,
)
from loaders.ogp_commitments import ogp_values_props, starred_props
from loaders.ogp_rows import (
    CountCell,
    FlagCell,
    IntCell,
    OptionalText,
    RowModel,
    YearCell,
    cell_problem,
    missing_columns,
    rating,
    validate_row,
)
from loaders.partial_dates import parse_partial_date
from loaders.partnership_graph import (
    LoadNotes,
    add_country,
    add_institutions,
    add_plan,
    add_policy_areas,
    put,
    rating_props,
)
from loaders.plan_keys import plan_key
from loaders.policy_areas import PolicyAreaColumn, explorer_areas, slug

FIRST_TOPIC = "Anti-corruption"
LAST_TOPIC = "OGP"
SKIPPED_REASON = "plan described by OGP's current commitment data"


class ExplorerRow(RowModel):
    """One row of the 2016 Explorer's commitments (the columns this project reads)."""

    country: Annotated[str, BeforeValidator(str.strip)] = Field(alias="Country")
    plan_number: IntCell = Field(alias="Action Plan Number")
    theme: OptionalText = Field(alias="Theme")
    number: Annotated[str, BeforeValidator(str.strip)] = Field(alias="Comm No")
    title: OptionalText = Field(alias="Commitment Title")
    short_title: OptionalText = Field(alias="Short Title")
    full_text: OptionalText = Field(alias="Full Text")
    start_date: OptionalText = Field(alias="Start Date")
    end_date: OptionalText = Field(alias="End Date")
    lead: OptionalText = Field(alias="Lead Institution")
    supporting: OptionalText = Field(alias="Supporting Institution(s)")
    specificity: Annotated[Rated[Specificity], rating(Specificity)] = Field(alias="Specificity")
    value_information: FlagCell = Field(alias="Value -Info")
    value_participation: FlagCell = Field(alias="Value -Part")
    value_accountability: FlagCell = Field(alias="Value -Acc")
    value_technology: FlagCell = Field(alias="Value -Tech")
    potential_impact: Annotated[Rated[PotentialImpact], rating(PotentialImpact)] = Field(
        alias="Potential impact"
    )
    completion_progress_report: Annotated[Rated[Completion], rating(Completion)] = Field(
        alias="Completion (progress report)"
    )
    starred_pre_2014: FlagCell = Field(alias="Starred (pre-June 2014 assessments)")
    starred_2015: FlagCell = Field(alias="Starred (2015 only)")
    starred_progress_report: FlagCell = Field(alias="Starred (current formula) progress report")
    irm_assessed: FlagCell = Field(alias="IRM Assessed (Y/N)?")
    submission_year: IntCell = Field(alias="Year of submission")
    progress_report_year: YearCell = Field(alias="Report publication year (progress report)")
    end_of_term_report_year: YearCell = Field(alias="Report publication year (end of term)")
    completion_end_of_term: Annotated[Rated[Completion], rating(Completion)] = Field(
        alias="Completion (end of term)"
    )
    change_in_completion: Annotated[Rated[ChangeInCompletion], rating(ChangeInCompletion)] = Field(
        alias="Change in completion"
    )
    open_government: Annotated[Rated[OpenGovernment], rating(OpenGovernment)] = Field(
        alias="Did it open government (end of term only)"
    )
    starred_end_of_term: FlagCell = Field(alias="Starred (current formula) end of term")


REQUIRED = [str(i.alias) for i in ExplorerRow.model_fields.values() if i.alias]


@dataclass(frozen=True)
class ExplorerCommitment:
    line: int
    row: ExplorerRow
    member: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class ExplorerData:
    file: str
    topics: list[str]
    commitments: list[ExplorerCommitment]


def looks_like_explorer_commitments(text: str) -> bool:
    """Line 1 numbers the columns, line 2 is the Explorer's header."""
    lines = text.lstrip("\ufeff").split("\n", 2)
    if len(lines) < 2 or not lines[0].startswith("0,1,2,"):
        return False
    header = header_cells(lines[1].rstrip("\r"))
    return "Comm No" in header and "Country" in header


def _header(records: Any, file: str, lines_before: int, marker: str) -> tuple[CsvRecord, list[str]]:
    for _ in range(lines_before):
        next(records, None)
    record = next(records, None)
    if record is None or marker not in record.cells:
        raise SourceError.single(
            file, f"line {lines_before + 1}", f"expected the header with {marker!r}"
        )
    return record, [c.strip() for c in record.cells]


def read_explorer_commitments(text: str, file: str) -> ExplorerData:
    """Check every row; old country names map to today's members, unknown ones are errors."""
    records = csv_records(text, file)
    head, header = _header(records, file, 1, "Comm No")
    problems = missing_columns(header, [*REQUIRED, FIRST_TOPIC, LAST_TOPIC], file, head.line)
    if problems:
        raise SourceError(problems)
    topics = header[header.index(FIRST_TOPIC) : header.index(LAST_TOPIC) + 1]
    unknown: dict[str, list[int]] = {}
    commitments: list[ExplorerCommitment] = []
    for record in records:
        if not any(c.strip() for c in record.cells):
            continue
        cells = dict(zip(header, record.cells, strict=False))
        row, row_problems = validate_row(ExplorerRow, cells, file, record.line)
        problems += row_problems
        tags = []
        for topic in topics:
            try:
                if flag(cells.get(topic, "")).value:
                    tags.append(topic)
            except ValueError:
                problems.append(
                    cell_problem(
                        file,
                        record.line,
                        topic,
                        cells.get(topic, ""),
                        "expected 0/1 (or NA, ND, NR)",
                    )
                )
        if row is None:
            continue
        try:
            member = country_code(row.country)
        except UnknownCountry:
            unknown.setdefault(row.country, []).append(record.line)
            continue
        commitments.append(ExplorerCommitment(record.line, row, member, tuple(tags)))
    for name, lines in unknown.items():
        shown = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
        problems.append(
            SourceProblem(
                file, f"lines {shown}", f"column 'Country': unknown country name {name!r}"
            )
        )
    if problems:
        raise SourceError(problems)
    return ExplorerData(file, topics, commitments)


def _strip_numbering(title: str | None) -> str | None:
    """``10. The regulation ...`` -> ``The regulation ...`` (titles repeat their number)."""
    if title is None:
        return None
    stripped = re.sub(r"^\s*(?:[0-9]+(?:\.[0-9]+)*|[A-Z]|[ivx]+)[.):]\s+", "", title)
    return stripped or title


def explorer_keys(data: ExplorerData) -> list[str]:
    """The key of each commitment, in order: ``PLAN:NUMBER``, with ``~2``... for a number the
    plan repeats (the Explorer numbers some commitments twice)."""
    seen: Counter[str] = Counter()
    keys = []
    for item in data.commitments:
        base = f"{plan_key(item.member, item.row.plan_number)}:{item.row.number or 'NA'}"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}~{seen[base]}")
    return keys


def explorer_document(
    data: ExplorerData,
    described_plans: set[str] = frozenset(),  # type: ignore[assignment]
    matcher: CanadaMatcher | None = None,
) -> tuple[GraphDocument, LoadNotes]:
    """The graph of the Explorer's commitments, leaving out the plans in ``described_plans``
    (keys of plans OGP's current data describes: it wins); the skipped rows are counted."""
    file = data.file
    matcher = matcher or canada_matcher()
    notes = LoadNotes()
    digest = hashlib.sha256(repr(sorted(described_plans)).encode())
    for item in data.commitments:
        digest.update(item.row.model_dump_json().encode())
    doc = GraphDocument(f"ogp-explorer-2016:{file}", digest.hexdigest()[:12])
    areas: dict[str, PolicyAreaColumn] = {}
    for topic in data.topics:
        for name in explorer_areas(topic):
            areas.setdefault(name, PolicyAreaColumn(name, None))
    # areas only the Explorer has; the others already have their family from the current data
    add_policy_areas(doc, list(areas.values()), f"{file}#header")
    for node in doc.nodes:
        node.defaults.update(node.properties)
        node.properties = {}
    reports: dict[tuple[str, str], int] = {}
    for item, key in zip(data.commitments, explorer_keys(data), strict=True):
        row = item.row
        pkey = plan_key(item.member, row.plan_number)
        if pkey in described_plans:
            notes.skip(SKIPPED_REASON)
            continue
        source = f"{file}#line-{item.line}"
        member_id = add_country(doc, item.member, source)
        plan_id = add_plan(
            doc,
            member_id,
            item.member,
            row.plan_number,
            source,
            member_names=country_names(item.member),
            submission_year=row.submission_year,
            as_defaults=True,
        )
        cid = put(doc, "Commitment", key, source, **_commitment_props(row), **_irm_props(row))
        doc.link("HAS_COMMITMENT", plan_id, cid)
        add_institutions(
            doc, cid, member_id, item.member, row.lead, "LED_BY", source, matcher, notes
        )
        add_institutions(
            doc, cid, member_id, item.member, row.supporting, "SUPPORTED_BY", source, matcher, notes
        )
        for topic in item.topics:
            for name in explorer_areas(topic):
                doc.link("HAS_POLICY_AREA", cid, node_id("PolicyArea", slug(name)))
        for kind, year in (
            ("IRM_PROGRESS_REPORT", row.progress_report_year.value),
            ("IRM_END_OF_TERM_REPORT", row.end_of_term_report_year.value),
        ):
            if year is not None:
                reports[(plan_id, kind)] = max(year, reports.get((plan_id, kind), 0))
    for (plan_id, kind), year in reports.items():
        from loaders.partnership_graph import add_report

        rid = add_report(doc, plan_id, kind, year, f"{file}#{plan_id.split(':', 1)[1]}")
        report = next(n for n in reversed(doc.nodes) if n.id == rid)
        report.defaults.update(report.properties)  # the current data's years win
        report.properties = {}
    return doc, notes


def _commitment_props(row: ExplorerRow) -> dict[str, Any]:
    props: dict[str, Any] = {
        "code": row.number,
        "title_en": _strip_numbering(row.title) or _strip_numbering(row.short_title),
        "shortTitle_en": _strip_numbering(row.short_title),
        "fullText_en": row.full_text,
        "theme_en": row.theme,
        "startDateText": row.start_date,
        "endDateText": row.end_date,
        "startDate": parse_partial_date(row.start_date) if row.start_date else None,
        "endDate": parse_partial_date(row.end_date) if row.end_date else None,
        "origin": "OGP_EXPLORER_2016",
    }
    return {k: v for k, v in props.items() if v is not None}


def _irm_props(row: ExplorerRow) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, value in (
        ("specificity", row.specificity),
        ("potentialImpact", row.potential_impact),
        ("completionProgressReport", row.completion_progress_report),
        ("completionEndOfTerm", row.completion_end_of_term),
        ("changeInCompletion", row.change_in_completion),
        ("didItOpenGovernment", row.open_government),
        ("starred2015", row.starred_2015),
        ("starredProgressReport", row.starred_progress_report),
        ("starredEndOfTerm", row.starred_end_of_term),
    ):
        props.update(rating_props(name, value))
    props.update(
        ogp_values_props(
            {
                OgpValue.ACCESS_TO_INFORMATION: row.value_information,
                OgpValue.CIVIC_PARTICIPATION: row.value_participation,
                OgpValue.PUBLIC_ACCOUNTABILITY: row.value_accountability,
                OgpValue.TECHNOLOGY: row.value_technology,
            }
        )
    )
    props.update(
        starred_props(
            [
                row.starred_pre_2014,
                row.starred_2015,
                row.starred_progress_report,
                row.starred_end_of_term,
            ]
        )
    )
    return props


# --- the process data -----------------------------------------------------------------


def _participation(raw: Any) -> Rated[Any]:
    text = " ".join(str(raw).split()).casefold()
    if text in ("open",):
        return Rated(value="OPEN")
    if text in ("invitation-only", "invitation only"):
        return Rated(value="INVITATION_ONLY")
    from loaders.irm_ratings import NOT_RATED

    if not text:
        return Rated()
    if text in NOT_RATED:
        return Rated(reason=NOT_RATED[text])
    raise PydanticCustomError("participation", "expected Open or Invitation-only (or NA, NR)", {})


ParticipationCell = Annotated[Rated[Any], BeforeValidator(_participation)]


class ProcessRow(RowModel):
    """One plan of the IRM's process data (the columns this project reads)."""

    country: Annotated[str, BeforeValidator(str.strip)] = Field(alias="Country name")
    plan_number: IntCell = Field(alias="Action Plan Number")
    submission_year: IntCell = Field(alias="Year AP Submitted")
    timeline_available: FlagCell = Field(alias="Step 1: Timeline and process: Prior availability")
    advance_notice: FlagCell = Field(alias="Step 2: Advance notice")
    awareness_raising: FlagCell = Field(alias="Step 3: Awareness-raising activities")
    online_consultation: FlagCell = Field(alias="Step 4: Online consultations")
    in_person_consultation: FlagCell = Field(alias="Step 5: In-person consultations")
    summary_of_comments: FlagCell = Field(alias="Step 6: Summary of comments")
    steps_followed: CountCell = Field(alias="_Number of steps followed (out of 6)")
    participation_development: ParticipationCell = Field(
        alias="Invitation-only or open participation during dev. consultation"
    )
    iap2_development: Annotated[Rated[Iap2Level], rating(Iap2Level)] = Field(
        alias="IAP2 level during development"
    )
    regular_forum: FlagCell = Field(
        alias="Consultation during action plan implementation (regular forum)"
    )
    participation_implementation: ParticipationCell = Field(
        alias="Invitation-only or open participation during imp. consultation"
    )
    iap2_implementation: Annotated[Rated[Iap2Level], rating(Iap2Level)] = Field(
        alias="IAP2 level during imp."
    )
    self_assessment_published: FlagCell = Field(alias="Was annual progress report published?")


PROCESS_REQUIRED = [str(i.alias) for i in ProcessRow.model_fields.values() if i.alias]


@dataclass(frozen=True)
class ProcessPlan:
    line: int
    row: ProcessRow
    member: str


def looks_like_process_data(text: str) -> bool:
    head = text.lstrip("\ufeff").split("\n", 3)
    return (
        len(head) >= 3 and "Country name" in head[2] and "IAP2 level during development" in head[2]
    )


def read_process_data(text: str, file: str) -> tuple[str, list[ProcessPlan]]:
    """Check every plan row (the repeated header block and blank lines are skipped)."""
    records = csv_records(text, file)
    head, header = _header(records, file, 2, "Country name")
    problems = missing_columns(header, PROCESS_REQUIRED, file, head.line)
    if problems:
        raise SourceError(problems)
    plans: list[ProcessPlan] = []
    seen: dict[tuple[str, int], int] = {}
    unknown: dict[str, list[int]] = {}
    for record in records:
        cells = [c.strip() for c in record.cells]
        if not cells or not cells[0] or cells[0] == "Country name":
            continue  # blank, group labels or the header again
        values = dict(zip(header, record.cells, strict=False))
        row, row_problems = validate_row(ProcessRow, values, file, record.line)
        problems += row_problems
        if row is None:
            continue
        try:
            member = country_code(row.country)
        except UnknownCountry:
            unknown.setdefault(row.country, []).append(record.line)
            continue
        key = (member, row.plan_number)
        if key in seen:
            problems.append(
                cell_problem(
                    file,
                    record.line,
                    "Action Plan Number",
                    str(row.plan_number),
                    f"{row.country}'s plan {row.plan_number} is on line {seen[key]} already",
                )
            )
        seen[key] = record.line
        plans.append(ProcessPlan(record.line, row, member))
    for name, lines in unknown.items():
        problems.append(
            SourceProblem(
                file,
                "lines " + ", ".join(map(str, lines)),
                f"column 'Country name': unknown country name {name!r}",
            )
        )
    if problems:
        raise SourceError(problems)
    return file, plans


def process_document(file: str, plans: list[ProcessPlan]) -> GraphDocument:
    """How each plan was co-created, as properties of its plan node."""
    digest = hashlib.sha256()
    for plan in plans:
        digest.update(plan.row.model_dump_json().encode())
    doc = GraphDocument(f"ogp-process-2016:{file}", digest.hexdigest()[:12])
    for plan in plans:
        row = plan.row
        source = f"{file}#line-{plan.line}"
        member_id = add_country(doc, plan.member, source)
        props: dict[str, Any] = {}
        for name, value in (
            ("consultationTimelineAvailable", row.timeline_available),
            ("consultationAdvanceNotice", row.advance_notice),
            ("consultationAwarenessRaising", row.awareness_raising),
            ("consultationOnline", row.online_consultation),
            ("consultationInPerson", row.in_person_consultation),
            ("consultationSummaryOfComments", row.summary_of_comments),
            ("consultationStepsFollowed", row.steps_followed),
            ("participationDuringDevelopment", row.participation_development),
            ("iap2LevelDuringDevelopment", row.iap2_development),
            ("regularForum", row.regular_forum),
            ("participationDuringImplementation", row.participation_implementation),
            ("iap2LevelDuringImplementation", row.iap2_implementation),
            ("selfAssessmentPublished", row.self_assessment_published),
        ):
            props.update(rating_props(name, value))
        pid = add_plan(
            doc,
            member_id,
            plan.member,
            row.plan_number,
            source,
            member_names=country_names(plan.member),
            submission_year=row.submission_year,
            as_defaults=True,
        )
        put(doc, "Plan", pid.split(":", 1)[1], source, **props)
    return doc
