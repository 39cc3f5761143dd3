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

:func:`parse_definition` reports every problem it finds at once, in a
:class:`SourceError`, each with the file and an entry path such as
``resources[0].fields[indicators].choices[C01.1.1].due_date``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.document import GraphDocument, node_id
from loaders.departments import DepartmentRef, DepartmentTable, Text, load_departments
from loaders.errors import SourceError, SourceProblem
from loaders.yaml_reader import read_yaml

__all__ = [
    "NapCommitment",
    "NapDefinition",
    "NapIndicator",
    "NapMilestone",
    "NapStatus",
    "Text",
    "definition_document",
    "looks_like_definition",
    "parse_definition",
    "read_definition",
]

COUNTRY = "CAN"
COUNTRY_NAME = Text("Canada", "Canada")
PORTAL_HOSTS = {"en": "https://open.canada.ca", "fr": "https://ouvert.canada.ca"}
#: bump when the graph made from the same file changes, so that it is loaded again
DOCUMENT_FORMAT = "nap-definition/1"

FIELDS = "resources[0].fields"
REQUIRED_FIELDS = ("reporting_period", "commitments", "milestones", "indicators", "status")
LANGS = ("en", "fr")
_LANGUAGE_NAMES = {"en": "English", "fr": "French"}

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_CODE_PATTERNS = {
    1: re.compile(r"C\d+"),
    2: re.compile(r"C\d+\.\d+"),
    3: re.compile(r"C\d+\.\d+\.\d+"),
}
_STATUS_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_YEARS = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
_COUNT = {
    "en": re.compile(r"\b(\d+)\s+commitments\b"),
    "fr": re.compile(r"\b(\d+)\s+engagements\b"),
}


# --- the model -----------------------------------------------------------------------


@dataclass(frozen=True)
class NapStatus:
    """One level of the plan's progress scale (``SP``: Substantial progress)."""

    code: str
    label: Text
    #: position on the scale, from 0 (``order`` in the file where given, else file order)
    rank: int


@dataclass(frozen=True)
class NapIndicator:
    code: str
    title: Text
    full_text: Text | None
    #: ``YYYY-MM`` where the file gives one
    due_date: str | None
    deadline: Text | None
    comment_url: Text | None
    #: lead departments (portal slugs); empty in 2018-2020, where the milestone has them
    departments: list[str]
    #: supporting departments (``supt_sept`` in 2022-2024), not in the graph model
    supporting_departments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NapMilestone:
    code: str
    #: without the lead-department parentheses of the 2018-2020 titles
    title: Text
    full_text: Text | None
    url: Text | None
    #: slugs; 2022+: the union of the indicators' lead departments
    departments: list[str]
    indicators: list[NapIndicator]


@dataclass(frozen=True)
class NapCommitment:
    code: str
    title: Text
    url: Text | None
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
    title: Text
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


# --- reading -------------------------------------------------------------------------


def looks_like_definition(data: object) -> bool:
    """True if ``data`` (parsed YAML) has ``resources[0].fields`` with an ``indicators``
    column, as tracker definitions do."""
    try:
        fields = data["resources"][0]["fields"]  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return False
    return isinstance(fields, list) and any(
        isinstance(f, dict) and f.get("datastore_id") == "indicators" for f in fields
    )


