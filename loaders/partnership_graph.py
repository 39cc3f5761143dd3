"""Nodes every partnership source shares, built one way (docs/partnership-model.md).

OGP's current data, the 2016 Explorer and the US tracker all describe members, plans,
commitments, institutions and policy areas; these helpers give each of them the same
key and the same properties whichever source calls, so the sources merge into one graph.
Properties another source may state better are written as ``defaults`` (set only where
the node has none), so the result does not depend on the order of loading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from graph.document import GraphDocument, node_id
from loaders.country_names import country_names
from loaders.institutions import (
    CanadaMatcher,
    canada_institutions,
    institution_key,
    split_institutions,
)
from loaders.irm_ratings import Flag, Rated
from loaders.plan_keys import ogp_plan_id, plan_key
from loaders.policy_areas import PolicyAreaColumn, slug
from loaders.regions import Region

PARTNERSHIP = node_id("Partnership", "OGP")


def put(
    doc: GraphDocument,
    label: str,
    key: str,
    source: str,
    *,
    defaults: dict[str, Any] | None = None,
    **properties: Any,
) -> str:
    """``doc.add_node`` with the properties as keywords (what the partnership readers write)."""
    return doc.add_node(label, key, source, properties, defaults=defaults)


class MemberCategory(StrEnum):
    """How OGP's data classes a member (``National Or Local``)."""

    NATIONAL = "NATIONAL"
    LOCAL = "LOCAL"
    LEGACY_LOCAL = "LEGACY_LOCAL"
    OTHER = "OTHER"  # Kosovo


CATEGORY_NAMES = {
    "national": MemberCategory.NATIONAL,
    "local": MemberCategory.LOCAL,
    "legacy local": MemberCategory.LEGACY_LOCAL,
    "other": MemberCategory.OTHER,
}


def member_label(category: MemberCategory) -> str:
    """``Country`` for national members (and Kosovo), ``LocalGovernment`` for local ones."""
    local = category in (MemberCategory.LOCAL, MemberCategory.LEGACY_LOCAL)
    return "LocalGovernment" if local else "Country"


@dataclass
class LoadNotes:
    """What a load did besides its nodes: rows skipped by the merge rules, warnings."""

    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: institution nodes the document has already (one node per institution per file)
    institutions: set[str] = field(default_factory=set, repr=False)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + count


def add_partnership(doc: GraphDocument, source: str) -> str:
    """The partnership node (its facts come from the bundled dataset)."""
    return put(doc, "Partnership", "OGP", source)


def add_region(doc: GraphDocument, region: Region, source: str) -> str:
    return put(
        doc, "Region", region.key, source, name_en=region.en, name_fr=region.fr, code=region.key
    )


def add_country(doc: GraphDocument, code: str, source: str, name_en: str | None = None) -> str:
    """A country node with its names as defaults (the bundled dataset states them)."""
    en, fr = country_names(code)
    return put(
        doc, "Country", code, source, defaults={"name_en": name_en or en, "name_fr": fr}, code=code
    )


def add_member(
    doc: GraphDocument,
    *,
    code: str,
    name: str,
    category: MemberCategory,
    region: Region | None,
    country: str | None,
    source: str,
) -> str:
    """A member (country or local government), its region, country and membership."""
    label = member_label(category)
    if label == "Country":
        mid = add_country(doc, code, source, name_en=name)
        put(doc, "Country", code, source, memberCategory=category.value)
    else:
        local_name = name.rsplit(",", 1)[0].strip()
        mid = put(
            doc,
            "LocalGovernment",
            code,
            source,
            defaults={"name_en": local_name, "name_fr": local_name},
            code=code,
            memberCategory=category.value,
        )
        if country is not None:
            doc.link("IN_COUNTRY", mid, add_country(doc, country, source))
    if region is not None:
        doc.link("IN_REGION", mid, add_region(doc, region, source))
    doc.link("MEMBER_OF", mid, add_partnership(doc, source))
    return mid


