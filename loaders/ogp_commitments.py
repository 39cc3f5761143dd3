"""OGP's commitment data in its current format (the "OGP Commitments Data" sheet, 171 columns).

One row per commitment: its member (``Code``, ``Country/Locality``, ``Region``,
``National Or Local``), its plan (``Action Plan ID``, number, years), its texts and
institutions, ~90 policy-area tag columns and the IRM's ratings. :func:`read_ogp_commitments`
checks every row (all problems listed with line, column and value);
:func:`ogp_commitments_document` turns the rows into the graph of
docs/partnership-model.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from graph.document import GraphDocument, node_id
from loaders.country_names import UnknownCountry, alpha2_of, country_code, country_names
from loaders.csv_table import csv_records, first_line, header_cells
from loaders.errors import SourceError, SourceProblem
from loaders.institutions import CanadaMatcher, canada_matcher
from loaders.irm_ratings import (
    ChangeInCompletion,
    Completion,
    EarlyResults,
    Flag,
    OgpValue,
    OpenGovernment,
    PotentialForResults,
    PotentialImpact,
    Rated,
    Specificity,
    flag,
)
from loaders.ogp_rows import (
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
    CATEGORY_NAMES,
    LoadNotes,
    MemberCategory,
    add_institutions,
    add_member,
    add_plan,
    add_policy_areas,
    add_report,
    put,
    rating_props,
)
from loaders.plan_keys import ogp_plan_id, plan_key
from loaders.policy_areas import PolicyAreaColumn, group_columns
from loaders.regions import Region, region_named

#: tag cells that are not a tag (the common case, checked without parsing)
_NOT_TAGGED = frozenset({"0", "ND", "NR", "NA", ""})
FIRST_TAG_COLUMN = "Anti-Corruption and Integrity"
AFTER_TAG_COLUMNS = "Report Publication Year (Progress Report)"
KNOWN = "OGP commitment data (a CSV with 'Commitment Unique Identifier' and 'Action Plan ID')"


def _region(raw: Any) -> Region:
    region = region_named(raw if isinstance(raw, str) else "")
    if region is None:
        raise PydanticCustomError("region", "not one of OGP's four regions", {})
    return region


def _category(raw: Any) -> MemberCategory:
    category = CATEGORY_NAMES.get(" ".join(str(raw).split()).casefold())
    if category is None:
        raise PydanticCustomError("category", "expected National, Local, Legacy Local or Other", {})
    return category


def _pattern(regex: str, expected: str) -> BeforeValidator:
    compiled = re.compile(regex)

    def check(raw: Any) -> str:
        text = str(raw).strip()
        if not compiled.fullmatch(text):
            raise PydanticCustomError("format", "expected {expected}", {"expected": expected})
        return text

    return BeforeValidator(check)


OgpId = Annotated[
    str, _pattern(r"[A-Z]{2,6}\d{2,6}[A-Z]?", "an OGP commitment id such as 'AL0002'")
]
CodeCell = Annotated[str, _pattern(r"[A-Z]{3,8}", "a member code such as 'ALB' or 'ESMD'")]
PlanIdCell = Annotated[str, _pattern(r"AP_[A-Z]{3,8}\d{2,}", "a plan id such as 'AP_ALB01'")]
NonEmptyCell = Annotated[str, _pattern(r"(?s)\S.*", "a value")]


class OgpCommitmentRow(RowModel):
    """One row of OGP's commitment data (the columns this project reads)."""

    ogp_id: OgpId = Field(alias="Commitment Unique Identifier")
    member_name: NonEmptyCell = Field(alias="Country/Locality")
    plan_number: IntCell = Field(alias="Action Plan Number")
    number: NonEmptyCell = Field(alias="Commitment Number")
    code: CodeCell = Field(alias="Code")
    region: Annotated[Region, BeforeValidator(_region)] = Field(alias="Region")
    category: Annotated[MemberCategory, BeforeValidator(_category)] = Field(
        alias="National Or Local"
    )
    submission_year: IntCell = Field(alias="Year Of Submission")
    end_year: IntCell = Field(alias="Action Plan End Year")
    theme: OptionalText = Field(alias="Theme")
    title: OptionalText = Field(alias="Commitment Title")
    short_title: OptionalText = Field(alias="Short Title")
    full_text: OptionalText = Field(alias="Full Text")
    start_date: OptionalText = Field(alias="Start Date")
    end_date: OptionalText = Field(alias="End Date")
    lead: OptionalText = Field(alias="Lead Institution")
    supporting: OptionalText = Field(alias="Supporting Institution(s)")
    url: OptionalText = Field(alias="URL")
    plan_id: PlanIdCell = Field(alias="Action Plan ID")
    progress_report_year: YearCell = Field(alias="Report Publication Year (Progress Report)")
    end_of_term_report_year: YearCell = Field(alias="Report Publication Year (End Of Term)")
    specificity: Annotated[Rated[Specificity], rating(Specificity)] = Field(alias="Specificity")
    verifiable: FlagCell = Field(alias="Verifiable")
    value_access_to_information: FlagCell = Field(alias="OGP Value Access To Information")
    value_civic_participation: FlagCell = Field(alias="OGP Value Civic Participation")
    value_public_accountability: FlagCell = Field(alias="OGP Value Public Accountability")
    value_technology: FlagCell = Field(alias="OGP Value Technology")
    potential_impact: Annotated[Rated[PotentialImpact], rating(PotentialImpact)] = Field(
        alias="Potential Impact"
    )
    completion_progress_report: Annotated[Rated[Completion], rating(Completion)] = Field(
        alias="Completion (Progress Report)"
    )
    starred_2015: FlagCell = Field(alias="Starred (2015 Only)")
    starred_progress_report: FlagCell = Field(alias="Starred (Current Formula) Progress Report")
    potential_for_results: Annotated[Rated[PotentialForResults], rating(PotentialForResults)] = (
        Field(alias="Potential for Results")
    )
    completion_end_of_term: Annotated[Rated[Completion], rating(Completion)] = Field(
        alias="Completion (End Of Term)"
    )
    change_in_completion: Annotated[Rated[ChangeInCompletion], rating(ChangeInCompletion)] = Field(
        alias="Change In Completion"
    )
    early_results: Annotated[Rated[EarlyResults], rating(EarlyResults)] = Field(
        alias="Early Results"
    )
    open_government: Annotated[Rated[OpenGovernment], rating(OpenGovernment)] = Field(
        alias="Did It Open Government (Overall)"
    )
    open_government_access_to_information: Annotated[
        Rated[OpenGovernment], rating(OpenGovernment)
    ] = Field(alias="Did It Open Government (Access To Information)")
    open_government_civic_participation: Annotated[
        Rated[OpenGovernment], rating(OpenGovernment)
    ] = Field(alias="Did It Open Government (Civic Participation)")
    open_government_public_accountability: Annotated[
        Rated[OpenGovernment], rating(OpenGovernment)
    ] = Field(alias="Did It Open Government: Public Accountability")
    starred_end_of_term: FlagCell = Field(alias="Starred (Current Formula) End of Term")
    starred_most_recent: FlagCell = Field(alias="Star - Most Recently Assessed")
    carried_forward: FlagCell = Field(alias="Carried Forward")


