"""Canada's National Action Plan tracker definitions: parse, check, turn into a graph.

A tracker definition is one of the portal's "Recombinant" table definitions
(``nap.yaml`` for 2018-2020, ``nap5.yaml``, ``nap6.yaml``): ``resources[0].fields`` is
a list of columns, and the choices of the ``commitments``, ``milestones`` and
``indicators`` columns are the plan itself. The three real files differ in shape, and
this module reads all of them:

- Codes nest: indicator ``C01.1.1`` belongs to milestone ``C01.1``, which belongs to
  commitment ``C01``. A code whose parent is not defined is an error.
- Lead departments. Where indicators carry ``lead_dept`` (2022 plan on: a portal slug
  or a list of them), those are the indicator's departments and a milestone's
  departments are the union of its indicators' (in order of first appearance); then
  every indicator must have one. Otherwise (2018-2020) the lead departments are the
  abbreviations in the last parentheses of each milestone title, English
  abbreviations in the English title and French ones in the French title, separated by
  ``/`` (also ``,`` or ``;``, with a trailing "with support from ..." clause left
  out); the parentheses are removed from the title, and the indicators have no
  departments of their own. A trailing parenthesis that is not a department list
  (``(GBA+)``, a programme's acronym following its name) stays in the title; one that
  looks like a list of abbreviations but names one the table does not know is an
  error. Where the two languages name different departments the English list is used
  and the difference is reported in :attr:`NapDefinition.warnings`.
- Site-relative links (``/en/content/...``) are made absolute with the portal's host
  in each language (``https://open.canada.ca``, ``https://ouvert.canada.ca``).

:func:`read_definition` reads a file into :class:`NapFile` (its raw shape, pydantic
models) and then into a :class:`NapDefinition` (the plan), and reports every problem it
finds at once, in a :class:`SourceError`, each with the file and an entry path such as
``resources[0].fields[indicators].choices[C01.1.1].due_date``. A file must hold what it
declares about itself: the columns its primary key and its example record name, the
choices of that record, and as many commitments as its description announces; a file
cut short is refused rather than recorded as the plan's version.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from graph.document import GraphDocument, node_id
from loaders.departments import DepartmentRef, DepartmentTable, load_departments
from loaders.errors import (
    SourceError,
    SourceProblem,
    describe,
    error_loc,
    field_error,
    validation_problems,
)
from loaders.values import (
    LANGUAGE_NAMES,
    LANGUAGES,
    BilingualText,
    Month,
    Trimmed,
    TrimmedText,
    matching,
)
from loaders.yaml_reader import read_yaml

__all__ = [
    "NapCommitment",
    "NapDefinition",
    "NapFile",
    "NapIndicator",
    "NapMilestone",
    "NapStatus",
    "definition_document",
    "looks_like_definition",
    "read_definition",
]

COUNTRY = "CAN"
COUNTRY_NAME = BilingualText("Canada", "Canada")
PORTAL_HOSTS = {"en": "https://open.canada.ca", "fr": "https://ouvert.canada.ca"}
#: bump when the graph made from the same file changes, so that it is loaded again
DOCUMENT_FORMAT = "nap-definition/1"

FIELDS = "resources[0].fields"
PLAN_COLUMNS = ("reporting_period", "commitments", "milestones", "indicators", "status")
#: the free-text columns of the tracker's records (:mod:`loaders.tracker_records`)
TEXT_COLUMNS = (
    "progress_en",
    "progress_fr",
    "evidence_en",
    "evidence_fr",
    "challenges_en",
    "challenges_fr",
)
#: every column a tracker definition must define: a file without one is refused
REQUIRED_COLUMNS = (*PLAN_COLUMNS, *TEXT_COLUMNS)

_YEARS = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
_COUNT = {
    "en": re.compile(r"\b(\d+)\s+commitments\b"),
    "fr": re.compile(r"\b(\d+)\s+engagements\b"),
}
_C = TypeVar("_C", bound="Column")


# --- the model -----------------------------------------------------------------------


@dataclass(frozen=True)
class NapStatus:
    """One level of the plan's progress scale (``SP``: Substantial progress)."""

    code: str
    label: BilingualText
    #: position on the scale, from 0 (``order`` in the file where given, else file order)
    rank: int


