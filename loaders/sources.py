"""Read a source from a path or an ``http(s)`` URL and tell what it is by its content.

Three kinds are known: the project's own dataset (YAML or JSON, see README),
a tracker definition of the Open Government Portal (YAML), and a tracker
records CSV. Which one a file is comes from what it holds, not its name.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from loaders.errors import SourceError, SourceProblem
from loaders.explorer_2016 import (
    ExplorerData,
    ProcessPlan,
    looks_like_explorer_commitments,
    looks_like_process_data,
    read_explorer_commitments,
    read_process_data,
)
from loaders.facts import looks_like_co_chairs, looks_like_membership_events, looks_like_summits
from loaders.nap_definitions import NapDefinition, looks_like_definition, read_definition
from loaders.ogp_commitments import (
    OgpCommitmentData,
    looks_like_ogp_commitments,
    read_ogp_commitments,
)
from loaders.partnership_dataset import (
    PartnershipDataset,
    looks_like_partnership_dataset,
    read_partnership_dataset,
)
from loaders.seed_dataset import SeedDataset, looks_like_seed_dataset, read_seed_dataset
from loaders.tracker_records import TrackerRow, looks_like_tracker_csv, read_tracker_rows
from loaders.us_tracker import UsTracker, looks_like_us_tracker_page, read_us_tracker

MAX_BYTES = 64 * 1024 * 1024
KNOWN = (
    "an ogp-graph dataset (YAML/JSON with `dataset` and `plans`), a tracker definition "
    "(YAML with resources[0].fields) or a tracker records CSV (with reporting_period and "
    "indicators columns), a partnership dataset (YAML with `dataset` and `members`), OGP's "
    "commitment data (CSV), the 2016 OGP Explorer's commitments or process data (CSV), the US "
    "tracker (a folder or zip archive with _commitments/ and _subcommitments/)"
)
#: files of a folder that are read (anything else in it, such as a README, is left alone)
FOLDER_FILES = (".csv", ".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Source:
    """The raw content of one source and the name it is reported under."""

    name: str
    data: bytes
    #: a folder read as one source (the US tracker's pages)
    folder: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SeedSource:
    """A parsed ogp-graph dataset."""

    name: str
    dataset: SeedDataset


@dataclass(frozen=True)
class DefinitionSource:
    """A parsed tracker definition."""

    name: str
    definition: NapDefinition


@dataclass(frozen=True)
class TrackerSource:
    """Parsed tracker records; checked against their plan once the plans are known."""

    name: str
    text: str
    rows: list[TrackerRow]
    #: problems of malformed records, reported with those of the plan check
    problems: list[SourceProblem]


@dataclass(frozen=True)
class OgpCommitmentsSource:
    """OGP's commitment data, checked."""

    name: str
    data: OgpCommitmentData


@dataclass(frozen=True)
class ExplorerSource:
    """The 2016 OGP Explorer's commitments, checked (which plans to skip is decided later)."""

    name: str
    data: ExplorerData


@dataclass(frozen=True)
class ProcessSource:
    """The IRM's 2016 process data, checked."""

    name: str
    plans: list[ProcessPlan]


@dataclass(frozen=True)
class UsTrackerSource:
    """The US 5th plan tracker's pages, checked."""

    name: str
    tracker: UsTracker


@dataclass(frozen=True)
class PartnershipSource:
    """A partnership dataset, checked."""

    name: str
    dataset: PartnershipDataset


@dataclass(frozen=True)
class FactsSource:
    """A facts table (co-chairs, summits, membership events): recognised, not loaded; the
    bundled partnership dataset is its graph form."""

    name: str
    kind: str


Parsed = (
    SeedSource
    | DefinitionSource
    | TrackerSource
    | OgpCommitmentsSource
    | ExplorerSource
    | ProcessSource
    | UsTrackerSource
    | PartnershipSource
    | FactsSource
)


def _is_us_tracker_folder(path: Path) -> bool:
    return (path / "_commitments").is_dir() or (path / "_subcommitments").is_dir()


