"""Institutions named in OGP's cells: split carefully, and Canada's matched to its departments.

A ``Lead Institution`` or ``Supporting Institution(s)`` cell is free text that may name
several institutions. Strong separators (line breaks, ``;``, bullets, numbered items)
always separate; a comma or a slash separates only when every piece it makes names an
institution on its own (``Department of Treasury, Department of Justice``), so that
``Ministry of Trade, Tourism and Telecommunications`` stays one. Canada's pieces are
matched against the departments of ``datasets/departments.yaml`` by abbreviation or
name, in English or French, and become those ``Department`` nodes; other members'
institutions are ``Department`` nodes of their member, keyed ``MEMBER:slug``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from loaders.departments import DepartmentTable, load_departments
from loaders.policy_areas import slug

#: cells that name no institution
EMPTY = {"", "na", "n/a", "nd", "nr", "unclear", "none", "-", "not specified", "tbd"}

_STRONG = re.compile(r"\s*(?:\n|;|•|●|·|\u2022|<br\s*/?>|(?:^|\s)\d{1,2}[.)]\s)\s*", re.IGNORECASE)
_INSTITUTION_WORDS = re.compile(
    r"\b(ministry|minister|ministerio|ministère|department|departamento|office|oficina|"
    r"agency|agencia|commission|comisión|council|consejo|authority|bureau|parliament|"
    r"assembly|asamblea|congress|congreso|senate|senado|chamber|cámara|service|servicio|"
    r"bank|banco|court|tribunal|secretariat|secretaría|secretaria|institute|instituto|"
    r"directorate|dirección|government|gobierno|administration|treasury|unit|unidad|"
    r"auditor|ombudsman|commissioner|centre|center|board|committee|municipality|city|"
    r"canada|president|presidency|prime minister)\b",
    re.IGNORECASE,
)


def _clean(piece: str) -> str:
    piece = re.sub(r"<[^>]+>", " ", piece)
    piece = " ".join(piece.split()).strip(" .,:-–—")
    return piece


def _is_institution(piece: str) -> bool:
    return bool(_INSTITUTION_WORDS.search(piece))


def _split_soft(piece: str, separator: str) -> list[str]:
    parts = [_clean(p) for p in re.split(separator, piece)]
    parts = [p for p in parts if p]
    if len(parts) > 1 and all(_is_institution(p) for p in parts):
        return parts
    return [piece]


def split_institutions(cell: str) -> list[str]:
    """The institutions a cell names, in order, each once (an empty list for NA and the like)."""
    return list(_split_institutions(cell))


@lru_cache(maxsize=8192)
def _split_institutions(cell: str) -> tuple[str, ...]:
    if cell.strip().casefold() in EMPTY:
        return ()
    names: list[str] = []
    for strong in _STRONG.split(cell):
        piece = _clean(strong)
        if piece.casefold() in EMPTY or not piece:
            continue
        for part in _split_soft(piece, r",\s+"):
            names.extend(_split_soft(part, r"\s*/\s*(?![^()]*\))"))
    return tuple(dict.fromkeys(names))


@lru_cache(maxsize=16384)
def institution_key(member: str, name: str) -> str:
    """The key of a member's institution: ``ALB:council-of-ministers`` (long names get a digest)."""
    full = slug(name, len(name) + 1)
    base = full[:60].rstrip("-")
    if len(full) > 60:
        base += "-" + hashlib.sha1(name.casefold().encode()).hexdigest()[:8]
    return f"{member}:{base or 'unnamed'}"


# --- Canada -------------------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(w for w in text.split() if w not in ("the", "le", "la", "les"))


_PREFIXES = ("department of ", "ministere de ", "ministere des ", "ministere du ")


def _variants(name: str) -> set[str]:
    folded = _fold(name)
    result = {folded}
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            result.add(folded[len(prefix) :])
    result |= {v.removesuffix(" canada") for v in result}
    result |= {v.removesuffix(" of canada") for v in result}
    result |= {v.replace(" of canada ", " ") for v in result}
    return {v for v in result if v}


@dataclass(frozen=True)
class CanadaMatcher:
    """Canada's departments by every folded form of their names and abbreviations."""

    index: dict[str, str]

    def match(self, piece: str) -> str | None:
        """The department code a piece names, if any."""
        for candidate in (piece, re.sub(r"\([^)]*\)", " ", piece)):
            for variant in _variants(candidate):
                if variant in self.index:
                    return self.index[variant]
        for inner in re.findall(r"\(([^)]+)\)", piece):
            code = self.index.get(_fold(inner))
            if code is not None:
                return code
        return None


def canada_matcher(table: DepartmentTable | None = None) -> CanadaMatcher:
    """A matcher over the bundled department table (or ``table``)."""
    return _matcher(table) if table is not None else _bundled_matcher()


@cache
def _bundled_matcher() -> CanadaMatcher:
    return _matcher(load_departments())


def _matcher(table: DepartmentTable) -> CanadaMatcher:
    index: dict[str, str] = {}
    for dept in table:
        names = [dept.abbreviation.en, dept.abbreviation.fr, dept.name.en, dept.name.fr]
        names += [*dept.aliases_en, *dept.aliases_fr]
        for name in names:
            if name:
                for variant in _variants(name):
                    index.setdefault(variant, dept.code)
    return CanadaMatcher(index)


def canada_institutions(cell: str, matcher: CanadaMatcher) -> tuple[list[str], list[str]]:
    """Department codes a Canadian cell names, and the pieces that match no department.

    A piece that matches nothing whole is split on ``and`` and commas, and kept split
    only when every part then matches a department.
    """
    codes: list[str] = []
    unmatched: list[str] = []
    for piece in split_institutions(cell):
        code = matcher.match(piece)
        if code is not None:
            codes.append(code)
            continue
        parts = [_clean(p) for p in re.split(r",\s+|\s+and\s+|\s+et\s+", piece)]
        found = [matcher.match(p) for p in parts if p]
        if len(found) > 1 and all(found):
            codes.extend(c for c in found if c)
        else:
            unmatched.append(piece)
    return list(dict.fromkeys(codes)), unmatched