@dataclass(frozen=True)
class NapIndicator:
    code: str
    title: BilingualText
    full_text: BilingualText | None
    #: ``YYYY-MM`` where the file gives one
    due_date: str | None
    deadline: BilingualText | None
    comment_url: BilingualText | None
    #: lead departments (portal slugs); empty in 2018-2020, where the milestone has them
    departments: list[str]
    #: supporting departments (``supt_sept`` in 2022-2024), not in the graph model
    supporting_departments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NapMilestone:
    code: str
    #: without the lead-department parentheses of the 2018-2020 titles
    title: BilingualText
    full_text: BilingualText | None
    url: BilingualText | None
    #: slugs; 2022+: the union of the indicators' lead departments
    departments: list[str]
    indicators: list[NapIndicator]


@dataclass(frozen=True)
class NapCommitment:
    code: str
    title: BilingualText
    url: BilingualText | None
    milestones: list[NapMilestone]


@dataclass(frozen=True)
class NapDefinition:
    """A checked tracker definition: one plan, its scale, periods and structure."""

    file: str
    dataset_type: str
    country: str
    start_year: int
    end_year: int
    plan_key: str
    ordinal: int
    declared_commitment_count: int | None
    title: BilingualText
    reporting_periods: list[str]
    statuses: list[NapStatus]
    commitments: list[NapCommitment]
    #: the departments that lead something in the plan, by code
    departments: list[DepartmentRef]
    #: oddities that do not stop the load (languages naming different departments...)
    warnings: list[SourceProblem] = field(default_factory=list)

    def iter_milestones(self) -> Iterator[NapMilestone]:
        for commitment in self.commitments:
            yield from commitment.milestones

    def iter_indicators(self) -> Iterator[NapIndicator]:
        for milestone in self.iter_milestones():
            yield from milestone.indicators


# --- the file, as the portal writes it ------------------------------------------------


class PortalModel(BaseModel):
    """Part of a Recombinant definition, with the portal's own key names.

    Keys the graph does not read (Excel and form settings, labels...) are ignored: the
    format is the portal's, and it gains such keys from one plan to the next.
    """

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=True)


# codes as the keys of the choices; the spaces around one are dropped when the plan is built
CommitmentKey = Annotated[str, matching(r"\s*C\d+\s*", "a commitment code such as C01")]
MilestoneKey = Annotated[str, matching(r"\s*C\d+\.\d+\s*", "a milestone code such as C01.1")]
IndicatorKey = Annotated[
    str, matching(r"\s*C\d+\.\d+\.\d+\s*", "an indicator code such as C01.1.1")
]
StatusKey = Annotated[
    str, matching(r"\s*[A-Za-z][A-Za-z0-9_]*\s*", "a short status code such as SP")
]
#: a link on the portal: site-relative (``/en/content/...``) or absolute
SiteLink = Annotated[
    str, matching(r"(?:https?://|/)\S*", "a site-relative or absolute link such as /en/...")
]


class PortalLinks(PortalModel):
    en: SiteLink
    fr: SiteLink

    def absolute(self) -> BilingualText:
        """Both links, site-relative ones made absolute with the portal's host."""
        en, fr = (
            url if url.startswith(("https://", "http://")) else PORTAL_HOSTS[lang] + url
            for lang, url in (("en", self.en), ("fr", self.fr))
        )
        return BilingualText(en, fr)


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _known_departments(slugs: list[str], info: ValidationInfo) -> list[str]:
    """The table's codes of the departments named (in order, each once)."""
    table = info.context.get("departments") if isinstance(info.context, dict) else None
    if not isinstance(table, DepartmentTable):
        raise TypeError("validate a definition with context={'departments': table}")
    codes: list[str] = []
    for slug in slugs:
        dept = table.by_code(slug)
        if dept is None:
            raise PydanticCustomError(
                "format",
                "unknown department '{value}' (not in the department table)",
                {"value": slug},
            )
        if dept.code not in codes:
            codes.append(dept.code)
    return codes


#: a department slug of the portal, or a list of them, known to the department table
DepartmentSlugs = Annotated[
    list[Trimmed], BeforeValidator(_as_list), AfterValidator(_known_departments)
]


class Titled(PortalModel):
    """A choice: its code is the key, its title is written on it in both languages."""

    en: Trimmed
    fr: Trimmed

    def title(self) -> BilingualText:
        return BilingualText(self.en, self.fr)


class CommitmentChoice(Titled):
    nap_url: PortalLinks | None = Field(default=None, alias="NAP_url")


