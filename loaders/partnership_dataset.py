"""The bundled partnership dataset: regions, members, membership history, co-chairs, summits.

``datasets/ogp_partnership.yaml`` (its comment describes the format) is checked here
(:func:`read_partnership_dataset`) and turned into the nodes of
docs/partnership-model.md (:func:`partnership_document`). It shares some nodes with the
ogp-seed dataset (countries, the 2017-2019 co-chair terms and seats, people, the 2019
summit): :func:`defer_to` turns every property the seed states about such a node into a
default, so the seed's facts hold whatever the order of loading.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from graph.document import GraphDocument, PropertyValue, node_id
from loaders.errors import SourceError, SourceProblem
from loaders.partnership_graph import put
from loaders.values import (
    BilingualText,
    Count,
    MemberCode,
    NonEmpty,
    PartialDate,
    Slug,
    StrictModel,
    Url,
    Year,
)
from loaders.yaml_reader import read_yaml

BUNDLED_FILE_NAME = "ogp_partnership.yaml"
PARTNERSHIP = node_id("Partnership", "OGP")


def bundled_partnership_path() -> Path:
    """Where the partnership dataset shipped with the project lives."""
    return Path(__file__).with_name("datasets") / BUNDLED_FILE_NAME


class DatasetInfo(StrictModel):
    name: Slug
    version: NonEmpty
    description: BilingualText


class RegionEntry(StrictModel):
    key: Slug
    name: BilingualText


HistoryKind = Literal[
    "FOUNDING_MEMBER",
    "JOINED",
    "ANNOUNCED_JOINING",
    "WITHDREW",
    "SUSPENDED",
    "REMOVED",
    "DECLARED_INTENT",
]
JOINING = ("FOUNDING_MEMBER", "JOINED")
#: the status a member has after each kind of event (the last such event decides)
STATUS_AFTER: dict[str, str] = {
    "FOUNDING_MEMBER": "ACTIVE",
    "JOINED": "ACTIVE",
    "ANNOUNCED_JOINING": "ACTIVE",
    "WITHDREW": "WITHDRAWN",
    "SUSPENDED": "SUSPENDED",
    "REMOVED": "REMOVED",
    "DECLARED_INTENT": "NOT_A_MEMBER",
}


class HistoryEntry(StrictModel):
    kind: HistoryKind
    date: PartialDate | None
    note: BilingualText
    #: the source's address (a few add where in it: "(file ...)")
    source: NonEmpty

    @property
    def key_part(self) -> str:
        return f"{self.kind}:{self.date or 'undated'}"


class MemberEntry(StrictModel):
    code: MemberCode
    kind: Literal["COUNTRY", "LOCAL_GOVERNMENT"]
    name: BilingualText
    category: Literal["NATIONAL", "LOCAL", "LEGACY_LOCAL", "OTHER"] | None
    region: Slug | None
    country: MemberCode | None = None
    history: list[HistoryEntry] = []

    @model_validator(mode="after")
    def _country_for_local_governments(self) -> MemberEntry:
        if (self.kind == "LOCAL_GOVERNMENT") != (self.country is not None):
            raise ValueError("a LOCAL_GOVERNMENT has a country, a COUNTRY has none")
        return self

    @property
    def label(self) -> str:
        return "Country" if self.kind == "COUNTRY" else "LocalGovernment"

    @property
    def status(self) -> str:
        """ACTIVE, WITHDRAWN, SUSPENDED, REMOVED or NOT_A_MEMBER, from the history (dated
        events in order, undated ones last); ACTIVE when the history is empty."""
        ordered = sorted(self.history, key=lambda h: (h.date is None, h.date or ""))
        status = "ACTIVE"
        for entry in ordered:
            status = STATUS_AFTER[entry.kind]
        return status

    @property
    def member_since(self) -> str | None:
        """The month (or year) of its earliest dated joining, as ``YYYY-MM`` or ``YYYY``."""
        dates = sorted(h.date for h in self.history if h.kind in JOINING and h.date)
        return dates[0][:7] if dates else None


class PersonEntry(StrictModel):
    key: Slug
    name: NonEmpty


class SeatEntry(StrictModel):
    role: Literal["GOVERNMENT", "CIVIL_SOCIETY"]
    position: Literal["FOUNDING", "LEAD", "SUPPORT"]
    country: MemberCode | None
    person: Slug | None
    name: BilingualText
    organization: NonEmpty | None
    start_date: PartialDate | None
    end_date: PartialDate | None
    source: Url

    @model_validator(mode="after")
    def _holder(self) -> SeatEntry:
        if self.role == "GOVERNMENT" and (self.country is None or self.person is not None):
            raise ValueError("a GOVERNMENT seat has a country and no person")
        if self.role == "CIVIL_SOCIETY" and (self.person is None or self.country is not None):
            raise ValueError("a CIVIL_SOCIETY seat has a person and no country")
        return self


def seat_key(term: str, seat: SeatEntry) -> str:
    """``2018-2019:GOVERNMENT`` for a lead seat (the seed's key), ``...:SUPPORT`` for a
    support seat, ``...:FOUNDING:USA`` for a founding co-chair."""
    if seat.position == "LEAD":
        return f"{term}:{seat.role}"
    if seat.position == "SUPPORT":
        return f"{term}:{seat.role}:SUPPORT"
    return f"{term}:{seat.role}:FOUNDING:{seat.country or seat.person}"


class TermEntry(StrictModel):
    key: NonEmpty
    start_year: Year
    end_year: Year
    seats: Annotated[list[SeatEntry], Field(min_length=1)]

    @model_validator(mode="after")
    def _key_from_years(self) -> TermEntry:
        if self.key != f"{self.start_year}-{self.end_year}" or self.end_year != self.start_year + 1:
            raise ValueError("key is START-END of a one-year term")
        return self


class SummitEntry(StrictModel):
    key: Slug
    ordinal: Count
    name: BilingualText
    city: BilingualText
    country: MemberCode
    host: MemberCode
    start_date: PartialDate | None
    end_date: PartialDate | None
    description: BilingualText
    source: Url


class PartnershipDataset(StrictModel):
    """A whole partnership dataset file."""

    dataset: DatasetInfo
    regions: list[RegionEntry]
    members: list[MemberEntry]
    people: list[PersonEntry] = []
    co_chair_terms: list[TermEntry] = []
    summits: list[SummitEntry] = []


# --- reading ----------------------------------------------------------------------


def looks_like_partnership_dataset(data: object) -> bool:
    """Whether parsed YAML has the shape of a partnership dataset."""
    return isinstance(data, dict) and isinstance(data.get("dataset"), dict) and "members" in data


def read_partnership_dataset(text: str, file: str) -> PartnershipDataset:
    """Parse and check a partnership dataset; ``SourceError`` lists every problem."""
    data = read_yaml(text, file)
    if not isinstance(data, dict):
        raise SourceError.single(file, "", "expected a mapping with 'dataset' and 'members'")
    try:
        ds = PartnershipDataset.model_validate(data)
    except ValidationError as exc:
        raise SourceError(
            [SourceProblem(file, _location(e["loc"]), e["msg"]) for e in exc.errors()]
        ) from None
    problems = [SourceProblem(file, where, what) for where, what in _reference_problems(ds)]
    if problems:
        raise SourceError(problems)
    return ds


def read_bundled_partnership_dataset() -> PartnershipDataset:
    path = bundled_partnership_path()
    return read_partnership_dataset(path.read_text(encoding="utf-8"), path.name)


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def _duplicates(values: Iterable[str], where: str) -> list[tuple[str, str]]:
    seen: set[str] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append((f"{where}[{index}]", f"duplicate {value!r}"))
        seen.add(value)
    return problems


def _reference_problems(ds: PartnershipDataset) -> list[tuple[str, str]]:
    regions = {r.key for r in ds.regions}
    countries = {m.code for m in ds.members if m.kind == "COUNTRY"}
    people = {p.key for p in ds.people}
    problems = [
        *_duplicates((r.key for r in ds.regions), "regions"),
        *_duplicates((m.code for m in ds.members), "members"),
        *_duplicates((p.key for p in ds.people), "people"),
        *_duplicates((t.key for t in ds.co_chair_terms), "coChairTerms"),
        *_duplicates((s.key for s in ds.summits), "summits"),
    ]
    for i, member in enumerate(ds.members):
        if member.region is not None and member.region not in regions:
            problems.append((f"members[{i}].region", f"unknown region {member.region!r}"))
        if member.country is not None and member.country not in countries:
            problems.append((f"members[{i}].country", f"unknown country {member.country!r}"))
        problems += _duplicates((h.key_part for h in member.history), f"members[{i}].history")
    for t, term in enumerate(ds.co_chair_terms):
        problems += _duplicates(
            (seat_key(term.key, s) for s in term.seats), f"coChairTerms[{t}].seats"
        )
        for s, seat in enumerate(term.seats):
            where = f"coChairTerms[{t}].seats[{s}]"
            if seat.country is not None and seat.country not in countries:
                problems.append((f"{where}.country", f"unknown country {seat.country!r}"))
            if seat.person is not None and seat.person not in people:
                problems.append((f"{where}.person", f"unknown person {seat.person!r}"))
    for s, summit in enumerate(ds.summits):
        for field in ("country", "host"):
            code = getattr(summit, field)
            if code not in countries:
                problems.append((f"summits[{s}].{field}", f"unknown country {code!r}"))
    return problems


# --- the graph ----------------------------------------------------------------------


def _bi(name: str, text: BilingualText | None) -> dict[str, Any]:
    return {} if text is None else {f"{name}_en": text.en, f"{name}_fr": text.fr}


def _present(**values: PropertyValue) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def partnership_document(ds: PartnershipDataset, file: str) -> GraphDocument:
    """The nodes and relationships of a checked partnership dataset."""
    digest = hashlib.sha256(ds.model_dump_json(by_alias=True).encode()).hexdigest()[:12]
    doc = GraphDocument(ds.dataset.name, f"{ds.dataset.version}+{digest}")

    def source(*entry: str) -> str:
        return f"{file}#{'/'.join(entry)}"

    put(doc, "Partnership", "OGP", source("partnership"))
    for region in ds.regions:
        put(
            doc,
            "Region",
            region.key,
            source("regions", region.key),
            code=region.key,
            **_bi("name", region.name),
        )
    for member in ds.members:
        mid = put(
            doc,
            member.label,
            member.code,
            source("members", member.code),
            code=member.code,
            membershipStatus=member.status,
            **_bi("name", member.name),
            **_present(memberCategory=member.category, memberSince=member.member_since),
        )
        if member.region is not None:
            doc.link("IN_REGION", mid, node_id("Region", member.region))
        if member.country is not None:
            doc.link("IN_COUNTRY", mid, node_id("Country", member.country))
        if member.status != "NOT_A_MEMBER":
            doc.link("MEMBER_OF", mid, PARTNERSHIP, _present(since=member.member_since))
        for entry in member.history:
            eid = put(
                doc,
                "MembershipEvent",
                f"{member.code}:{entry.key_part}",
                source("members", member.code, "history", entry.key_part),
                kind=entry.kind,
                sourceUrl=entry.source,
                **_present(date=entry.date),
                **_bi("note", entry.note),
            )
            doc.link("HAS_MEMBERSHIP_EVENT", mid, eid)
    for person in ds.people:
        put(doc, "Person", person.key, source("people", person.key), name=person.name)
    for term in ds.co_chair_terms:
        tid = put(
            doc,
            "CoChairTerm",
            term.key,
            source("coChairTerms", term.key),
            startYear=term.start_year,
            endYear=term.end_year,
        )
        doc.link("HAS_TERM", PARTNERSHIP, tid)
        for seat in term.seats:
            key = seat_key(term.key, seat)
            sid = put(
                doc,
                "CoChair",
                key,
                source("coChairTerms", key),
                role=seat.role,
                position=seat.position,
                sourceUrl=seat.source,
                **_bi("name", seat.name),
                **_present(
                    organization=seat.organization,
                    startDate=seat.start_date,
                    endDate=seat.end_date,
                ),
            )
            doc.link("HAS_CHAIR", tid, sid)
            if seat.country is not None:
                doc.link("REPRESENTS", sid, node_id("Country", seat.country))
            if seat.person is not None:
                doc.link("HELD_BY", sid, node_id("Person", seat.person))
    for summit in ds.summits:
        eid = put(
            doc,
            "Event",
            summit.key,
            source("summits", summit.key),
            kind="GLOBAL_SUMMIT",
            ordinal=summit.ordinal,
            sourceUrl=summit.source,
            **_bi("name", summit.name),
            **_bi("city", summit.city),
            **_bi("description", summit.description),
            **_present(startDate=summit.start_date, endDate=summit.end_date),
        )
        doc.link("HOSTED_BY", eid, node_id("Country", summit.host))
        doc.link("ORGANISED_BY", eid, PARTNERSHIP)
    return doc


def defer_to(doc: GraphDocument, stronger: GraphDocument) -> GraphDocument:
    """``doc`` with every property that ``stronger`` states about a shared node made a
    default, so that ``stronger``'s facts win whichever document is loaded first."""
    stated: dict[str, set[str]] = {}
    for node in stronger.nodes:
        stated.setdefault(node.id, set()).update(node.properties)
    for node in doc.nodes:
        keys = stated.get(node.id)
        if not keys:
            continue
        for key in [k for k in node.properties if k in keys]:
            node.defaults[key] = node.properties.pop(key)
    return doc


def bundled_partnership_document() -> GraphDocument:
    """The bundled partnership dataset's graph, deferring to the bundled seed's facts."""
    from loaders.seed_dataset import bundled_dataset_path, read_seed_dataset, seed_document

    seed_path = bundled_dataset_path()
    seed = seed_document(
        read_seed_dataset(seed_path.read_text(encoding="utf-8"), seed_path.name), seed_path.name
    )
    path = bundled_partnership_path()
    return defer_to(partnership_document(read_bundled_partnership_dataset(), path.name), seed)
