"""Records of the National Action Plan tracker: one CSV row per reporting period and
indicator, as the Open Government Portal publishes them.

Columns (by name, in any order; others such as ``record_created`` are ignored):
``reporting_period, commitments, milestones, indicators, status, progress_en,
progress_fr, evidence_en, evidence_fr, challenges_en, challenges_fr``. A code cell may
hold the code alone (``C01.1.1``) or ``code: title`` as the portal's spreadsheets write
it; so may the status cell (``SP`` or ``SP: Substantial progress``). The file is UTF-8,
with or without a byte order mark; quoted fields may hold commas and line breaks.
Every problem names the physical line where its record starts.

Reading a file takes three steps, each reporting every problem it finds at once:
:func:`read_tracker_rows` (the CSV's structure, each record read into a
:class:`RecordCells`), :func:`match_plan` (which plan the records are for: codes are
unique only within a plan, but the plans' reporting periods are disjoint) and
:func:`validate_rows` (codes, statuses and periods against that plan).
:func:`tracker_document` then builds the progress updates; the plan's definition
(:mod:`loaders.nap_definitions`) must be in the store for them to attach to.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from graph.document import GraphDocument, node_id
from loaders.errors import SourceError, SourceProblem, describe
from loaders.nap_definitions import TEXT_COLUMNS, NapDefinition
from loaders.text import csv_header, decode_utf8, header_names, without_bom
from loaders.values import Month, matching

__all__ = [
    "REQUIRED_COLUMNS",
    "PlanCatalog",
    "TrackerRow",
    "looks_like_tracker_csv",
    "match_plan",
    "read_tracker_rows",
    "tracker_document",
    "validate_rows",
]

REQUIRED_COLUMNS = (
    "reporting_period",
    "commitments",
    "milestones",
    "indicators",
    "status",
    *TEXT_COLUMNS,
)
#: bump when the graph made from the same records changes
DOCUMENT_FORMAT = "nap-tracker/1"


# --- one record, as the CSV writes it --------------------------------------------------


def _cell(value: object) -> object:
    """A cell without the spaces around it, line breaks made ``\\n``; empty is ``None``."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _filled(value: object) -> object:
    if value is None:
        raise PydanticCustomError("cell", "is empty")
    return value


def _leading_code(value: str) -> str:
    """``C01.1.1: Pilot launched`` -> ``C01.1.1``."""
    return re.split(r"[\s:]", value, maxsplit=1)[0]


def _code_cell(pattern: str, example: str) -> AfterValidator:
    return matching(
        rf"{pattern}\s*(?::[\s\S]*)?", f"a code such as {example}, alone or with ': title'"
    )


CommitmentCell = Annotated[str, _code_cell(r"C\d+", "C01"), AfterValidator(_leading_code)]
MilestoneCell = Annotated[str, _code_cell(r"C\d+\.\d+", "C01.1"), AfterValidator(_leading_code)]
IndicatorCell = Annotated[
    str,
    BeforeValidator(_filled),
    _code_cell(r"C\d+\.\d+\.\d+", "C01.1.1"),
    AfterValidator(_leading_code),
]
StatusCell = Annotated[
    str,
    matching(
        r"[A-Za-z][A-Za-z0-9_]*\s*(?::[\s\S]*)?",
        "a status code such as SP, alone or with ': label'",
    ),
    AfterValidator(_leading_code),
]


class RecordCells(BaseModel):
    """The cells of one record that the graph reads (other columns are ignored)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    reporting_period: Annotated[Month, BeforeValidator(_filled), BeforeValidator(_cell)]
    commitments: Annotated[CommitmentCell | None, BeforeValidator(_cell)] = None
    milestones: Annotated[MilestoneCell | None, BeforeValidator(_cell)] = None
    indicators: Annotated[IndicatorCell, BeforeValidator(_cell)]
    status: Annotated[StatusCell | None, BeforeValidator(_cell)] = None
    progress_en: Annotated[str | None, BeforeValidator(_cell)] = None
    progress_fr: Annotated[str | None, BeforeValidator(_cell)] = None
    evidence_en: Annotated[str | None, BeforeValidator(_cell)] = None
    evidence_fr: Annotated[str | None, BeforeValidator(_cell)] = None
    challenges_en: Annotated[str | None, BeforeValidator(_cell)] = None
    challenges_fr: Annotated[str | None, BeforeValidator(_cell)] = None


def _cell_message(error: ErrorDetails) -> str:
    """``indicators 'C01.1' is not a code such as C01.1.1 ...``: the column first."""
    column = str(error["loc"][0]) if error["loc"] else "record"
    ctx = error.get("ctx") or {}
    if error["type"] == "format":
        return f"{column} {ctx.get('value', error.get('input'))!r} is not {ctx['expected']}"
    if error["type"] == "cell":
        return f"{column} {error['msg']}"
    return f"{column}: {describe(error)}"


@dataclass(frozen=True)
class PlanCatalog:
    """What records of one plan may refer to."""

    plan_key: str
    periods: frozenset[str]
    statuses: frozenset[str]
    #: indicator code -> (milestone code, commitment code)
    indicators: dict[str, tuple[str, str]]

    @classmethod
    def from_definition(cls, defn: NapDefinition) -> PlanCatalog:
        return cls(
            plan_key=defn.plan_key,
            periods=frozenset(defn.reporting_periods),
            statuses=frozenset(s.code for s in defn.statuses),
            indicators={
                indicator.code: (milestone.code, commitment.code)
                for commitment in defn.commitments
                for milestone in commitment.milestones
                for indicator in milestone.indicators
            },
        )


@dataclass(frozen=True)
class TrackerRow:
    """One record: an indicator's progress in one reporting period."""

    #: the physical line where the record starts (the header is line 1)
    line: int
    reporting_period: str
    #: codes from the commitments / milestones cells (None where the cell is empty)
    commitment: str | None
    milestone: str | None
    indicator: str
    #: status code (None where the cell is empty)
    status: str | None
    progress_en: str | None = None
    progress_fr: str | None = None
    evidence_en: str | None = None
    evidence_fr: str | None = None
    challenges_en: str | None = None
    challenges_fr: str | None = None