def read_definition(text: str, file: str) -> NapDefinition:
    """Parse the YAML text of a tracker definition and check it.

    Bad YAML and keys given twice in one mapping are reported with line and column.
    """
    data = read_yaml(text, file)
    return parse_definition(data, file)


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[SourceProblem] = []
        self.warnings: list[SourceProblem] = []

    def add(self, location: str, message: str) -> None:
        self.problems.append(SourceProblem(self.file, location, message))

    def warn(self, location: str, message: str) -> None:
        self.warnings.append(SourceProblem(self.file, location, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SourceError(self.problems)


def _choice_loc(field_id: str, code: object | None = None, *rest: str) -> str:
    loc = f"{FIELDS}[{field_id}]"
    if code is not None:
        loc += f".choices[{code}]"
    return ".".join([loc, *rest])


def _clean_text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _bilingual(value: object, loc: str, out: _Collector, what: str = "text") -> Text | None:
    """Read a mapping ``{en, fr}``; both are required."""
    if not isinstance(value, dict):
        out.add(loc, f"expected {what} as a mapping {{en, fr}}, got {value!r}")
        return None
    parts: dict[str, str | None] = {}
    for lang in LANGS:
        parts[lang] = _clean_text(value.get(lang))
        if parts[lang] is None:
            raw = value.get(lang)
            detail = "missing" if raw is None else f"not text or empty: {raw!r}"
            out.add(f"{loc}.{lang}", f"{_LANGUAGE_NAMES[lang]} {what} {detail}")
    return Text(parts["en"], parts["fr"])


def _title(value: dict[str, Any], loc: str, out: _Collector) -> Text:
    """The ``en``/``fr`` title written on a choice itself."""
    parts: dict[str, str | None] = {}
    for lang in LANGS:
        parts[lang] = _clean_text(value.get(lang))
        if parts[lang] is None:
            raw = value.get(lang)
            detail = "missing" if raw is None else f"not text or empty: {raw!r}"
            out.add(f"{loc}.{lang}", f"{_LANGUAGE_NAMES[lang]} title {detail}")
    return Text(parts["en"], parts["fr"])


def _absolute_url(url: str, lang: str) -> str | None:
    if url.startswith(("https://", "http://")):
        return url
    if url.startswith("/"):
        return PORTAL_HOSTS[lang] + url
    return None


def _urls(value: object, loc: str, out: _Collector) -> Text | None:
    text = _bilingual(value, loc, out, "link")
    if text is None:
        return None
    parts: dict[str, str | None] = {}
    for lang in LANGS:
        raw = text.get(lang)
        parts[lang] = _absolute_url(raw, lang) if raw else None
        if raw and parts[lang] is None:
            out.add(f"{loc}.{lang}", f"expected a site-relative or absolute link, got {raw!r}")
    return Text(parts["en"], parts["fr"])


def _optional(value: dict[str, Any], key: str, loc: str, out: _Collector, what: str) -> Text | None:
    if key not in value or value[key] is None:
        return None
    if what == "link":
        return _urls(value[key], f"{loc}.{key}", out)
    return _bilingual(value[key], f"{loc}.{key}", out, what)


def _ordinal(dataset_type: object) -> int | None:
    if dataset_type == "nap":
        return 4
    if isinstance(dataset_type, str):
        m = re.fullmatch(r"nap(\d+)", dataset_type)
        if m and int(m.group(1)) > 0:
            return int(m.group(1))
    return None


def _choices(fields: dict[str, dict[str, Any]], field_id: str, out: _Collector) -> dict[Any, Any]:
    fld = fields.get(field_id)
    if fld is None:
        return {}
    choices = fld.get("choices")
    if not isinstance(choices, dict) or not choices:
        out.add(_choice_loc(field_id, None, "choices"), "expected a non-empty mapping of choices")
        return {}
    return choices


def _code(key: object, depth: int, field_id: str, out: _Collector, seen: set[str]) -> str | None:
    code = key.strip() if isinstance(key, str) else None
    kinds = {1: "commitment", 2: "milestone", 3: "indicator"}
    examples = {1: "C01", 2: "C01.1", 3: "C01.1.1"}
    if code is None or not _CODE_PATTERNS[depth].fullmatch(code):
        out.add(
            _choice_loc(field_id, key),
            f"{kinds[depth]} code {key!r} is not of the form {examples[depth]}",
        )
        return None
    if code in seen:
        out.add(_choice_loc(field_id, key), f"{kinds[depth]} code {code} defined twice")
        return None
    seen.add(code)
    return code


def _plan_years(
    description: object, file: str, loc: str, out: _Collector
) -> tuple[int | None, int | None, int | None]:
    """Start year, end year and declared commitment count from the commitments
    description ("The 10 commitments in the 2018-2020 National Action Plan ...")."""
    texts = description if isinstance(description, dict) else {"en": description}
    years: set[tuple[int, int]] = set()
    counts: set[int] = set()
    for lang in LANGS:
        text = texts.get(lang)
        if not isinstance(text, str):
            continue
        m = _YEARS.search(text)
        if m:
            years.add((int(m.group(1)), int(m.group(2))))
        c = _COUNT[lang].search(text)
        if c:
            counts.add(int(c.group(1)))
    if not years:
        m = _YEARS.search(Path(file).name)
        if m:
            years.add((int(m.group(1)), int(m.group(2))))
    start = end = count = None
    if len(years) > 1:
        out.add(loc, f"the description gives different years: {sorted(years)}")
    elif not years:
        out.add(loc, "cannot tell the plan's years (expected e.g. '2018-2020' in the description)")
    else:
        start, end = years.pop()
        if end < start:
            out.add(loc, f"the plan ends ({end}) before it starts ({start})")
    if len(counts) > 1:
        out.add(loc, f"the English and French descriptions give different counts: {sorted(counts)}")
    elif counts:
        count = counts.pop()
    return start, end, count


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
    code: str, title: Text, loc: str, table: DepartmentTable, out: _Collector
) -> tuple[Text, list[str]]:
    leads: dict[str, _Lead] = {}
    for lang in LANGS:
        text = title.get(lang)
        if text is None:
            continue
        lead = _lead_from_title(text, lang, table)
        leads[lang] = lead
        for token in lead.unknown:
            out.add(
                f"{loc}.{lang}",
                f"unknown department abbreviation {token!r} in the lead parentheses "
                f"({lead.group}) of milestone {code}'s {_LANGUAGE_NAMES[lang]} title",
            )
    clean = Text(
        leads["en"].title if "en" in leads else title.en,
        leads["fr"].title if "fr" in leads else title.fr,
    )
    en = leads.get("en")
    fr = leads.get("fr")
    en_codes = en.codes if en is not None else None
    fr_codes = fr.codes if fr is not None else None
    if en_codes is None and fr_codes is None:
        out.warn(loc, f"milestone {code}: no lead department in its title")
        return clean, []
    if en_codes is not None and fr_codes is not None and set(en_codes) != set(fr_codes):
        assert en is not None and fr is not None
        out.warn(
            loc,
            f"milestone {code}: the English title names ({en.group}) = {', '.join(en_codes)} "
            f"but the French title names ({fr.group}) = {', '.join(fr_codes)}; "
            "the English list is used",
        )
    return clean, list(en_codes if en_codes is not None else fr_codes or [])


def _slugs(
    value: object, loc: str, table: DepartmentTable, out: _Collector, required: bool
) -> list[str]:
    if value is None:
        if required:
            out.add(loc, "missing lead department")
        return []
    raw = value if isinstance(value, list) else [value]
    if not raw:
        if required:
            out.add(loc, "missing lead department")
        return []
    codes: list[str] = []
    for item in raw:
        if not isinstance(item, str) or not item.strip():
            out.add(loc, f"expected a department slug, got {item!r}")
            continue
        dept = table.by_code(item)
        if dept is None:
            out.add(loc, f"unknown department {item.strip()!r} (not in the department table)")
        elif dept.code not in codes:
            codes.append(dept.code)
    return codes


# --- the parser ----------------------------------------------------------------------


def parse_definition(
    data: object, file: str, departments: DepartmentTable | None = None
) -> NapDefinition:
    """Check a parsed tracker definition and build its model.

    Raises :class:`SourceError` listing every problem. ``departments`` defaults to the
    bundled table (:func:`loaders.departments.load_departments`).
    """
    table = departments if departments is not None else load_departments()
    out = _Collector(file)
    if not isinstance(data, dict):
        raise SourceError.single(file, "", "expected a mapping (a tracker definition)")

    dataset_type = data.get("dataset_type")
    ordinal = _ordinal(dataset_type)
    if ordinal is None:
        out.add(
            "dataset_type", f"expected 'nap' or 'napN' (N the plan's number), got {dataset_type!r}"
        )

    resources = data.get("resources")
    resource = resources[0] if isinstance(resources, list) and resources else None
    raw_fields = resource.get("fields") if isinstance(resource, dict) else None
    if not isinstance(raw_fields, list):
        out.add(FIELDS, "missing: expected resources[0].fields, a list of columns")
        out.raise_if_any()
        raise AssertionError("unreachable")
    fields: dict[str, dict[str, Any]] = {}
    for i, fld in enumerate(raw_fields):
        fid = fld.get("datastore_id") if isinstance(fld, dict) else None
        if not isinstance(fid, str):
            out.add(f"{FIELDS}[{i}]", "expected a column with a datastore_id")
        elif fid in fields:
            out.add(f"{FIELDS}[{fid}]", f"column {fid!r} defined twice")
        else:
            fields[fid] = fld
    for fid in REQUIRED_FIELDS:
        if fid not in fields:
            out.add(f"{FIELDS}[{fid}]", f"missing column {fid!r}")

    # the plan
    commitments_field = fields.get("commitments", {})
    start, end, declared = _plan_years(
        commitments_field.get("description"),
        file,
        _choice_loc("commitments", None, "description"),
        out,
    )

    # reporting periods
    periods: list[str] = []
    for key in _choices(fields, "reporting_period", out):
        period = key.strip() if isinstance(key, str) else str(key)
        if not _MONTH.fullmatch(period):
            out.add(
                _choice_loc("reporting_period", key),
                f"reporting period {period!r} is not a month YYYY-MM",
            )
        elif period in periods:
            out.add(_choice_loc("reporting_period", key), f"reporting period {period} given twice")
        else:
            periods.append(period)

    # statuses
    statuses: list[NapStatus] = []
    ranks: dict[int, str] = {}
    for index, (key, value) in enumerate(_choices(fields, "status", out).items()):
        loc = _choice_loc("status", key)
        code = key.strip() if isinstance(key, str) else None
        if code is None or not _STATUS_CODE.fullmatch(code):
            out.add(loc, f"status code {key!r} is not a short code such as SP")
            continue
        if any(s.code == code for s in statuses):
            out.add(loc, f"status {code} given twice")
            continue
        if not isinstance(value, dict):
            out.add(loc, "expected a mapping {en, fr}")
            continue
        label = _title(value, loc, out)
        rank = value.get("order", index)
        if isinstance(rank, bool) or not isinstance(rank, int):
            out.add(f"{loc}.order", f"expected a whole number, got {rank!r}")
            continue
        if rank in ranks:
            out.add(f"{loc}.order", f"status {code} has the same rank as {ranks[rank]}")
        ranks[rank] = code
        statuses.append(NapStatus(code, label, rank))
    statuses.sort(key=lambda s: s.rank)

    # commitments
    commitments: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for key, value in _choices(fields, "commitments", out).items():
        code = _code(key, 1, "commitments", out, seen)
        if code is None:
            continue
        loc = _choice_loc("commitments", key)
        if not isinstance(value, dict):
            out.add(loc, "expected a mapping with en and fr titles")
            continue
        commitments[code] = {
            "title": _title(value, loc, out),
            "url": _optional(value, "NAP_url", loc, out, "link"),
            "milestones": [],
        }

    # indicators first: in 2022+ files they give the milestones' departments
    indicator_choices = _choices(fields, "indicators", out)
    lead_mode = any(isinstance(v, dict) and "lead_dept" in v for v in indicator_choices.values())
    indicators_by_milestone: dict[str, list[NapIndicator]] = {}
    indicator_locs: dict[str, str] = {}
    seen = set()
    for key, value in indicator_choices.items():
        code = _code(key, 3, "indicators", out, seen)
        if code is None:
            continue
        loc = _choice_loc("indicators", key)
        if not isinstance(value, dict):
            out.add(loc, "expected a mapping with en and fr titles")
            continue
        due = value.get("due_date")
        due_date: str | None = None
        if due is not None:
            if isinstance(due, str) and _MONTH.fullmatch(due.strip()):
                due_date = due.strip()
            else:
                out.add(f"{loc}.due_date", f"expected a month YYYY-MM, got {str(due)!r}")
        lead = _slugs(value.get("lead_dept"), f"{loc}.lead_dept", table, out, lead_mode)
        support_key = next((k for k in ("supt_sept", "supt_dept") if k in value), None)
        support = (
            _slugs(value[support_key], f"{loc}.{support_key}", table, out, False)
            if support_key
            else []
        )
        indicator = NapIndicator(
            code=code,
            title=_title(value, loc, out),
            full_text=_optional(value, "full_text", loc, out, "full text"),
            due_date=due_date,
            deadline=_optional(value, "deadline", loc, out, "deadline"),
            comment_url=_optional(value, "cmt_url", loc, out, "link"),
            departments=lead,
            supporting_departments=support,
        )
        indicators_by_milestone.setdefault(code.rsplit(".", 1)[0], []).append(indicator)
        indicator_locs[code] = loc

    # milestones
    seen = set()
    milestone_codes: set[str] = set()
    for key, value in _choices(fields, "milestones", out).items():
        code = _code(key, 2, "milestones", out, seen)
        if code is None:
            continue
        loc = _choice_loc("milestones", key)
        milestone_codes.add(code)
        if not isinstance(value, dict):
            out.add(loc, "expected a mapping with en and fr titles")
            continue
        title = _title(value, loc, out)
        parent = code.split(".")[0]
        if parent not in commitments:
            out.add(loc, f"milestone {code} belongs to commitment {parent}, which is not defined")
            continue
        indicators = indicators_by_milestone.get(code, [])
        if lead_mode:
            lead_codes: list[str] = []
            for indicator in indicators:
                lead_codes += [c for c in indicator.departments if c not in lead_codes]
        else:
            title, lead_codes = _milestone_lead_from_titles(code, title, loc, table, out)
        if not indicators:
            out.warn(loc, f"milestone {code} has no indicators")
        commitments[parent]["milestones"].append(
            NapMilestone(
                code=code,
                title=title,
                full_text=_optional(value, "full_text", loc, out, "full text"),
                url=_optional(value, "NAP_url", loc, out, "link"),
                departments=lead_codes,
                indicators=indicators,
            )
        )
    for code, loc in indicator_locs.items():
        parent = code.rsplit(".", 1)[0]
        if parent not in milestone_codes:
            out.add(loc, f"indicator {code} belongs to milestone {parent}, which is not defined")

    for code, parts in commitments.items():
        if not parts["milestones"]:
            out.warn(_choice_loc("commitments", code), f"commitment {code} has no milestones")
    if declared is not None and commitments and declared != len(commitments):
        out.warn(
            _choice_loc("commitments", None, "description"),
            f"the description announces {declared} commitments, the choices hold "
            f"{len(commitments)}",
        )

    out.raise_if_any()
    assert ordinal is not None and start is not None and end is not None
    assert isinstance(dataset_type, str)

    commitment_list = [
        NapCommitment(code, parts["title"], parts["url"], parts["milestones"])
        for code, parts in commitments.items()
    ]
    used: set[str] = set()
    for commitment in commitment_list:
        for milestone in commitment.milestones:
            used.update(milestone.departments)
            for indicator in milestone.indicators:
                used.update(indicator.departments)
    refs = [dept for code in sorted(used) if (dept := table.by_code(code)) is not None]
    span = f"{start}-{end}"
    return NapDefinition(
        file=file,
        dataset_type=dataset_type,
        country=COUNTRY,
        start_year=start,
        end_year=end,
        plan_key=f"{COUNTRY}-{span}",
        ordinal=ordinal,
        declared_commitment_count=declared,
        title=Text(
            f"Canada's {span} National Action Plan on Open Government",
            f"Plan d'action national du Canada pour un gouvernement ouvert de {span}",
        ),
        reporting_periods=periods,
        statuses=statuses,
        commitments=commitment_list,
        departments=refs,
        warnings=out.warnings,
    )


# --- the graph -----------------------------------------------------------------------


def _bi(name: str, text: Text | None) -> dict[str, str | None]:
    return {f"{name}_en": text.en if text else None, f"{name}_fr": text.fr if text else None}


def definition_version(defn: NapDefinition) -> str:
    """The sha256 of the definition's content (not of its file name or warnings)."""
    content = asdict(defn)
    content.pop("file")
    content.pop("warnings")
    canonical = json.dumps(
        {"format": DOCUMENT_FORMAT, "definition": content},
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
