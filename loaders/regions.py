"""OGP's four regions, by the names its data gives them, with their names in French."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    key: str
    en: str
    fr: str


REGIONS: tuple[Region, ...] = (
    Region("africa-and-the-middle-east", "Africa and the Middle East", "Afrique et Moyen-Orient"),
    Region("americas", "Americas", "Amériques"),
    Region("asia-and-the-pacific", "Asia and the Pacific", "Asie et Pacifique"),
    Region("europe", "Europe", "Europe"),
)

_BY_NAME = {region.en.casefold(): region for region in REGIONS}


def region_named(name: str) -> Region | None:
    """The region OGP's data calls ``name`` (any case), if any."""
    return _BY_NAME.get(" ".join(name.split()).casefold())