REQUIRED_COLUMNS = [
    str(info.alias) for info in OgpCommitmentRow.model_fields.values() if info.alias
]


@dataclass(frozen=True)
class OgpCommitment:
    """A checked row: the line it starts on, its cells as typed values, its tags."""

    line: int
    row: OgpCommitmentRow
    #: the policy areas (column names) tagged 1
    tags: tuple[str, ...]
    #: the member's country for a local member (``ARG`` for ``ARBA``), else ``None``
    country: str | None


@dataclass(frozen=True)
class OgpCommitmentData:
    """A whole file: its tag columns (in their families) and its commitments."""

    file: str
    policy_areas: list[PolicyAreaColumn]
    commitments: list[OgpCommitment]
    #: a digest of the file's text: the document's version
    digest: str = ""


def looks_like_ogp_commitments(text: str) -> bool:
    """Whether a text is OGP's commitment data (by its header)."""
    header = header_cells(first_line(text))
    return "Commitment Unique Identifier" in header and "Action Plan ID" in header


def read_ogp_commitments(text: str, file: str) -> OgpCommitmentData:
    """Check every row of OGP's commitment data; ``SourceError`` lists every problem."""
    records = csv_records(text, file)
    first = next(records, None)
    if first is None or "Commitment Unique Identifier" not in first.cells:
        raise SourceError.single(file, "line 1", f"is not {KNOWN}")
    header = [cell.strip() for cell in first.cells]
    problems = missing_columns(header, [*REQUIRED_COLUMNS, FIRST_TAG_COLUMN], file, 1)
    if problems:
        raise SourceError(problems)
    tag_names = header[header.index(FIRST_TAG_COLUMN) : header.index(AFTER_TAG_COLUMNS)]
    areas = group_columns(tag_names)
    commitments: list[OgpCommitment] = []
    seen: dict[str, int] = {}
    members: dict[str, tuple[int, str, Region, MemberCategory]] = {}
    plans: dict[str, tuple[int, int, int]] = {}
    for record in records:
        if not any(cell.strip() for cell in record.cells):
            continue
        line = record.line
        if len(record.cells) != len(header):
            problems.append(
                SourceProblem(
                    file,
                    f"line {line}",
                    f"has {len(record.cells)} cells, the header has {len(header)} columns",
                )
            )
            continue
        cells = dict(zip(header, record.cells, strict=True))
        row, row_problems = validate_row(OgpCommitmentRow, cells, file, line)
        problems += row_problems
        tags: list[str] = []
        for name in tag_names:
            raw = cells[name]
            if raw in _NOT_TAGGED:
                continue
            try:
                if flag(raw).value:
                    tags.append(name)
            except ValueError as exc:
                problems.append(
                    cell_problem(
                        file,
                        line,
                        name,
                        cells[name],
                        str(exc).split("\n")[-1].strip() or "expected 0/1",
                    )
                )
        if row is None:
            continue
        country, member_problems = _member_checks(row, file, line)
        problems += member_problems
        problems += _consistency(row, file, line, seen, members, plans)
        commitments.append(OgpCommitment(line, row, tuple(tags), country))
    if problems:
        raise SourceError(problems)
    if not commitments:
        raise SourceError.single(file, "", "holds no commitment")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return OgpCommitmentData(file, areas, commitments, digest)


