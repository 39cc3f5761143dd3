"""The catalogue of real public sources ogp-graph can load, by name.

Each entry gives its canonical public address (or says why there is none) and where
the same file sits in a local folder laid out like the project's ``shared/data/``
(``ogp/...``, ``canada-nap/...``). Setting ``OGP_GRAPH_SOURCES_DIR`` to such a folder
makes :func:`location` answer the local copy (how the tests and offline users load);
without it, or when the folder lacks the file, the public address is used.

For the command line: :func:`catalogue` lists the entries, :func:`find` looks one up
(an unknown name is an error listing the known ones) and :func:`locations` turns names
into paths or URLs that ``ogp-graph load`` already accepts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SOURCES_DIR_VARIABLE = "OGP_GRAPH_SOURCES_DIR"

SHEET_ID = "15B3FBIjsfBAAe0oaeRi9MEfFzKa9TfjU7lNVRUOc3-M"
_G0V = (
    "https://raw.githubusercontent.com/g0v/ogp-commitments/0fbeb4bdfb75567c4a334857d4438c0918232ce5"
)
_EXPLORER = (
    "https://raw.githubusercontent.com/Vizzuality/ogp/"
    "69d32715baa422d62f8c19fdecd1a61d39ce511a/explorer/data/latest_data"
)
_CKAN = "https://raw.githubusercontent.com/open-data/ckanext-canada"


@dataclass(frozen=True)
class CatalogueEntry:
    """One public source."""

    name: str
    title: str
    #: ``file``: one file; ``folder``: a folder of files (locally) or an archive (online)
    kind: Literal["file", "folder"]
    #: where the same content sits under the local sources folder
    local_path: str
    #: the canonical public address, or ``None`` when there is no stable one
    url: str | None
    #: what to know about the address (pinned commit, no stable address, ...)
    note: str = ""
    licence: str = ""


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "ogp-commitments",
        "OGP's commitment data, the full sheet (all members, 6,000+ commitments)",
        "file",
        "ogp/commitments-2024/ogp-commitments-full.csv",
        f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/export?format=csv",
        "the CSV export of the 'OGP Commitments Data' sheet OGP links from its Data Dashboard; "
        "it changes as OGP updates it",
        "CC BY 4.0 (OGP)",
    ),
    CatalogueEntry(
        "ogp-commitments-subset",
        "OGP's commitment data, a subset (503 commitments of 70 members, 198 plans)",
        "file",
        "ogp/commitments-2024/ogp-commitments-2024-subset.csv",
        f"{_G0V}/open_parliament_0703.csv",
        "g0v/ogp-commitments at commit 0fbeb4bd",
        "CC BY 4.0 (OGP); none stated in the repository",
    ),
    CatalogueEntry(
        "ogp-explorer-2016",
        "OGP Explorer 2016: commitments with the IRM's ratings (1,927 of 61 countries)",
        "file",
        "ogp/explorer-2016/ogp-explorer-commitments-2016.csv",
        f"{_EXPLORER}/ogpirm_live_data.csv",
        "Vizzuality/ogp at commit 69d32715",
        "OGP/IRM data, licence not stated",
    ),
    CatalogueEntry(
        "ogp-process-2016",
        "IRM process data, July 2016: how each plan was co-created",
        "file",
        "ogp/explorer-2016/ogp-process-database-2016-07.csv",
        f"{_EXPLORER}/ogp_irm__OGP_Process_Database_July_2016__VERSION_TWO__modified_by_miska_04.csv",
        "Vizzuality/ogp at commit 69d32715",
        "OGP/IRM data, licence not stated",
    ),
    CatalogueEntry(
        "us-nap5-tracker",
        "United States: 5th National Action Plan tracker (open.usa.gov)",
        "folder",
        "ogp/us-nap5-tracker",
        "https://github.com/GSA/open.usa.gov/archive/refs/heads/gh-pages.zip",
        "the whole gh-pages branch of GSA/open.usa.gov as a zip; its _commitments/ and "
        "_subcommitments/ folders are read (the branch moves: the copy here is at deb38b92)",
        "CC0 / US public domain",
    ),
    CatalogueEntry(
        "canada-nap4",
        "Canada: 2018-2020 National Action Plan, the portal's tracker definition",
        "file",
        "canada-nap/nap4-2018-2020.yaml",
        None,
        "retired in October 2022: open-data/ckanext-canada, ckanext/canada/tables/nap.yaml at "
        "commit b07c198b (a commit, not a stable address: fetch it from the repository's history)",
        "Open Government Licence - Canada",
    ),
    CatalogueEntry(
        "canada-nap5",
        "Canada: 2022-2024 National Action Plan, the portal's tracker definition",
        "file",
        "canada-nap/nap5-2022-2024.yaml",
        f"{_CKAN}/master/ckanext/canada/tables/nap5.yaml",
        "the master branch: the file may change",
        "Open Government Licence - Canada",
    ),
    CatalogueEntry(
        "canada-nap6",
        "Canada: 2025-2029 National Action Plan, the portal's tracker definition",
        "file",
        "canada-nap/nap6-2025-2029.yaml",
        f"{_CKAN}/master/ckanext/canada/tables/nap6.yaml",
        "the master branch: the file may change",
        "Open Government Licence - Canada",
    ),
    CatalogueEntry(
        "ogp-co-chairs",
        "Facts: the partnership's co-chairs, 2011-2026",
        "file",
        "ogp/facts/co-chairs.csv",
        None,
        "no public address: transcribed for the project from public pages, each row naming its source",
    ),
    CatalogueEntry(
        "ogp-global-summits",
        "Facts: the nine Global Summits",
        "file",
        "ogp/facts/global-summits.csv",
        None,
        "no public address: transcribed for the project from public pages, each row naming its source",
    ),
    CatalogueEntry(
        "ogp-membership-events",
        "Facts: membership events (joins, withdrawals, suspensions)",
        "file",
        "ogp/facts/membership-events.csv",
        None,
        "no public address: transcribed for the project from public pages, each row naming its source",
    ),
)


class UnknownSource(KeyError):
    """A name the catalogue does not have."""

    def __init__(self, name: str) -> None:
        known = ", ".join(entry.name for entry in CATALOGUE)
        super().__init__(f"no source called {name!r} in the catalogue; known: {known}")
        self.name = name


class NotAvailable(LookupError):
    """A source with no public address and no local copy."""


def catalogue() -> tuple[CatalogueEntry, ...]:
    """Every source, in the order ``ogp-graph sources`` lists them."""
    return CATALOGUE


def find(name: str) -> CatalogueEntry:
    """The entry called ``name``; :class:`UnknownSource` lists the known names."""
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise UnknownSource(name)


def sources_dir(environ: dict[str, str] | None = None) -> Path | None:
    """The local sources folder ``OGP_GRAPH_SOURCES_DIR`` names, if set."""
    value = (environ if environ is not None else os.environ).get(SOURCES_DIR_VARIABLE, "").strip()
    return Path(value).expanduser() if value else None


def local_copy(entry: CatalogueEntry, folder: Path | None) -> Path | None:
    """The entry's file (or folder) under ``folder``, when it is there."""
    if folder is None:
        return None
    path = folder / entry.local_path
    return path if path.exists() else None


def location(name: str, folder: Path | None = None, *, offline: bool = False) -> str:
    """Where to read a source from: its local copy under ``folder`` (default: the
    ``OGP_GRAPH_SOURCES_DIR`` folder) if there, else its public address. ``offline``
    refuses the public address. :class:`NotAvailable` says why neither will do."""
    entry = find(name)
    folder = folder if folder is not None else sources_dir()
    path = local_copy(entry, folder)
    if path is not None:
        return str(path)
    if offline or entry.url is None:
        where = f"{folder / entry.local_path}" if folder is not None else f"${SOURCES_DIR_VARIABLE}"
        why = entry.note if entry.url is None else "offline"
        raise NotAvailable(f"{name}: not found at {where}; {why}")
    return entry.url


def locations(names: list[str], folder: Path | None = None, *, offline: bool = False) -> list[str]:
    """:func:`location` of each name, in order; every unknown or unavailable name is
    reported together (``LookupError`` with one line per name)."""
    result: list[str] = []
    problems: list[str] = []
    for name in names:
        try:
            result.append(location(name, folder, offline=offline))
        except (UnknownSource, NotAvailable) as exc:
            problems.append(str(exc.args[0]))
    if problems:
        raise LookupError("\n".join(problems))
    return result
