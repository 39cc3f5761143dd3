"""The project's bundled dataset: every fact of the seed document, in both languages.

``datasets/ogp_seed.yaml`` holds the partnership, its member countries, co-chairs and
summit, Canada's action plans with their themes, the reports on them and the
initiatives they involved; the comment at its top describes the format. This module
checks such a file (:func:`read_seed_dataset`) and turns it into the nodes and
relationships of ``docs/graph-model.md`` (:func:`seed_document`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, ValidationError, model_validator
from pydantic.alias_generators import to_snake

from graph.document import GraphDocument, PropertyValue, node_id
from loaders.errors import SourceError, SourceProblem, field_error, validation_problems
from loaders.values import (
    BilingualText,
    Code,
    Count,
    CountryCode,
    Day,
    Links,
    Month,
    NonEmpty,
    PlanKey,
    Slug,
    StrictModel,
    Year,
)
from loaders.yaml_reader import read_yaml

BUNDLED_FILE_NAME = "ogp_seed.yaml"


def bundled_dataset_path() -> Path:
    """Where the dataset shipped with the project lives."""
    return Path(__file__).with_name("datasets") / BUNDLED_FILE_NAME


class _YearRange(StrictModel):
    start_year: Year
    end_year: Year

    @model_validator(mode="after")
    def _years_in_order(self) -> _YearRange:
        if self.end_year <= self.start_year:
            raise field_error(
                "endYear",
                "endYear ({end}) must come after startYear ({start})",
                start=self.start_year,
                end=self.end_year,
            )
        return self


def _key_is(key: str, expected: str, made_of: str) -> None:
    if key != expected:
        raise field_error(
            "key",
            "'{key}' does not match {made_of}: expected '{expected}'",
            key=key,
            made_of=made_of,
            expected=expected,
        )


# --- the format -------------------------------------------------------------------


class SourceInfo(StrictModel):
    title: BilingualText
    publisher: BilingualText
    language: Literal["en", "fr"]
    document: NonEmpty | None = None
    as_of: Month | None = None


#: the sections of a dataset whose entries its header counts
Section = Literal[
    "partnership",
    "countries",
    "people",
    "coChairTerms",
    "plans",
    "reports",
    "events",
    "initiatives",
]
SECTIONS: tuple[Section, ...] = get_args(Section)
EntryCount = Annotated[int, Field(ge=0)]


class DatasetInfo(StrictModel):
    name: Slug
    version: NonEmpty
    description: BilingualText
    source: SourceInfo
    #: how many entries each section holds, so that a file cut short is refused
    entries: dict[Section, EntryCount]


class Partnership(StrictModel):
    key: Code
    name: BilingualText
    abbreviation: BilingualText
    member_count: Count
    member_count_year: Year
    description: BilingualText


class Country(StrictModel):
    code: CountryCode
    name: BilingualText
    member: bool
    member_since: Month | None = None

    @model_validator(mode="after")
    def _since_only_for_members(self) -> Country:
        if self.member_since is not None and not self.member:
            raise field_error("memberSince", "only a member has memberSince, and member is false")
        return self


class Person(StrictModel):
    key: Slug
    name: NonEmpty
    description: BilingualText | None = None


ChairRole = Literal["GOVERNMENT", "CIVIL_SOCIETY"]


class CoChair(StrictModel):
    role: ChairRole
    country: CountryCode | None = None
    person: Slug | None = None
    name: BilingualText

    @model_validator(mode="after")
    def _country_for_governments_only(self) -> CoChair:
        if self.role == "GOVERNMENT" and self.country is None:
            raise field_error("country", "a GOVERNMENT chair needs the country it represents")
        if self.role == "CIVIL_SOCIETY" and self.country is not None:
            raise field_error("country", "a CIVIL_SOCIETY chair represents no country: use null")
        if self.role == "CIVIL_SOCIETY" and self.person is None:
            raise field_error("person", "a CIVIL_SOCIETY chair needs the person who held it")
        return self


class CoChairTerm(_YearRange):
    key: NonEmpty
    chairs: Annotated[list[CoChair], Field(min_length=1)]

    @model_validator(mode="after")
    def _key_from_years(self) -> CoChairTerm:
        _key_is(self.key, f"{self.start_year}-{self.end_year}", "the years")
        return self


class Theme(StrictModel):
    key: Slug
    kind: Literal["STREAM", "PRIORITY_AREA"]
    name: BilingualText


class Plan(_YearRange):
    key: PlanKey
    country: CountryCode
    ordinal: Count
    title: BilingualText
    description: BilingualText
    declared_commitment_count: Count | None = None
    url: Links | None = None
    themes: list[Theme] = []

    @model_validator(mode="after")
    def _key_from_country_and_years(self) -> Plan:
        _key_is(self.key, f"{self.country}-{self.start_year}-{self.end_year}", "country and years")
        return self


ReportKind = Literal["MID_TERM_SELF_ASSESSMENT", "END_OF_TERM_SELF_ASSESSMENT", "PROGRESS_TRACKER"]


class Report(StrictModel):
    plan: PlanKey
    kind: ReportKind
    published: Month | None = None
    title: BilingualText
    description: BilingualText

    @property
    def key(self) -> str:
        """A plan has at most one report of each kind: ``CAN-2016-2018:PROGRESS_TRACKER``."""
        return f"{self.plan}:{self.kind}"


class Event(StrictModel):
    key: Slug
    name: BilingualText
    city: BilingualText
    start_date: Day
    host: CountryCode | None = None
    description: BilingualText


InitiativeKind = Literal["ADVISORY_BODY", "FORUM", "PROGRAM", "POLICY", "PORTAL"]


class Initiative(StrictModel):
    key: Slug
    kind: InitiativeKind
    name: BilingualText
    description: BilingualText
    url: Links | None = None
    established_by: list[PlanKey] = []
    guided: list[PlanKey] = []


class SeedDataset(StrictModel):
    """A whole dataset file, as ``datasets/ogp_seed.yaml`` describes it."""

    dataset: DatasetInfo
    partnership: Annotated[list[Partnership], Field(min_length=1, max_length=1)]
    countries: list[Country] = []
    people: list[Person] = []
    co_chair_terms: list[CoChairTerm] = []
    plans: list[Plan]
    reports: list[Report] = []
    events: list[Event] = []
    initiatives: list[Initiative] = []


# --- reading ----------------------------------------------------------------------


def looks_like_seed_dataset(data: object) -> bool:
    """Whether parsed YAML has the shape of a seed dataset (rather than another source)."""
    return isinstance(data, dict) and isinstance(data.get("dataset"), dict) and "plans" in data


def read_seed_dataset(text: str, file: str) -> SeedDataset:
    """Parse and check a dataset file; ``file`` names it in error messages.

    Raises :class:`SourceError` listing every problem: first those of the YAML
    syntax, else every entry or field of the wrong shape, else every duplicate key
    and every reference to an entry that is not listed.
    """
    data = read_yaml(text, file)
    if not isinstance(data, dict):
        raise SourceError.single(
            file, "", f"expected a mapping with 'dataset' and 'plans', found {type(data).__name__}"
        )
    try:
        dataset = SeedDataset.model_validate(data)
    except ValidationError as exc:
        raise SourceError(validation_problems(exc, file)) from None
    found = [*_declared_entry_problems(dataset), *_reference_problems(dataset)]
    if found:
        raise SourceError([SourceProblem(file, where, what) for where, what in found])
    return dataset


Problem = tuple[str, str]


def _declared_entry_problems(ds: SeedDataset) -> list[Problem]:
    """Sections whose number of entries is not the one ``dataset.entries`` declares."""
    problems: list[Problem] = []
    for section in SECTIONS:
        listed = len(getattr(ds, to_snake(section)))
        declared = ds.dataset.entries.get(section, 0)
        if listed != declared:
            problems.append(
                (
                    f"dataset.entries.{section}",
                    f"the header declares {declared} entries in '{section}', the file lists "
                    f"{listed}: is the file cut short or the count out of date?",
                )
            )
    return problems


def _duplicates(
    entries: Iterable[Any], where: str, key: Callable[[Any], Hashable], field: str = "key"
) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[Hashable, int] = {}
    for index, entry in enumerate(entries):
        value = key(entry)
        if value in first:
            problems.append(
                (
                    f"{where}[{index}].{field}",
                    f"duplicate {value!r}: {where}[{first[value]}] has it already",
                )
            )
        else:
            first[value] = index
    return problems


def _unknown(where: str, value: str | None, known: set[str], section: str) -> list[Problem]:
    if value is None or value in known:
        return []
    return [(where, f"unknown {value!r}: no entry of '{section}' has it")]


def _reference_problems(ds: SeedDataset) -> list[Problem]:
    """Duplicate keys, and references to entries that the dataset does not list."""
    countries = {c.code for c in ds.countries}
    people = {p.key for p in ds.people}
    plans = {p.key for p in ds.plans}
    problems = [
        *_duplicates(ds.countries, "countries", lambda c: c.code, "code"),
        *_duplicates(ds.people, "people", lambda p: p.key),
        *_duplicates(ds.co_chair_terms, "coChairTerms", lambda t: t.key),
        *_duplicates(ds.plans, "plans", lambda p: p.key),
        *_duplicates(ds.plans, "plans", lambda p: (p.country, p.ordinal), "ordinal"),
        *_duplicates(ds.reports, "reports", lambda r: r.key, "kind"),
        *_duplicates(ds.events, "events", lambda e: e.key),
        *_duplicates(ds.initiatives, "initiatives", lambda i: i.key),
    ]
    for t, term in enumerate(ds.co_chair_terms):
        where = f"coChairTerms[{t}].chairs"
        problems += _duplicates(term.chairs, where, lambda c: c.role, "role")
        for c, chair in enumerate(term.chairs):
            problems += _unknown(f"{where}[{c}].country", chair.country, countries, "countries")
            problems += _unknown(f"{where}[{c}].person", chair.person, people, "people")
    for p, plan in enumerate(ds.plans):
        problems += _unknown(f"plans[{p}].country", plan.country, countries, "countries")
        problems += _duplicates(plan.themes, f"plans[{p}].themes", lambda theme: theme.key)
    for r, report in enumerate(ds.reports):
        problems += _unknown(f"reports[{r}].plan", report.plan, plans, "plans")
    for e, event in enumerate(ds.events):
        problems += _unknown(f"events[{e}].host", event.host, countries, "countries")
    for i, initiative in enumerate(ds.initiatives):
        for field, keys in (
            ("establishedBy", initiative.established_by),
            ("guided", initiative.guided),
        ):
            for k, key in enumerate(keys):
                problems += _unknown(f"initiatives[{i}].{field}[{k}]", key, plans, "plans")
    return problems


# --- the graph ----------------------------------------------------------------------


def _props(**values: BilingualText | PropertyValue) -> dict[str, PropertyValue]:
    """Graph properties: a :class:`BilingualText` becomes ``<name>_en`` and ``<name>_fr``.

    A value the dataset leaves out (``None``) is not written at all, rather than
    removed: other sources describe some of these nodes too (a plan's commitments
    come from the portal's tracker), and what they set must stay.
    """
    props: dict[str, PropertyValue] = {}
    for name, value in values.items():
        if isinstance(value, BilingualText):
            props[f"{name}_en"] = value.en
            props[f"{name}_fr"] = value.fr
        elif value is not None:
            props[name] = value
    return props


def _fingerprint(ds: SeedDataset) -> str:
    """A short digest of the dataset's content: any change to a fact changes it."""
    content = ds.model_dump_json(by_alias=True).encode()
    return hashlib.sha256(content).hexdigest()[:12]


def seed_document(ds: SeedDataset, file: str) -> GraphDocument:
    """The nodes and relationships of a checked dataset; ``file`` goes into each ``source``.

    The version is the dataset's own followed by a digest of its content
    (``2018.1+1a2b3c4d5e6f``), so that an edited file is loaded again.
    """
    doc = GraphDocument(ds.dataset.name, f"{ds.dataset.version}+{_fingerprint(ds)}")

    def source(*entry: str) -> str:
        return f"{file}#{'/'.join(entry)}"

    ogp = ds.partnership[0]
    partnership = doc.add_node(
        "Partnership",
        ogp.key,
        source("partnership", ogp.key),
        _props(
            name=ogp.name,
            abbreviation=ogp.abbreviation,
            memberCount=ogp.member_count,
            memberCountYear=ogp.member_count_year,
            description=ogp.description,
        ),
    )

    for country in ds.countries:
        cid = doc.add_node(
            "Country",
            country.code,
            source("countries", country.code),
            # memberSince is kept on the node too: it is what users ask of a country
            _props(code=country.code, name=country.name, memberSince=country.member_since),
        )
        if country.member:
            doc.link("MEMBER_OF", cid, partnership, _props(since=country.member_since))

    for person in ds.people:
        doc.add_node(
            "Person",
            person.key,
            source("people", person.key),
            _props(name=person.name, description=person.description),
        )

    for term in ds.co_chair_terms:
        tid = doc.add_node(
            "CoChairTerm",
            term.key,
            source("coChairTerms", term.key),
            _props(startYear=term.start_year, endYear=term.end_year),
        )
        doc.link("HAS_TERM", partnership, tid)
        for chair in term.chairs:
            chair_id = doc.add_node(
                "CoChair",
                f"{term.key}:{chair.role}",
                source("coChairTerms", term.key, chair.role),
                _props(role=chair.role, name=chair.name),
            )
            doc.link("HAS_CHAIR", tid, chair_id)
            if chair.country is not None:
                doc.link("REPRESENTS", chair_id, node_id("Country", chair.country))
            if chair.person is not None:
                doc.link("HELD_BY", chair_id, node_id("Person", chair.person))

    for plan in ds.plans:
        pid = doc.add_node(
            "Plan",
            plan.key,
            source("plans", plan.key),
            _props(
                startYear=plan.start_year,
                endYear=plan.end_year,
                ordinal=plan.ordinal,
                title=plan.title,
                description=plan.description,
                declaredCommitmentCount=plan.declared_commitment_count,
                url=plan.url,
            ),
        )
        doc.link("HAS_PLAN", node_id("Country", plan.country), pid)
        for theme in plan.themes:
            theme_id = doc.add_node(
                "Theme",
                f"{plan.key}:{theme.key}",
                source("plans", plan.key, "themes", theme.key),
                _props(kind=theme.kind, name=theme.name),
            )
            doc.link("HAS_THEME", pid, theme_id)

    for report in ds.reports:
        rid = doc.add_node(
            "Report",
            report.key,
            source("reports", report.key),
            _props(
                kind=report.kind,
                published=report.published,
                title=report.title,
                description=report.description,
            ),
        )
        doc.link("ASSESSES", rid, node_id("Plan", report.plan))

    for event in ds.events:
        eid = doc.add_node(
            "Event",
            event.key,
            source("events", event.key),
            _props(
                name=event.name,
                city=event.city,
                startDate=event.start_date,
                description=event.description,
            ),
        )
        if event.host is not None:
            doc.link("HOSTED_BY", eid, node_id("Country", event.host))
        doc.link("ORGANISED_BY", eid, partnership)

    for initiative in ds.initiatives:
        iid = doc.add_node(
            "Initiative",
            initiative.key,
            source("initiatives", initiative.key),
            _props(
                kind=initiative.kind,
                name=initiative.name,
                description=initiative.description,
                url=initiative.url,
            ),
        )
        for plan_key in initiative.established_by:
            doc.link("ESTABLISHED", node_id("Plan", plan_key), iid)
        for plan_key in initiative.guided:
            doc.link("GUIDED", iid, node_id("Plan", plan_key))

    return doc