def _member_checks(
    row: OgpCommitmentRow, file: str, line: int
) -> tuple[str | None, list[SourceProblem]]:
    """A member's name resolves to its code: a country, or a local member and its country."""
    local = row.category in (MemberCategory.LOCAL, MemberCategory.LEGACY_LOCAL)
    if not local:
        try:
            code = country_code(row.member_name)
        except UnknownCountry:
            return None, [
                cell_problem(
                    file, line, "Country/Locality", row.member_name, "unknown country name"
                )
            ]
        if code != row.code:
            return None, [
                cell_problem(
                    file, line, "Code", row.code, f"{row.member_name!r} is {code}, not this code"
                )
            ]
        return None, []
    if "," not in row.member_name:
        return None, [
            cell_problem(
                file,
                line,
                "Country/Locality",
                row.member_name,
                "a local member is written 'Place, Country'",
            )
        ]
    country_name = row.member_name.rsplit(",", 1)[1].strip()
    try:
        country = country_code(country_name)
    except UnknownCountry:
        return None, [
            cell_problem(
                file,
                line,
                "Country/Locality",
                row.member_name,
                f"unknown country name {country_name!r}",
            )
        ]
    alpha2 = alpha2_of(country)
    if alpha2 is not None and not row.code.startswith(alpha2):
        return None, [
            cell_problem(
                file,
                line,
                "Code",
                row.code,
                f"a local member of {country} has a code starting {alpha2}",
            )
        ]
    return country, []


