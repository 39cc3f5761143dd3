"""The reference table of federal departments that lead plan milestones and indicators.

The table lives in ``loaders/datasets/departments.yaml``. Each department is keyed by
its organization slug on the Open Government Portal (``tbs-sct``), the value the
2022+ tracker definitions give as ``lead_dept``; the 2018-2020 definition names its
lead departments by abbreviation (``TBS`` / ``SCT``) in milestone titles, and
:meth:`DepartmentTable.by_abbreviation` maps those onto the same slugs, so that a
department is one node across plans. See the YAML file for the decisions taken
(``pwgsc-tpsgc`` rather than ``pspc-spac``, Status of Women Canada as ``wage``, ...).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from loaders.errors import SourceError, SourceProblem

DEFAULT_PATH = Path(__file__).resolve().parent / "datasets" / "departments.yaml"

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Text:
    """Text in both official languages; either may be ``None``.

    Also exported by :mod:`loaders.nap_definitions`, which uses it throughout.
    """

    en: str | None
    fr: str | None

    def get(self, lang: str) -> str | None:
        """The text in ``lang`` (``en`` or ``fr``)."""
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True)
class DepartmentRef:
    """One federal department or agency of the reference table."""

    code: str
    abbreviation: Text
    name: Text
    #: other portal slugs meaning the same department (``pspc-spac``)
    other_codes: tuple[str, ...] = ()
    #: other ways titles write it, per language (former abbreviations, names)
    aliases_en: tuple[str, ...] = ()
    aliases_fr: tuple[str, ...] = ()
    #: false where the code is made up (no organization of its own on the portal)
    portal_organization: bool = True

    def names_for(self, lang: str) -> tuple[str, ...]:
        """Every string that stands for this department in a title in ``lang``."""
        abbreviation = self.abbreviation.get(lang)
        aliases = self.aliases_en if lang == "en" else self.aliases_fr
        return ((abbreviation,) if abbreviation else ()) + aliases


def _fold(text: str) -> str:
    """Compare key for abbreviations: case-free, spacing and apostrophes made uniform."""
    text = unicodedata.normalize("NFC", text).replace("’", "'")
    return " ".join(text.split()).casefold()


class DepartmentTable:
    """The departments, looked up by slug or by abbreviation."""

    def __init__(self, departments: list[DepartmentRef], file: str = "") -> None:
        self.file = file
        self._list = list(departments)
        self._by_code: dict[str, DepartmentRef] = {}
        self._by_abbr: dict[str, dict[str, DepartmentRef]] = {lang: {} for lang in LANGUAGES}
        for dept in self._list:
            for code in (dept.code, *dept.other_codes):
                self._by_code[code.casefold()] = dept
            for lang in LANGUAGES:
                for name in dept.names_for(lang):
                    self._by_abbr[lang][_fold(name)] = dept

    def __iter__(self) -> Iterator[DepartmentRef]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.by_code(code) is not None

    def by_code(self, code: str) -> DepartmentRef | None:
        """The department with this portal slug (or one of its other codes)."""
        return self._by_code.get(code.strip().casefold())

    def by_abbreviation(self, text: str, lang: str) -> DepartmentRef | None:
        """The department an abbreviation (or alias) of language ``lang`` stands for."""
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        return self._by_abbr[lang].get(_fold(text))


def parse_departments(data: object, file: str) -> DepartmentTable:
    """Check the parsed YAML of a department table and build it.

    Raises :class:`SourceError` listing every problem (missing or empty names, a code or
    an abbreviation used twice, ...).
    """
    problems: list[SourceProblem] = []

    def problem(location: str, message: str) -> None:
        problems.append(SourceProblem(file, location, message))

    if not isinstance(data, dict) or not isinstance(data.get("departments"), list):
        raise SourceError.single(file, "", "expected a mapping with a 'departments' list")

    departments: list[DepartmentRef] = []
    codes: dict[str, str] = {}
    abbreviations: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(data["departments"]):
        where = f"departments[{i}]"
        if not isinstance(entry, dict):
            problem(where, "expected a mapping")
            continue
        code = entry.get("code")
        if not isinstance(code, str) or not code.strip() or code != code.strip().lower():
            problem(f"{where}.code", f"expected a lower-case slug, got {code!r}")
            continue
        where = f"departments[{code}]"
        texts: dict[str, Text] = {}
        for key in ("abbreviation", "name"):
            value = entry.get(key)
            if not isinstance(value, dict):
                problem(f"{where}.{key}", "expected a mapping {en, fr}")
                continue
            parts: dict[str, str | None] = {}
            for lang in LANGUAGES:
                text = value.get(lang)
                if not isinstance(text, str) or not text.strip():
                    problem(f"{where}.{key}.{lang}", "missing or empty")
                    parts[lang] = None
                else:
                    parts[lang] = text.strip()
            texts[key] = Text(parts["en"], parts["fr"])
        other_codes = entry.get("otherCodes") or []
        if not isinstance(other_codes, list) or not all(
            isinstance(c, str) and c.strip() for c in other_codes
        ):
            problem(f"{where}.otherCodes", "expected a list of slugs")
            other_codes = []
        aliases = entry.get("aliases") or {}
        alias_lists: dict[str, tuple[str, ...]] = {"en": (), "fr": ()}
        if not isinstance(aliases, dict) or set(aliases) - set(LANGUAGES):
            problem(f"{where}.aliases", "expected a mapping {en: [...], fr: [...]}")
        else:
            for lang in LANGUAGES:
                values = aliases.get(lang) or []
                if not isinstance(values, list) or not all(
                    isinstance(v, str) and v.strip() for v in values
                ):
                    problem(f"{where}.aliases.{lang}", "expected a list of strings")
                    continue
                alias_lists[lang] = tuple(v.strip() for v in values)
        portal = entry.get("portalOrganization", True)
        if not isinstance(portal, bool):
            problem(f"{where}.portalOrganization", "expected true or false")
            portal = True
        for c in (code, *other_codes):
            if c.casefold() in codes:
                problem(f"{where}.code", f"code {c!r} already used by {codes[c.casefold()]}")
            codes[c.casefold()] = code
        if "abbreviation" not in texts or "name" not in texts:
            continue
        dept = DepartmentRef(
            code=code,
            abbreviation=texts["abbreviation"],
            name=texts["name"],
            other_codes=tuple(other_codes),
            aliases_en=alias_lists["en"],
            aliases_fr=alias_lists["fr"],
            portal_organization=portal,
        )
        for lang in LANGUAGES:
            for name in dept.names_for(lang):
                taken = (lang, _fold(name))
                if taken in abbreviations and abbreviations[taken] != code:
                    problem(
                        f"{where}.abbreviation.{lang}",
                        f"{name!r} already stands for {abbreviations[taken]}",
                    )
                abbreviations[taken] = code
        departments.append(dept)
    if problems:
        raise SourceError(problems)
    return DepartmentTable(departments, file)


def read_departments(path: Path | str) -> DepartmentTable:
    """Read and check a department table file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SourceError.single(str(path), "", f"not valid YAML: {exc}") from exc
    return parse_departments(data, str(path))


@cache
def load_departments() -> DepartmentTable:
    """The bundled table (``loaders/datasets/departments.yaml``), read once."""
    return read_departments(DEFAULT_PATH)