class MilestoneChoice(Titled):
    full_text: TrimmedText | None = None
    nap_url: PortalLinks | None = Field(default=None, alias="NAP_url")


class IndicatorChoice(Titled):
    full_text: TrimmedText | None = None
    due_date: Month | None = None
    deadline: TrimmedText | None = None
    cmt_url: PortalLinks | None = None
    #: the lead departments (2022 plan on)
    lead_dept: DepartmentSlugs | None = None
    #: supporting departments (``supt_sept`` in 2022-2024), not in the graph model
    supt_sept: DepartmentSlugs | None = None
    supt_dept: DepartmentSlugs | None = None


class StatusChoice(Titled):
    #: position on the scale where the file gives it (else its place in the file)
    order: int | None = None


def _unique_codes(kind: str) -> AfterValidator:
    """Choices by their code without the spaces around it; a code given twice
    (``C01.1`` and `` C01.1``) is an error."""

    def check(choices: dict[str, Any]) -> dict[str, Any]:
        codes: dict[str, Any] = {}
        for key, value in choices.items():
            code = key.strip()
            if code in codes:
                raise field_error(key, "{kind} code {code} defined twice", kind=kind, code=code)
            codes[code] = value
        return codes

    return AfterValidator(check)


class Column(PortalModel):
    datastore_id: Trimmed


class PeriodColumn(Column):
    choices: Annotated[dict[Month, object], Field(min_length=1)]


class CommitmentColumn(Column):
    #: "The 10 commitments in the 2018-2020 National Action Plan ..."
    description: TrimmedText | Trimmed | None = None
    choices: Annotated[
        dict[CommitmentKey, CommitmentChoice], Field(min_length=1), _unique_codes("commitment")
    ]


class MilestoneColumn(Column):
    choices: Annotated[
        dict[MilestoneKey, MilestoneChoice], Field(min_length=1), _unique_codes("milestone")
    ]


class IndicatorColumn(Column):
    choices: Annotated[
        dict[IndicatorKey, IndicatorChoice], Field(min_length=1), _unique_codes("indicator")
    ]


class StatusColumn(Column):
    choices: Annotated[dict[StatusKey, StatusChoice], Field(min_length=1), _unique_codes("status")]


_PLAN_COLUMN_TAGS = frozenset(PLAN_COLUMNS)


def _column_tag(value: object) -> str:
    """Which model reads a column: the plan's five by their id, any other as a plain one."""
    fid = value.get("datastore_id") if isinstance(value, dict) else None
    return fid.strip() if isinstance(fid, str) and fid.strip() in _PLAN_COLUMN_TAGS else "other"


AnyColumn = Annotated[
    Annotated[PeriodColumn, Tag("reporting_period")]
    | Annotated[CommitmentColumn, Tag("commitments")]
    | Annotated[MilestoneColumn, Tag("milestones")]
    | Annotated[IndicatorColumn, Tag("indicators")]
    | Annotated[StatusColumn, Tag("status")]
    | Annotated[Column, Tag("other")],
    Discriminator(_column_tag),
]


class Examples(PortalModel):
    #: an example record of the tracker: a value for each of its columns
    record: dict[str, object]


class Resource(PortalModel):
    resource_name: str | None = None
    fields: Annotated[list[AnyColumn], Field(min_length=1)]
    #: the columns that identify a record (``[reporting_period, indicators]``)
    datastore_primary_key: Annotated[list[str], Field(min_length=1)]
    examples: Examples

    @field_validator("fields")
    @classmethod
    def _every_column_once(cls, fields: list[Column]) -> list[Column]:
        ids = [column.datastore_id for column in fields]
        twice = sorted({fid for fid in ids if ids.count(fid) > 1})
        if twice:
            raise field_error(twice[0], "column {column!r} defined twice", column=twice[0])
        missing = [fid for fid in REQUIRED_COLUMNS if fid not in ids]
        if missing:
            raise field_error(
                missing[0],
                "missing column{s} {columns}",
                s="s" if len(missing) > 1 else "",
                columns=", ".join(repr(fid) for fid in missing),
            )
        return fields

    def column(self, field_id: str, kind: type[_C]) -> _C:
        """The column ``field_id`` (every required one is there, read by its model)."""
        found = next(column for column in self.fields if column.datastore_id == field_id)
        assert isinstance(found, kind), (field_id, kind)
        return found


