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
from typing import Annotated

from pydantic import ValidationError

from loaders.errors import SourceError, SourceProblem, validation_problems
from loaders.values import (
    LANGUAGES,
    BilingualText,
    NonEmpty,
    StrictModel,
    Trimmed,
    TrimmedText,
    matching,
)
from loaders.yaml_reader import read_yaml

DEFAULT_PATH = Path(__file__).resolve().parent / "datasets" / "departments.yaml"

#: a portal organization slug as the table writes it (``tbs-sct``, ``ocsa-bcsc``)
DepartmentCode = Annotated[
    str, matching(r"[a-z0-9]+(?:-[a-z0-9]+)*", "a lower-case slug such as 'tbs-sct'")
]


# --- the file --------------------------------------------------------------------------


class Aliases(StrictModel):
    en: list[Trimmed] = []
    fr: list[Trimmed] = []


class DepartmentEntry(StrictModel):
    """One entry of ``departments.yaml``, as written."""

    code: DepartmentCode
    abbreviation: TrimmedText
    name: TrimmedText
    other_codes: list[NonEmpty] = []
    aliases: Aliases = Aliases()
    portal_organization: bool = True


class DepartmentFile(StrictModel):
    departments: list[DepartmentEntry]


# --- the table -------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRef:
    """One federal department or agency of the reference table."""

    code: str
    abbreviation: BilingualText
    name: BilingualText
    #: other portal slugs meaning the same department (``pspc-spac``)
    other_codes: tuple[str, ...] = ()
    #: other ways titles write it, per language (former abbreviations, names)
    aliases_en: tuple[str, ...] = ()
    aliases_fr: tuple[str, ...] = ()
    #: false where the code is made up (no organization of its own on the portal)
    portal_organization: bool = True

    def names_for(self, lang: str) -> tuple[str, ...]:
        """Every string that stands for this department in a title in ``lang``."""
        aliases = self.aliases_en if lang == "en" else self.aliases_fr
        return (self.abbreviation.get(lang), *aliases)


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


def read_departments(text: str, file: str) -> DepartmentTable:
    """Parse and check the YAML text of a department table; ``file`` names it in errors.

    Raises :class:`SourceError` listing every problem (missing or empty names, a code or
    an abbreviation used twice, ...).
    """
    data = read_yaml(text, file)
    if not isinstance(data, dict):
        raise SourceError.single(file, "", "expected a mapping with a 'departments' list")
    try:
        entries = DepartmentFile.model_validate(data).departments
    except ValidationError as exc:
        raise SourceError(validation_problems(exc, file)) from None
    departments = [
        DepartmentRef(
            code=entry.code,
            abbreviation=entry.abbreviation.text(),
            name=entry.name.text(),
            other_codes=tuple(entry.other_codes),
            aliases_en=tuple(entry.aliases.en),
            aliases_fr=tuple(entry.aliases.fr),
            portal_organization=entry.portal_organization,
        )
        for entry in entries
    ]
    problems = [SourceProblem(file, where, what) for where, what in _clashes(departments)]
    if problems:
        raise SourceError(problems)
    return DepartmentTable(departments, file)


def _clashes(departments: list[DepartmentRef]) -> list[tuple[str, str]]:
    """Codes and abbreviations that stand for two departments."""
    problems: list[tuple[str, str]] = []
    codes: dict[str, str] = {}
    names: dict[tuple[str, str], str] = {}
    for dept in departments:
        where = f"departments[{dept.code}]"
        for code in (dept.code, *dept.other_codes):
            if code.casefold() in codes:
                problems.append(
                    (f"{where}.code", f"code {code!r} already used by {codes[code.casefold()]}")
                )
            codes[code.casefold()] = dept.code
        for lang in LANGUAGES:
            for name in dept.names_for(lang):
                key = (lang, _fold(name))
                if key in names and names[key] != dept.code:
                    problems.append(
                        (
                            f"{where}.abbreviation.{lang}",
                            f"{name!r} already stands for {names[key]}",
                        )
                    )
                names[key] = dept.code
    return problems


@cache
def load_departments(path: Path = DEFAULT_PATH) -> DepartmentTable:
    """A department table file (by default the bundled one), read once."""
    return read_departments(path.read_text(encoding="utf-8"), path.name)