def _consistency(
    row: OgpCommitmentRow,
    file: str,
    line: int,
    seen: dict[str, int],
    members: dict[str, tuple[int, str, Region, MemberCategory]],
    plans: dict[str, tuple[int, int, int]],
) -> list[SourceProblem]:
    """Ids given once; a member and a plan described the same way on every row."""
    problems: list[SourceProblem] = []
    if row.ogp_id in seen:
        problems.append(
            cell_problem(
                file,
                line,
                "Commitment Unique Identifier",
                row.ogp_id,
                f"given twice (line {seen[row.ogp_id]} has it already)",
            )
        )
    else:
        seen[row.ogp_id] = line
    expected_plan = ogp_plan_id(row.code, row.plan_number)
    if row.plan_id != expected_plan:
        problems.append(
            cell_problem(
                file,
                line,
                "Action Plan ID",
                row.plan_id,
                f"member {row.code} plan {row.plan_number} is {expected_plan}",
            )
        )
    member = (line, row.member_name, row.region, row.category)
    first = members.setdefault(row.code, member)
    if first[1:] != member[1:]:
        problems.append(
            cell_problem(
                file,
                line,
                "Code",
                row.code,
                f"described differently on line {first[0]} (name, region or national/local)",
            )
        )
    plan = (line, row.submission_year, row.end_year)
    first_plan = plans.setdefault(row.plan_id, plan)
    if first_plan[1:] != plan[1:]:
        problems.append(
            cell_problem(
                file,
                line,
                "Action Plan ID",
                row.plan_id,
                f"years differ from line {first_plan[0]}",
            )
        )
    if row.end_year < row.submission_year:
        problems.append(
            cell_problem(
                file,
                line,
                "Action Plan End Year",
                str(row.end_year),
                "comes before the year of submission",
            )
        )
    return problems


# --- the graph ----------------------------------------------------------------------


def irm_props(row: OgpCommitmentRow) -> dict[str, Any]:
    """The IRM's assessment of a commitment as node properties (docs/partnership-model.md)."""
    props: dict[str, Any] = {}
    for name, value in (
        ("specificity", row.specificity),
        ("verifiable", row.verifiable),
        ("potentialImpact", row.potential_impact),
        ("completionProgressReport", row.completion_progress_report),
        ("completionEndOfTerm", row.completion_end_of_term),
        ("changeInCompletion", row.change_in_completion),
        ("potentialForResults", row.potential_for_results),
        ("earlyResults", row.early_results),
        ("didItOpenGovernment", row.open_government),
        ("didItOpenGovernmentAccessToInformation", row.open_government_access_to_information),
        ("didItOpenGovernmentCivicParticipation", row.open_government_civic_participation),
        ("didItOpenGovernmentPublicAccountability", row.open_government_public_accountability),
        ("starred2015", row.starred_2015),
        ("starredProgressReport", row.starred_progress_report),
        ("starredEndOfTerm", row.starred_end_of_term),
        ("carriedForward", row.carried_forward),
    ):
        props.update(rating_props(name, value))
    props.update(
        ogp_values_props(
            {
                OgpValue.ACCESS_TO_INFORMATION: row.value_access_to_information,
                OgpValue.CIVIC_PARTICIPATION: row.value_civic_participation,
                OgpValue.PUBLIC_ACCOUNTABILITY: row.value_public_accountability,
                OgpValue.TECHNOLOGY: row.value_technology,
            }
        )
    )
    props.update(
        starred_props(
            [
                row.starred_2015,
                row.starred_progress_report,
                row.starred_end_of_term,
                row.starred_most_recent,
            ]
        )
    )
    return props


def ogp_values_props(values: dict[OgpValue, Flag]) -> dict[str, Any]:
    """``ogpValues`` (the values a commitment is relevant to), or why unknown."""
    known = [v for v in values.values() if v.value is not None]
    if not known:
        reasons = [v.reason for v in values.values() if v.reason is not None]
        return {"ogpValuesReason": reasons[0].value} if reasons else {}
    return {"ogpValues": [value.value for value, cell in values.items() if cell.value]}