def looks_like_tracker_csv(text: str) -> bool:
    """True if the first line is a header with ``reporting_period`` and ``indicators``."""
    return {"reporting_period", "indicators"} <= set(csv_header(text))


def read_tracker_rows(text: str | bytes, file: str) -> tuple[list[TrackerRow], list[SourceProblem]]:
    """Read the records of a tracker CSV, checking their structure only.

    Returns the well-formed records and the problems of the others (a record with the
    wrong number of fields, a cell that is not a month or a code, two records for the
    same reporting period and indicator), so that a caller can go on checking the good
    records against their plan and report every problem at once. A file that cannot be
    read at all (empty, no header, missing columns, no records) raises
    :class:`SourceError` at once.
    """
    text = without_bom(decode_utf8(text, file) if isinstance(text, bytes) else text)
    if not text.strip():
        raise SourceError.single(file, "", "the file is empty (expected a CSV with a header)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise SourceError.single(file, "line 1", f"cannot read the header: {exc}") from exc
    names = header_names(header)
    problems: list[SourceProblem] = []
    header_line = f"line {reader.line_num}"
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in REQUIRED_COLUMNS and name in index:
            problems.append(SourceProblem(file, header_line, f"column {name!r} appears twice"))
        index.setdefault(name, i)
    for name in REQUIRED_COLUMNS:
        if name not in index:
            problems.append(SourceProblem(file, header_line, f"missing column {name!r}"))
    if problems:
        raise SourceError(problems)

    rows: list[TrackerRow] = []
    first_line: dict[tuple[str, str], int] = {}
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(SourceProblem(file, f"line {start}", f"cannot read the record: {exc}"))
            break
        if not any(c.strip() for c in cells):
            continue
        where = f"line {start}"
        if len(cells) < len(names) or any(c.strip() for c in cells[len(names) :]):
            problems.append(
                SourceProblem(
                    file,
                    where,
                    f"expected {len(names)} fields as in the header, found {len(cells)}",
                )
            )
            continue
        try:
            record = RecordCells.model_validate(
                {name: cells[i] for name, i in index.items() if name in REQUIRED_COLUMNS}
            )
        except ValidationError as exc:
            problems += [SourceProblem(file, where, _cell_message(e)) for e in exc.errors()]
            continue
        key = (record.reporting_period, record.indicators)
        if key in first_line:
            problems.append(
                SourceProblem(
                    file,
                    where,
                    f"a second record for reporting period {record.reporting_period} and "
                    f"indicator {record.indicators} (lines {first_line[key]} and {start})",
                )
            )
            continue
        first_line[key] = start
        rows.append(
            TrackerRow(
                line=start,
                reporting_period=record.reporting_period,
                commitment=record.commitments,
                milestone=record.milestones,
                indicator=record.indicators,
                status=record.status,
                **{name: getattr(record, name) for name in TEXT_COLUMNS},
            )
        )
    if not rows and not problems:
        raise SourceError.single(file, "", "no records: the file has only a header")
    return rows, problems


def match_plan(
    rows: Sequence[TrackerRow], catalogs: Iterable[PlanCatalog], file: str
) -> PlanCatalog:
    """The plan whose reporting periods hold every record's period.

    Raises :class:`SourceError` if no plan does (naming the periods no plan has, with
    the first line of each, or the plans the records mix) or if several do.
    """
    catalogs = list(catalogs)
    if not rows:
        raise SourceError.single(file, "", "no records to match with a plan")
    periods = {row.reporting_period for row in rows}
    matches = [c for c in catalogs if periods <= c.periods]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        keys = ", ".join(sorted(c.plan_key for c in matches))
        raise SourceError.single(
            file, "", f"the reporting periods {sorted(periods)} fit several plans: {keys}"
        )
    problems: list[SourceProblem] = []
    first: dict[str, int] = {}
    for row in rows:
        first.setdefault(row.reporting_period, row.line)
    known = {p for c in catalogs for p in c.periods}
    for period in sorted(periods - known):
        problems.append(
            SourceProblem(
                file,
                f"line {first[period]}",
                f"reporting period {period} belongs to no known plan",
            )
        )
    mixed = {c.plan_key: sorted(periods & c.periods) for c in catalogs if periods & c.periods}
    if len(mixed) > 1:
        detail = "; ".join(f"{key}: {', '.join(ps)}" for key, ps in sorted(mixed.items()))
        problems.append(
            SourceProblem(
                file, "", f"the records mix reporting periods of several plans ({detail})"
            )
        )
    if not problems:
        problems.append(SourceProblem(file, "", "no known plan to match the records with"))
    raise SourceError(problems)


def validate_rows(rows: Sequence[TrackerRow], catalog: PlanCatalog, file: str) -> None:
    """Check every record against its plan; raises :class:`SourceError` with every
    problem (unknown period, indicator or status, a commitment or milestone cell that
    does not match the indicator), each with its line and value."""
    problems: list[SourceProblem] = []
    plan = catalog.plan_key
    statuses = ", ".join(sorted(catalog.statuses))
    for row in rows:
        where = f"line {row.line}"
        if row.reporting_period not in catalog.periods:
            problems.append(
                SourceProblem(
                    file, where, f"reporting period {row.reporting_period} is not one of {plan}'s"
                )
            )
        parents = catalog.indicators.get(row.indicator)
        if parents is None:
            problems.append(
                SourceProblem(file, where, f"unknown indicator {row.indicator} in {plan}")
            )
        else:
            milestone, commitment = parents
            if row.milestone is not None and row.milestone != milestone:
                problems.append(
                    SourceProblem(
                        file,
                        where,
                        f"milestones says {row.milestone} but indicator {row.indicator} "
                        f"belongs to milestone {milestone}",
                    )
                )
            if row.commitment is not None and row.commitment != commitment:
                problems.append(
                    SourceProblem(
                        file,
                        where,
                        f"commitments says {row.commitment} but indicator {row.indicator} "
                        f"belongs to commitment {commitment}",
                    )
                )
        if row.status is not None and row.status not in catalog.statuses:
            problems.append(
                SourceProblem(
                    file, where, f"unknown status {row.status!r} (expected one of {statuses})"
                )
            )
    if problems:
        raise SourceError(problems)


def tracker_version(rows: Sequence[TrackerRow], catalog: PlanCatalog) -> str:
    """The sha256 of the records' content (not of their line numbers)."""
    content = []
    for row in sorted(rows, key=lambda r: (r.reporting_period, r.indicator)):
        data = asdict(row)
        data.pop("line")
        content.append(data)
    canonical = json.dumps(
        {"format": DOCUMENT_FORMAT, "plan": catalog.plan_key, "records": content},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def tracker_document(rows: Sequence[TrackerRow], catalog: PlanCatalog, file: str) -> GraphDocument:
    """The progress updates of the records (see docs/graph-model.md).

    One ``ProgressUpdate`` per record (``ProgressUpdate:CAN-2018-2020:C01.1.1:2019-03``)
    with every text property set, ``None`` where the cell is empty, so that a reload
    replaces an earlier update; ``HAS_UPDATE`` from its indicator, ``IN_PERIOD`` to its
    reporting period and ``HAS_STATUS`` to its status, replacing any earlier one (a
    record with an empty status cell gets none). The records are checked first
    (:func:`validate_rows`).
    """
    validate_rows(rows, catalog, file)
    plan = catalog.plan_key
    doc = GraphDocument(name=f"tracker:{plan}", version=tracker_version(rows, catalog))
    for row in rows:
        uid = doc.add_node(
            "ProgressUpdate",
            f"{plan}:{row.indicator}:{row.reporting_period}",
            f"{file}#{row.reporting_period}/{row.indicator}",
            {
                "period": row.reporting_period,
                **{name: getattr(row, name) for name in TEXT_COLUMNS},
            },
        )
        doc.link("HAS_UPDATE", node_id("Indicator", f"{plan}:{row.indicator}"), uid)
        doc.link("IN_PERIOD", uid, node_id("ReportingPeriod", f"{plan}:{row.reporting_period}"))
        if row.status is not None:
            doc.link("HAS_STATUS", uid, node_id("Status", f"{plan}:{row.status}"), replace=True)
    return doc
