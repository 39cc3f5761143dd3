"""Country names of every OGP source, old and new, to today's ISO 3166 alpha-3 codes.

OGP's files name countries as they were called at the time (``UK``, ``USA``,
``Macedonia``, ``South Korea``); pycountry knows the standard names and this module's
small alias table the rest. A name neither knows is an error that says which name.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import pycountry

#: names OGP's sources use that pycountry does not resolve (or resolves to nothing)
ALIASES: dict[str, str] = {
    "uk": "GBR",
    "great britain": "GBR",
    "usa": "USA",
    "us": "USA",
    "united states of america": "USA",
    "macedonia": "MKD",
    "fyr macedonia": "MKD",
    "south korea": "KOR",
    "korea": "KOR",
    "republic of korea": "KOR",
    "turkey": "TUR",
    "russia": "RUS",
    "kosovo": "XKX",
    "cape verde": "CPV",
    "ivory coast": "CIV",
    "cote d'ivoire": "CIV",
    "moldova": "MDA",
    "tanzania": "TZA",
    "slovak republic": "SVK",
    "kyrgyz republic": "KGZ",
    "czech republic": "CZE",
    "the netherlands": "NLD",
    "the philippines": "PHL",
    "bosnia and herzegovina": "BIH",
    "democratic republic of the congo": "COD",
}

#: codes outside ISO 3166 that OGP uses, with their names
EXTRA_NAMES: dict[str, tuple[str, str]] = {"XKX": ("Kosovo", "Kosovo")}

#: the names OGP's own data gives members whose ISO name differs (English)
OGP_NAMES_EN: dict[str, str] = {
    "KOR": "Republic of Korea",
    "KGZ": "Kyrgyz Republic",
    "SVK": "Slovak Republic",
    "CZE": "Czech Republic",
    "MDA": "Moldova",
    "TZA": "Tanzania",
    "TUR": "Türkiye",
    "RUS": "Russia",
    "USA": "United States",
    "GBR": "United Kingdom",
    "MKD": "North Macedonia",
}


#: French names where ISO's translation is not the usual one
OGP_NAMES_FR: dict[str, str] = {"TZA": "Tanzanie", "MDA": "Moldova", "RUS": "Russie"}


class UnknownCountry(LookupError):
    """A country name that neither pycountry nor the alias table knows."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown country name {name!r}")
        self.name = name


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").casefold()
    return " ".join(text.replace(".", " ").split())


@cache
def country_code(name: str) -> str:
    """The alpha-3 code of a country name of any OGP source; :class:`UnknownCountry` if none."""
    folded = _fold(name)
    if not folded:
        raise UnknownCountry(name)
    if folded in ALIASES:
        return ALIASES[folded]
    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_3)
    except LookupError:
        raise UnknownCountry(name) from None


@cache
def alpha2_of(code: str) -> str | None:
    """The alpha-2 code of an alpha-3 one (``ARG`` -> ``AR``); local members' codes start with it."""
    if code == "XKX":
        return "XK"
    country = pycountry.countries.get(alpha_3=code)
    return None if country is None else str(country.alpha_2)


@cache
def _french() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    except OSError:
        return gettext.NullTranslations()


def _reorder(name: str) -> str:
    """``Corée, République de`` -> ``République de Corée`` (ISO's inverted form)."""
    match = re.fullmatch(r"(.+), (.+ (?:de|du|des|d'))", name)
    return f"{match.group(2)} {match.group(1)}" if match else name


@cache
def country_names(code: str) -> tuple[str, str]:
    """English and French names of a country by alpha-3 code (OGP's usage where it differs)."""
    if code in EXTRA_NAMES:
        return EXTRA_NAMES[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise UnknownCountry(code)
    iso_name = str(country.name)
    english = OGP_NAMES_EN.get(code) or str(getattr(country, "common_name", iso_name))
    french = OGP_NAMES_FR.get(code) or _reorder(_french().gettext(iso_name))
    return english, french
