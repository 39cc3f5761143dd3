"""OGP's policy areas: the tag columns of the commitment data, in their families.

In OGP's current export the ~90 tag columns come in families: a family's own column
(``Anti-Corruption and Integrity``) is followed by its areas (``Asset Disclosure``,
``Audits``, ``Beneficial Ownership``, ...), up to the next family. :data:`FAMILIES`
names the family columns; from :data:`FIRST_UNGROUPED` on, the columns
(``Capacity Building``, ``Open Data``, ``Aid``...) belong to no family. Each area is
one ``PolicyArea`` node keyed by the slug of its name. The 2016 Explorer's topics
map onto the same nodes where they mean the same thing (:data:`EXPLORER_TOPICS`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FAMILIES: tuple[str, ...] = (
    "Anti-Corruption and Integrity",
    "Civic Space and Enabling Environment",
    "Democratizing Decision-Making",
    "Digital Governance",
    "Environment & Climate",
    "Fiscal Openness",
    "Inclusion",
    "Justice",
    "Open Parliaments",
    "Public Service Delivery",
)
FIRST_UNGROUPED = "Capacity Building"


def slug(text: str, limit: int = 80) -> str:
    """A lower-case ASCII slug of a name (``Environment & Climate`` -> ``environment-climate``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    result = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return result[:limit].rstrip("-")


@dataclass(frozen=True)
class PolicyAreaColumn:
    """One tag column: the area it stands for and its family (``None`` for a family or none)."""

    name: str
    family: str | None

    @property
    def key(self) -> str:
        return slug(self.name)

    @property
    def is_family(self) -> bool:
        return self.name in FAMILIES


def group_columns(names: list[str]) -> list[PolicyAreaColumn]:
    """The tag columns in file order, each with its family, by the rule above."""
    result: list[PolicyAreaColumn] = []
    family: str | None = None
    for name in names:
        if name in FAMILIES:
            family = None
            result.append(PolicyAreaColumn(name, None))
            family = name
            continue
        if name == FIRST_UNGROUPED:
            family = None
        result.append(PolicyAreaColumn(name, family))
    return result


#: the 2016 Explorer's topics -> the current areas they are (empty: no counterpart,
#: the topic is an area of its own with no family)
EXPLORER_TOPICS: dict[str, tuple[str, ...]] = {
    "Anti-corruption": ("Anti-Corruption and Integrity",),
    "Conflicts of Interest": ("Conflicts Of Interest",),
    "Asset disclosure": ("Asset Disclosure",),
    "Audits & Controls": ("Audits",),
    "Whistleblower Protections": ("Whistleblower Protections",),
    "Fiscal Openness": ("Fiscal Openness",),
    "Citizen Budgets": (),
    "Participatory Budgeting": ("Public Participation In Budget/Fiscal Policy",),
    "E-petitions": (),
    "Social Audits": ("Social Accountability",),
    "Public Participation": ("Public Participation",),
    "Public Procurement": ("Public Procurement",),
    "Access to Information": ("Access to information",),
    "Records Management": (),
    "Open Data": ("Open Data",),
    "Elections & Political Finance": ("Elections", "Political Finance"),
    "Law Enforcement & Justice": ("Justice",),
    "Public Service Delivery": ("Public Service Delivery",),
    "E-government": ("Digital Governance",),
    "Capacity Building": ("Capacity Building",),
    "Legislation & Regulation": ("Legislation", "Regulation"),
    "Private sector": ("Private Sector",),
    "Legislature": ("Open Parliaments",),
    "Sub-national": ("Subnational",),
    "Judiciary": ("Judiciary",),
    "Media & Telecommunications": ("Media & Telecommunications",),
    "Education": ("Education",),
    "Health & Nutrition": ("Health & Nutrition",),
    "Citizenship & Immigration": ("Citizenship & Immigration",),
    "Welfare & Social Security": (),
    "Water & Sanitation": ("Water & Sanitation",),
    "Infrastructure": ("Infrastructure & Transport",),
    "Public Safety": ("Security & Public Safety",),
    "Defense": (),
    "Natural Resources": (),
    "Aid": ("Aid",),
    "Nonprofits": (),
    "Labor": ("Labor",),
    "Science & Technology": ("Science & Technology",),
    "Gender & Sexuality": ("Gender",),
    "Human Rights": ("Human Rights",),
    "Marginalized Communities": (),
    "OGP": (),
}


def explorer_areas(topic: str) -> tuple[str, ...]:
    """The area names a 2016 Explorer topic column stands for (itself when it has no counterpart)."""
    return EXPLORER_TOPICS.get(topic) or (topic,)