def add_plan(
    doc: GraphDocument,
    member_id: str,
    member: str,
    number: int,
    source: str,
    *,
    member_names: tuple[str, str],
    submission_year: int | None = None,
    end_year: int | None = None,
    as_defaults: bool = False,
) -> str:
    """A member's plan by number, keyed by :func:`plan_key`; titles and years as defaults."""
    en, fr = member_names
    years = f" ({submission_year}-{end_year})" if submission_year and end_year else ""
    defaults: dict[str, Any] = {
        "title_en": f"{en}: action plan {number}{years}",
        "title_fr": f"{fr} : plan d'action no {number}{years}",
        "startYear": submission_year,
        "endYear": end_year,
    }
    props: dict[str, Any] = {"ogpId": ogp_plan_id(member, number), "ordinal": number}
    if submission_year is not None:
        (defaults if as_defaults else props)["submissionYear"] = submission_year
    pid = put(
        doc,
        "Plan",
        plan_key(member, number),
        source,
        defaults={k: v for k, v in defaults.items() if v is not None},
        **props,
    )
    doc.link("HAS_PLAN", member_id, pid)
    return pid


def add_report(doc: GraphDocument, plan_id: str, kind: str, year: int, source: str) -> str:
    """An IRM report on a plan (``IRM_PROGRESS_REPORT``, ``IRM_END_OF_TERM_REPORT``)."""
    titles = {
        "IRM_PROGRESS_REPORT": (
            "Independent Reporting Mechanism progress report",
            "Rapport d'étape du Mécanisme d'évaluation indépendant",
        ),
        "IRM_END_OF_TERM_REPORT": (
            "Independent Reporting Mechanism end-of-term report",
            "Rapport de fin de parcours du Mécanisme d'évaluation indépendant",
        ),
    }
    en, fr = titles[kind]
    plan_key_ = plan_id.split(":", 1)[1]
    rid = put(
        doc,
        "Report",
        f"{plan_key_}:{kind}",
        source,
        kind=kind,
        publishedYear=year,
        title_en=f"{en} ({year})",
        title_fr=f"{fr} ({year})",
    )
    doc.link("ASSESSES", rid, plan_id)
    return rid


def add_institutions(
    doc: GraphDocument,
    commitment_id: str,
    member_id: str,
    member: str,
    cell: str | None,
    rel_type: str,
    source: str,
    matcher: CanadaMatcher | None,
    notes: LoadNotes,
) -> None:
    """Link a commitment to the institutions a cell names (``LED_BY`` or ``SUPPORTED_BY``)."""
    if not cell:
        return
    if member == "CAN" and matcher is not None:
        codes, others = canada_institutions(cell, matcher)
        for code in codes:
            dept = node_id("Department", code)
            if dept not in notes.institutions:
                notes.institutions.add(dept)
                put(doc, "Department", code, source)
                doc.link("HAS_INSTITUTION", member_id, dept)
            doc.link(rel_type, commitment_id, dept)
        for name in others:
            notes.warnings.append(f"{source}: no Canadian department is called {name!r}")
    else:
        others = split_institutions(cell)
    for name in others:
        key = institution_key(member, name)
        dept = node_id("Department", key)
        if dept not in notes.institutions:
            notes.institutions.add(dept)
            put(
                doc,
                "Department",
                key,
                source,
                defaults={"name_en": name},
                member=member,
                code=key,
            )
            doc.link("HAS_INSTITUTION", member_id, dept)
        doc.link(rel_type, commitment_id, dept)


def add_policy_areas(doc: GraphDocument, columns: list[PolicyAreaColumn], source: str) -> None:
    """The policy area nodes of a file's tag columns and their families."""
    for column in columns:
        aid = put(
            doc,
            "PolicyArea",
            column.key,
            source,
            name_en=column.name,
            isFamily=column.is_family,
        )
        if column.family is not None:
            doc.link("IN_FAMILY", aid, node_id("PolicyArea", slug(column.family)))


def rating_props(name: str, value: Rated[Any] | Flag) -> dict[str, Any]:
    """``{name: value, nameReason: reason}`` for a rating, flag or year (``None`` dropped)."""
    raw = value.value
    if isinstance(raw, StrEnum):
        raw = raw.value
    props: dict[str, Any] = {}
    if raw is not None:
        props[name] = raw
    if value.reason is not None:
        props[f"{name}Reason"] = value.reason.value
    return props