def starred_props(flags: list[Flag]) -> dict[str, Any]:
    """``starred``: true if any IRM assessment starred it, false if assessed and never starred."""
    if any(f.value for f in flags):
        return {"starred": True}
    if any(f.value is False for f in flags):
        return {"starred": False}
    reasons = [f.reason for f in flags if f.reason is not None]
    return {"starredReason": reasons[0].value} if reasons else {}


def ogp_commitments_document(
    data: OgpCommitmentData, matcher: CanadaMatcher | None = None
) -> tuple[GraphDocument, LoadNotes]:
    """The graph of a checked file, and the load's notes (institutions not matched...)."""
    file = data.file
    matcher = matcher or canada_matcher()
    notes = LoadNotes()
    doc = GraphDocument(f"ogp-commitments:{file}", _version(data))
    add_policy_areas(doc, data.policy_areas, f"{file}#header")
    area_keys = {column.name: column.key for column in data.policy_areas}
    reports: dict[tuple[str, str], int] = {}
    member_ids: dict[str, str] = {}
    plan_ids: dict[str, str] = {}
    for item in data.commitments:
        row = item.row
        source = f"{file}#{row.ogp_id}"
        member_id = member_ids.get(row.code)
        if member_id is None:
            member_id = member_ids[row.code] = add_member(
                doc,
                code=row.code,
                name=row.member_name,
                category=row.category,
                region=row.region,
                country=item.country,
                source=source,
            )
        plan_id = plan_ids.get(row.plan_id)
        if plan_id is None:
            plan_id = plan_ids[row.plan_id] = add_plan(
                doc,
                member_id,
                row.code,
                row.plan_number,
                source,
                member_names=_member_names(row, item.country),
                submission_year=row.submission_year,
                end_year=row.end_year,
            )
        cid = put(
            doc,
            "Commitment",
            row.ogp_id,
            source,
            **commitment_props(row),
            **irm_props(row),
        )
        doc.link("HAS_COMMITMENT", plan_id, cid)
        add_institutions(doc, cid, member_id, row.code, row.lead, "LED_BY", source, matcher, notes)
        add_institutions(
            doc, cid, member_id, row.code, row.supporting, "SUPPORTED_BY", source, matcher, notes
        )
        for tag in item.tags:
            doc.link("HAS_POLICY_AREA", cid, node_id("PolicyArea", area_keys[tag]))
        for kind, year in (
            ("IRM_PROGRESS_REPORT", row.progress_report_year.value),
            ("IRM_END_OF_TERM_REPORT", row.end_of_term_report_year.value),
        ):
            if year is not None:
                reports[(plan_id, kind)] = max(year, reports.get((plan_id, kind), 0))
    for (plan_id, kind), year in reports.items():
        add_report(doc, plan_id, kind, year, f"{file}#{plan_id.split(':', 1)[1]}")
    return doc, notes


def _member_names(row: OgpCommitmentRow, country: str | None) -> tuple[str, str]:
    if country is None:
        _, fr = country_names(row.code)
        return row.member_name, fr
    place = row.member_name.rsplit(",", 1)[0].strip()
    return place, place


def commitment_props(row: OgpCommitmentRow) -> dict[str, Any]:
    """A commitment's own facts (ids, texts, dates, page)."""
    props: dict[str, Any] = {
        "ogpId": row.ogp_id,
        "code": row.number,
        "title_en": row.title or row.short_title,
        "shortTitle_en": row.short_title,
        "fullText_en": row.full_text,
        "theme_en": row.theme,
        "startDateText": row.start_date,
        "endDateText": row.end_date,
        "startDate": parse_partial_date(row.start_date) if row.start_date else None,
        "endDate": parse_partial_date(row.end_date) if row.end_date else None,
        "url_en": row.url,
        "origin": "OGP_COMMITMENT_DATA",
    }
    return {k: v for k, v in props.items() if v is not None}


def _version(data: OgpCommitmentData) -> str:
    return data.digest or "unversioned"


def described_plans(data: OgpCommitmentData) -> set[str]:
    """Keys of the plans a file describes (the 2016 Explorer's rows for them are skipped)."""
    return {plan_key(item.row.code, item.row.plan_number) for item in data.commitments}