def expand(location: str) -> list[str]:
    """A folder becomes the sources in it (file by file, and the US tracker's folder as one);
    anything else is itself."""
    path = Path(location)
    if not location.startswith(("http://", "https://")) and not path.exists():
        named = _catalogued(location)
        if named is not None:
            return expand(named)
    if location.startswith(("http://", "https://")) or not path.is_dir():
        return [location]
    if _is_us_tracker_folder(path):
        return [location]
    found: list[str] = []
    for child in sorted(path.iterdir()):
        if child.is_dir():
            found += expand(str(child)) if not child.name.startswith(".") else []
        elif child.suffix.lower() in FOLDER_FILES:
            found.append(str(child))
    return found


def fetch(location: str, timeout: float = 30.0) -> Source:
    """The bytes at a path or an ``http(s)`` URL."""
    if location.startswith(("http://", "https://")):
        try:
            response = httpx.get(location, timeout=timeout, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SourceError.single(location, "", f"cannot download it: {exc}") from exc
        return Source(location, response.content[:MAX_BYTES])
    path = Path(location)
    try:
        if path.is_dir():
            if _is_us_tracker_folder(path):
                return Source(path.name, b"", folder=path)
            raise SourceError.single(location, "", "is a folder, not a file")
        if path.stat().st_size > MAX_BYTES:
            raise SourceError.single(location, "", f"is larger than {MAX_BYTES} bytes")
        return Source(path.name, path.read_bytes())
    except FileNotFoundError as exc:
        raise SourceError.single(location, "", "no such file") from exc
    except OSError as exc:
        raise SourceError.single(location, "", f"cannot read it: {exc.strerror}") from exc


def _decode(source: Source) -> str:
    data = source.data
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError.single(source.name, f"byte {exc.start}", "is not UTF-8 text") from exc


def parse(source: Source) -> Parsed:
    """Recognise and parse one source; ``SourceError`` lists every problem in it."""
    if source.folder is not None:
        return UsTrackerSource(source.name, read_us_tracker(source.folder, source.name))
    if source.data.startswith(b"PK\x03\x04"):  # a zip archive: the US tracker's
        return UsTrackerSource(source.name, read_us_tracker(source.data, source.name))
    text = _decode(source)
    if not text.strip():
        raise SourceError.single(source.name, "", f"is empty; expected {KNOWN}")
    if looks_like_tracker_csv(text):
        rows, problems = read_tracker_rows(text, source.name)
        return TrackerSource(source.name, text, rows, problems)
    partnership = _partnership_csv(source.name, text)
    if partnership is not None:
        return partnership
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None  # each reader reports its own syntax errors with line and column
    if looks_like_partnership_dataset(data):
        return PartnershipSource(source.name, read_partnership_dataset(text, source.name))
    if looks_like_seed_dataset(data):
        return SeedSource(source.name, read_seed_dataset(text, source.name))
    if looks_like_definition(data):
        return DefinitionSource(source.name, read_definition(text, source.name))
    if data is None:
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise SourceError.single(source.name, where, f"is not valid YAML: {exc}") from exc
    raise SourceError.single(source.name, "", f"is not a file ogp-graph knows; expected {KNOWN}")


def _partnership_csv(name: str, text: str) -> Parsed | None:
    """The partnership's CSV formats (and a lone US tracker page), by their content."""
    if looks_like_ogp_commitments(text):
        return OgpCommitmentsSource(name, read_ogp_commitments(text, name))
    if looks_like_explorer_commitments(text):
        return ExplorerSource(name, read_explorer_commitments(text, name))
    if looks_like_process_data(text):
        return ProcessSource(name, read_process_data(text, name)[1])
    for kind, test in (
        ("co-chairs", looks_like_co_chairs),
        ("summits", looks_like_summits),
        ("membership events", looks_like_membership_events),
    ):
        if test(text):
            return FactsSource(name, kind)
    if looks_like_us_tracker_page(text):
        raise SourceError.single(
            name, "", "is one page of the US tracker: load its folder or zip archive"
        )
    return None


def _catalogued(name: str) -> str | None:
    """Where the catalogue's source ``name`` is (its local copy or its address), if it is one."""
    from loaders.catalogue import NotAvailable, UnknownSource, location

    try:
        return location(name)
    except UnknownSource:
        return None
    except NotAvailable as exc:
        raise SourceError.single(name, "", str(exc)) from exc