class NapFile(PortalModel):
    """A tracker definition file (``nap.yaml``, ``nap5.yaml``, ``nap6.yaml``) as written."""

    dataset_type: Annotated[
        str, matching(r"nap\d*", "'nap' or 'napN' (N the plan's number) such as 'nap5'")
    ]
    resources: Annotated[list[Resource], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _has_columns(cls, data: object) -> object:
        resources = data.get("resources") if isinstance(data, dict) else None
        first = resources[0] if isinstance(resources, list) and resources else None
        if not isinstance(first, dict) or "fields" not in first:
            raise field_error(FIELDS, "missing: expected resources[0].fields, a list of columns")
        return data

    @property
    def resource(self) -> Resource:
        return self.resources[0]


# --- reading ---------------------------------------------------------------------------


def looks_like_definition(data: object) -> bool:
    """True if ``data`` (parsed YAML) has ``resources[0].fields`` with an ``indicators``
    column, as tracker definitions do."""
    resources = data.get("resources") if isinstance(data, dict) else None
    first = resources[0] if isinstance(resources, list) and resources else None
    fields = first.get("fields") if isinstance(first, dict) else None
    return isinstance(fields, list) and any(
        isinstance(f, dict) and f.get("datastore_id") == "indicators" for f in fields
    )


def read_definition(
    text: str, file: str, departments: DepartmentTable | None = None
) -> NapDefinition:
    """Parse the YAML text of a tracker definition, check it and build its plan.

    Raises :class:`SourceError` listing every problem, each with the file and an entry
    path such as ``resources[0].fields[indicators].choices[C01.1.1].due_date`` (bad YAML
    and keys given twice: with line and column). A file that lacks what it declares
    itself (the columns of its primary key and example record, the number of
    commitments its description announces) is refused: it has been cut short.
    ``departments`` defaults to the bundled table.
    """
    table = departments if departments is not None else load_departments()
    data = read_yaml(text, file)
    if not isinstance(data, dict):
        raise SourceError.single(file, "", "expected a mapping (a tracker definition)")
    try:
        raw = NapFile.model_validate(data, context={"departments": table})
    except ValidationError as exc:
        problems = validation_problems(exc, file, location=_location, message=_message)
        raise SourceError(problems) from None
    return _Plan(raw, file, table).build()


def _location(error: ErrorDetails) -> str:
    """``resources[0].fields[indicators].choices[C01.1.1].due_date``: columns by their id,
    choices by their code."""
    loc = error_loc(error)
    path = ""
    i = 0
    while i < len(loc):
        part = loc[i]
        if part == "fields" and i + 2 < len(loc) and isinstance(loc[i + 1], int):
            tag = loc[i + 2]
            path += f".fields[{tag if tag != 'other' else loc[i + 1]}]"
            i += 3
            continue
        if part == "fields" and i + 1 < len(loc) and isinstance(loc[i + 1], str):
            path += f".fields[{loc[i + 1]}]"
            i += 2
            continue
        if part == "choices" and i + 1 < len(loc):
            path += f".choices[{loc[i + 1]}]"
            i += 2
            continue
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
        i += 1
    return path


def _message(error: ErrorDetails) -> str:
    loc = error["loc"]
    if error["type"] == "missing" and loc and loc[-1] in LANGUAGE_NAMES:
        return f"{LANGUAGE_NAMES[str(loc[-1])]} text missing"
    return describe(error)


# --- from the file to the plan ---------------------------------------------------------


def _choice_loc(field_id: str, code: object | None = None, *rest: str) -> str:
    loc = f"{FIELDS}[{field_id}]"
    if code is not None:
        loc += f".choices[{code}]"
    return ".".join([loc, *rest])


def _ordinal(dataset_type: str) -> int:
    """``nap`` is the 2018-2020 plan, Canada's 4th; ``napN`` the Nth."""
    return int(dataset_type[3:]) if dataset_type != "nap" else 4


class _Plan:
    """The checks that compare entries of a definition, and the plan they give.

    The file's shape is checked by :class:`NapFile`; what is checked here needs several
    entries at once (codes that nest, lead departments, what the file declares about
    itself). Every problem is collected before :meth:`build` raises.
    """

    def __init__(self, raw: NapFile, file: str, table: DepartmentTable) -> None:
        self.raw = raw
        self.file = file
        self.table = table
        self.problems: list[SourceProblem] = []
        self.warnings: list[SourceProblem] = []
        resource = raw.resource
        self.columns = {column.datastore_id for column in resource.fields}
        self.periods_column = resource.column("reporting_period", PeriodColumn)
        self.commitments_column = resource.column("commitments", CommitmentColumn)
        self.milestones_column = resource.column("milestones", MilestoneColumn)
        self.indicators_column = resource.column("indicators", IndicatorColumn)
        self.status_column = resource.column("status", StatusColumn)

    def add(self, location: str, message: str) -> None:
        self.problems.append(SourceProblem(self.file, location, message))

    def warn(self, location: str, message: str) -> None:
        self.warnings.append(SourceProblem(self.file, location, message))

    def lead_from_titles(
        self, code: str, title: BilingualText, loc: str
    ) -> tuple[BilingualText, list[str]]:
        return _milestone_lead_from_titles(code, title, loc, self.table, self)

    def build(self) -> NapDefinition:
        resource = self.raw.resource
        dataset_type = self.raw.dataset_type
        if resource.resource_name is not None and resource.resource_name != dataset_type:
            self.add(
                "resources[0].resource_name",
                f"the resource is {resource.resource_name!r} but the dataset_type "
                f"{dataset_type!r}: they name the same table",
            )

        start, end, declared = self.plan_years()
        periods = self.periods()
        statuses = self.statuses()
        commitments = self.commitments(declared)
        self.check_declared_columns(periods, statuses, commitments)

        if self.problems:
            raise SourceError(self.problems)
        assert start is not None and end is not None
        used = {
            code
            for commitment in commitments
            for milestone in commitment.milestones
            for code in (
                *milestone.departments,
                *(c for indicator in milestone.indicators for c in indicator.departments),
            )
        }
        refs = [dept for code in sorted(used) if (dept := self.table.by_code(code)) is not None]
        span = f"{start}-{end}"
        return NapDefinition(
            file=self.file,
            dataset_type=dataset_type,
            country=COUNTRY,
            start_year=start,
            end_year=end,
            plan_key=f"{COUNTRY}-{span}",
            ordinal=_ordinal(dataset_type),
            declared_commitment_count=declared,
            title=BilingualText(
                f"Canada's {span} National Action Plan on Open Government",
                f"Plan d'action national du Canada pour un gouvernement ouvert de {span}",
            ),
            reporting_periods=periods,
            statuses=statuses,
            commitments=commitments,
            departments=refs,
            warnings=self.warnings,
        )

    def plan_years(self) -> tuple[int | None, int | None, int | None]:
        """Start year, end year and declared commitment count from the commitments
        description ("The 10 commitments in the 2018-2020 National Action Plan ...");
        the file name may give the years where the description does not."""
        loc = _choice_loc("commitments", None, "description")
        description = self.commitments_column.description
        if isinstance(description, TrimmedText):
            texts = {"en": description.en, "fr": description.fr}
        else:
            texts = {"en": description} if description else {}
        years: set[tuple[int, int]] = set()
        counts: set[int] = set()
        for lang, text in texts.items():
            if m := _YEARS.search(text):
                years.add((int(m.group(1)), int(m.group(2))))
            if c := _COUNT[lang].search(text):
                counts.add(int(c.group(1)))
        if not years and (m := _YEARS.search(Path(self.file).name)):
            years.add((int(m.group(1)), int(m.group(2))))
        start = end = count = None
        if len(years) > 1:
            self.add(loc, f"the description gives different years: {sorted(years)}")
        elif not years:
            self.add(
                loc, "cannot tell the plan's years (expected e.g. '2018-2020' in the description)"
            )
        else:
            start, end = years.pop()
            if end < start:
                self.add(loc, f"the plan ends ({end}) before it starts ({start})")
        if len(counts) > 1:
            self.add(
                loc, f"the English and French descriptions give different counts: {sorted(counts)}"
            )
        elif counts:
            count = counts.pop()
        return start, end, count

    def periods(self) -> list[str]:
        return list(self.periods_column.choices)

    def statuses(self) -> list[NapStatus]:
        statuses: list[NapStatus] = []
        ranks: dict[int, str] = {}
        for index, (code, choice) in enumerate(self.status_column.choices.items()):
            rank = choice.order if choice.order is not None else index
            if rank in ranks:
                self.add(
                    _choice_loc("status", code, "order"),
                    f"status {code} has the same rank as {ranks[rank]}",
                )
            ranks[rank] = code
            statuses.append(NapStatus(code, choice.title(), rank))
        return sorted(statuses, key=lambda s: s.rank)

    def indicators(self) -> dict[str, list[NapIndicator]]:
        """The indicators, by the code of their milestone."""
        choices = self.indicators_column.choices
        milestones = self.milestones_column.choices
        # from 2022 on, indicators name their lead departments, and each must
        lead_mode = any(choice.lead_dept is not None for choice in choices.values())
        by_milestone: dict[str, list[NapIndicator]] = {}
        for code, choice in choices.items():
            loc = _choice_loc("indicators", code)
            parent = code.rsplit(".", 1)[0]
            if parent not in milestones:
                self.add(
                    loc, f"indicator {code} belongs to milestone {parent}, which is not defined"
                )
            if lead_mode and not choice.lead_dept:
                self.add(f"{loc}.lead_dept", "missing lead department")
            by_milestone.setdefault(parent, []).append(
                NapIndicator(
                    code=code,
                    title=choice.title(),
                    full_text=choice.full_text.text() if choice.full_text else None,
                    due_date=choice.due_date,
                    deadline=choice.deadline.text() if choice.deadline else None,
                    comment_url=choice.cmt_url.absolute() if choice.cmt_url else None,
                    departments=list(choice.lead_dept or []),
                    supporting_departments=list(choice.supt_sept or choice.supt_dept or []),
                )
            )
        return by_milestone

    def milestones(self) -> dict[str, list[NapMilestone]]:
        """The milestones, by the code of their commitment (every commitment has a list)."""
        commitments = self.commitments_column.choices
        indicators = self.indicators()
        lead_mode = any(i.departments for listed in indicators.values() for i in listed)
        by_commitment: dict[str, list[NapMilestone]] = {code: [] for code in commitments}
        for code, choice in self.milestones_column.choices.items():
            loc = _choice_loc("milestones", code)
            parent = code.split(".")[0]
            if parent not in commitments:
                self.add(
                    loc, f"milestone {code} belongs to commitment {parent}, which is not defined"
                )
                continue
            listed = indicators.get(code, [])
            title = choice.title()
            if lead_mode:
                lead: list[str] = []
                for indicator in listed:
                    lead += [c for c in indicator.departments if c not in lead]
            else:
                title, lead = self.lead_from_titles(code, title, loc)
            if not listed:
                self.warn(loc, f"milestone {code} has no indicators")
            by_commitment[parent].append(
                NapMilestone(
                    code=code,
                    title=title,
                    full_text=choice.full_text.text() if choice.full_text else None,
                    url=choice.nap_url.absolute() if choice.nap_url else None,
                    departments=lead,
                    indicators=listed,
                )
            )
        return by_commitment

    def commitments(self, declared: int | None) -> list[NapCommitment]:
        commitment_choices = self.commitments_column.choices
        milestones = self.milestones()
        for code, listed in milestones.items():
            if not listed:
                self.warn(_choice_loc("commitments", code), f"commitment {code} has no milestones")
        if declared is not None and commitment_choices and declared != len(commitment_choices):
            self.add(
                _choice_loc("commitments", None, "description"),
                f"the description announces {declared} commitments but the choices hold "
                f"{len(commitment_choices)}: is the file cut short?",
            )
        return [
            NapCommitment(
                code,
                choice.title(),
                choice.nap_url.absolute() if choice.nap_url else None,
                milestones[code],
            )
            for code, choice in commitment_choices.items()
        ]

    def check_declared_columns(
        self, periods: list[str], statuses: list[NapStatus], commitments: list[NapCommitment]
    ) -> None:
        """The primary key and the example record name columns and choices the file must
        define: a file cut short lacks some of them."""
        resource = self.raw.resource
        for name in resource.datastore_primary_key:
            if name not in self.columns:
                self.add(
                    "resources[0].datastore_primary_key",
                    f"the primary key names column {name!r}, which the file does not define",
                )
        record = resource.examples.record
        where = "resources[0].examples.record"
        for name in REQUIRED_COLUMNS:
            if name not in record:
                self.add(where, f"the example record has no {name!r}: is the file cut short?")
        for name in record:
            if name not in self.columns:
                self.add(f"{where}.{name}", f"column {name!r} is not defined by the file")
        milestones = [m for c in commitments for m in c.milestones]
        defined: dict[str, set[str]] = {
            "reporting_period": set(periods),
            "status": {s.code for s in statuses},
            "commitments": {c.code for c in commitments},
            "milestones": {m.code for m in milestones},
            "indicators": {i.code for m in milestones for i in m.indicators},
        }
        for name, codes in defined.items():
            if name not in record:
                continue
            value = str(record[name]).strip()
            if value not in codes:
                self.add(
                    f"{where}.{name}",
                    f"the example record's {name} {value!r} is not one of the file's choices",
                )


# --- lead departments in 2018-2020 milestone titles ----------------------------------

_GROUP = re.compile(r"\(([^()]*)\)[\s.]*$")
_SUPPORT = re.compile(
    r"(?:^|[,;/])\s*(?:with (?:the )?support (?:from|of)|avec l['’]appui d(?:es|u|e la|e l['’]|e))"
    r"\b.*$",
    re.IGNORECASE | re.DOTALL,
)
_LEADING_AND = re.compile(r"^(?:and|et)\s+", re.IGNORECASE)
_ABBREVIATION = re.compile(r"[A-ZÀ-Þ][A-Za-zÀ-ÿ]{1,11}")
_STOPWORDS = frozenset(
    {"a", "an", "and", "for", "in", "of", "on", "the", "to"}
    | {"à", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour", "sur"}
)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _looks_like_abbreviation(token: str) -> bool:
    return bool(_ABBREVIATION.fullmatch(token)) and sum(c.isupper() for c in token) >= 2


def _is_acronym_of_preceding(token: str, before: str) -> bool:
    """True if ``token`` spells the initials of words just before it, as a programme's
    acronym does after its name ("Rapid Response Mechanism (RRM)")."""
    letters = "".join(c for c in _strip_accents(token).upper() if c.isalpha())
    words = re.findall(r"[^\W_]+", _strip_accents(before))[-10:]
    if not letters:
        return False
    every = "".join(w[0].upper() for w in words)
    significant = "".join(w[0].upper() for w in words if w.lower() not in _STOPWORDS)
    return letters in every or letters in significant


@dataclass
class _Lead:
    title: str
    #: None when the title has no department parentheses
    codes: list[str] | None = None
    group: str = ""
    unknown: list[str] = field(default_factory=list)


def _lead_from_title(title: str, lang: str, table: DepartmentTable) -> _Lead:
    m = _GROUP.search(title)
    if not m:
        return _Lead(title)
    group = m.group(1)
    body = _SUPPORT.sub("", group)
    tokens = [_LEADING_AND.sub("", t.strip()).strip(" .") for t in re.split(r"[/,;]", body)]
    tokens = [t for t in tokens if t]
    if not tokens:
        return _Lead(title)
    found = [table.by_abbreviation(t, lang) for t in tokens]
    before = title[: m.start()]
    codes: list[str] = []
    for dept in found:
        if dept is not None and dept.code not in codes:
            codes.append(dept.code)
    unknown = [t for t, dept in zip(tokens, found, strict=True) if dept is None]
    if codes:
        # a department list; any entry the table does not know is an error
        return _Lead(before.rstrip(), codes, group, unknown)
    if all(_looks_like_abbreviation(t) for t in tokens) and not (
        len(tokens) == 1 and _is_acronym_of_preceding(tokens[0], before)
    ):
        return _Lead(before.rstrip(), [], group, unknown)
    # "(GBA+)", a programme's acronym or any other aside: part of the title
    return _Lead(title)


def _milestone_lead_from_titles(
    code: str, title: BilingualText, loc: str, table: DepartmentTable, out: _Plan
) -> tuple[BilingualText, list[str]]:
    leads: dict[str, _Lead] = {}
    for lang in LANGUAGES:
        lead = _lead_from_title(title.get(lang), lang, table)
        leads[lang] = lead
        for token in lead.unknown:
            out.add(
                f"{loc}.{lang}",
                f"unknown department abbreviation {token!r} in the lead parentheses "
                f"({lead.group}) of milestone {code}'s {LANGUAGE_NAMES[lang]} title",
            )
    clean = BilingualText(leads["en"].title, leads["fr"].title)
    en, fr = leads["en"], leads["fr"]
    en_codes, fr_codes = en.codes, fr.codes
    if en_codes is None and fr_codes is None:
        out.warn(loc, f"milestone {code}: no lead department in its title")
        return clean, []
    if en_codes is not None and fr_codes is not None and set(en_codes) != set(fr_codes):
        out.warn(
            loc,
            f"milestone {code}: the English title names ({en.group}) = {', '.join(en_codes)} "
            f"but the French title names ({fr.group}) = {', '.join(fr_codes)}; "
            "the English list is used",
        )
    return clean, list(en_codes if en_codes is not None else fr_codes or [])


# --- the graph -----------------------------------------------------------------------


def _bi(name: str, text: BilingualText | None) -> dict[str, str | None]:
    return {f"{name}_en": text.en if text else None, f"{name}_fr": text.fr if text else None}


def _plain(value: object) -> object:
    """Texts as the mappings ``{en, fr}`` they were when the version was first computed."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def definition_version(defn: NapDefinition) -> str:
    """The sha256 of the definition's content (not of its file name or warnings)."""
    content = asdict(defn)
    content.pop("file")
    content.pop("warnings")
    canonical = json.dumps(
        {"format": DOCUMENT_FORMAT, "definition": content},
        default=_plain,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def definition_document(defn: NapDefinition) -> GraphDocument:
    """The graph of a tracker definition (see docs/graph-model.md).

    The plan's title and the country's name are only ``defaults``: the seed dataset
    describes the 2018-2020 plan too, and its title wins whatever the load order.
    Milestones and indicators get every property, ``None`` where the file has nothing,
    so that a reload replaces what an earlier version said; a commitment's link is only
    set where the file has one.
    """
    file = defn.file
    key = defn.plan_key
    doc = GraphDocument(name=f"nap:{key}", version=definition_version(defn))

    country = doc.add_node(
        "Country",
        defn.country,
        f"{file}#plan",
        {"code": defn.country},
        defaults=_bi("name", COUNTRY_NAME),
    )
    plan = doc.add_node(
        "Plan",
        key,
        f"{file}#plan",
        {
            "startYear": defn.start_year,
            "endYear": defn.end_year,
            "ordinal": defn.ordinal,
            "declaredCommitmentCount": defn.declared_commitment_count,
        },
        defaults=_bi("title", defn.title),
    )
    doc.link("HAS_PLAN", country, plan)

    for status in defn.statuses:
        sid = doc.add_node(
            "Status",
            f"{key}:{status.code}",
            f"{file}#status/{status.code}",
            {"code": status.code, "rank": status.rank, **_bi("label", status.label)},
        )
        doc.link("HAS_STATUS_LEVEL", plan, sid)

    for period in defn.reporting_periods:
        pid = doc.add_node(
            "ReportingPeriod",
            f"{key}:{period}",
            f"{file}#reporting_period/{period}",
            {"period": period},
        )
        doc.link("HAS_PERIOD", plan, pid)

    for dept in defn.departments:
        doc.add_node(
            "Department",
            dept.code,
            f"{file}#departments/{dept.code}",
            {
                "code": dept.code,
                **_bi("abbreviation", dept.abbreviation),
                **_bi("name", dept.name),
            },
        )

    for commitment in defn.commitments:
        props: dict[str, Any] = {"code": commitment.code, **_bi("title", commitment.title)}
        if commitment.url is not None:
            props.update(_bi("url", commitment.url))
        cid = doc.add_node(
            "Commitment",
            f"{key}:{commitment.code}",
            f"{file}#commitments/{commitment.code}",
            props,
        )
        doc.link("HAS_COMMITMENT", plan, cid)
        for milestone in commitment.milestones:
            mid = doc.add_node(
                "Milestone",
                f"{key}:{milestone.code}",
                f"{file}#milestones/{milestone.code}",
                {
                    "code": milestone.code,
                    **_bi("title", milestone.title),
                    **_bi("fullText", milestone.full_text),
                    **_bi("url", milestone.url),
                },
            )
            doc.link("HAS_MILESTONE", cid, mid)
            for code in milestone.departments:
                doc.link("LED_BY", mid, node_id("Department", code))
            for indicator in milestone.indicators:
                iid = doc.add_node(
                    "Indicator",
                    f"{key}:{indicator.code}",
                    f"{file}#indicators/{indicator.code}",
                    {
                        "code": indicator.code,
                        "dueDate": indicator.due_date,
                        **_bi("title", indicator.title),
                        **_bi("fullText", indicator.full_text),
                        **_bi("deadline", indicator.deadline),
                        **_bi("commentUrl", indicator.comment_url),
                    },
                )
                doc.link("HAS_INDICATOR", mid, iid)
                for code in indicator.departments:
                    doc.link("LED_BY", iid, node_id("Department", code))
    return doc
