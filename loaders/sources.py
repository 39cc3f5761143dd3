"""Read sources from a path, a folder or an ``http(s)`` URL and tell what each is by its
content.

A name of the source catalogue (:mod:`loaders.catalogue`) stands for its local copy or
public address. The formats ogp-graph knows are the entries of :data:`FORMATS`, tried in order: each says
how to recognise a file (from its text, its YAML or its CSV header, never its name) and
how to read it. A new format is one more entry. A folder is read file by file (and
sub-folder by sub-folder), unless a format of :data:`FOLDER_FORMATS` recognises the
folder as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
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
from loaders.text import csv_header, decode_utf8
from loaders.tracker_records import TrackerRow, read_tracker_rows
from loaders.us_tracker import UsTracker, looks_like_us_tracker_page, read_us_tracker
from loaders.yaml_reader import read_yaml

MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """The raw content of one source and the name it is reported under."""

    name: str
    data: bytes


class Content:
    """The text of a source, and the views of it that formats are recognised by."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    @cached_property
    def yaml(self) -> object:
        """The text parsed as YAML (or JSON), or ``None`` if it is not valid YAML."""
        try:
            return yaml.safe_load(self.text)
        except yaml.YAMLError:
            return None

    @cached_property
    def csv_header(self) -> list[str]:
        """The names of the first CSV row, trimmed and in lower case (``[]`` if none)."""
        return csv_header(self.text)


# --- what reading a source gives -------------------------------------------------------


@dataclass(frozen=True)
class ParsedSource:
    """A source read and checked by its format; ``name`` is what errors call it."""

    name: str


@dataclass(frozen=True)
class SeedSource(ParsedSource):
    """A parsed ogp-graph dataset."""

    dataset: SeedDataset


@dataclass(frozen=True)
class DefinitionSource(ParsedSource):
    """A parsed tracker definition."""

    definition: NapDefinition


@dataclass(frozen=True)
class TrackerSource(ParsedSource):
    """Parsed tracker records; checked against their plan once the plans are known."""

    text: str
    rows: list[TrackerRow]
    #: problems of malformed records, reported with those of the plan check
    problems: list[SourceProblem]


@dataclass(frozen=True)
class OgpCommitmentsSource(ParsedSource):
    """OGP's commitment data, checked."""

    data: OgpCommitmentData


@dataclass(frozen=True)
class ExplorerSource(ParsedSource):
    """The 2016 OGP Explorer's commitments, checked (which plans to skip is decided later)."""

    data: ExplorerData


@dataclass(frozen=True)
class ProcessSource(ParsedSource):
    """The IRM's 2016 process data, checked."""

    plans: list[ProcessPlan]


@dataclass(frozen=True)
class UsTrackerSource(ParsedSource):
    """The US 5th plan tracker's pages, checked."""

    tracker: UsTracker


@dataclass(frozen=True)
class PartnershipSource(ParsedSource):
    """A partnership dataset, checked."""

    dataset: PartnershipDataset


@dataclass(frozen=True)
class FactsSource(ParsedSource):
    """A facts table (co-chairs, summits, membership events): recognised, not loaded; the
    bundled partnership dataset is its graph form."""

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


# --- the formats -----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFormat:
    """One kind of file ogp-graph can load."""

    #: what the file is and how it is recognised, for the message of an unknown file
    description: str
    recognises: Callable[[Content], bool]
    #: read and check the file; raises :class:`SourceError` with every problem
    read: Callable[[Content], ParsedSource]


@dataclass(frozen=True)
class FolderFormat:
    """A kind of source that is a whole folder of files read together."""

    description: str
    recognises: Callable[[Path], bool]
    read: Callable[[Path], ParsedSource]


def _tracker_records(content: Content) -> TrackerSource:
    rows, problems = read_tracker_rows(content.text, content.name)
    return TrackerSource(content.name, content.text, rows, problems)


def _us_tracker_page(content: Content) -> ParsedSource:
    raise SourceError.single(
        content.name, "", "is one page of the US tracker: load its folder or zip archive"
    )


def _facts(kind: str) -> Callable[[Content], ParsedSource]:
    return lambda content: FactsSource(content.name, kind)


FORMATS: tuple[SourceFormat, ...] = (
    SourceFormat(
        "a tracker records CSV (with reporting_period and indicators columns)",
        lambda content: {"reporting_period", "indicators"} <= set(content.csv_header),
        _tracker_records,
    ),
    SourceFormat(
        "OGP's commitment data (CSV)",
        lambda content: looks_like_ogp_commitments(content.text),
        lambda c: OgpCommitmentsSource(c.name, read_ogp_commitments(c.text, c.name)),
    ),
    SourceFormat(
        "the 2016 OGP Explorer's commitments (CSV)",
        lambda content: looks_like_explorer_commitments(content.text),
        lambda c: ExplorerSource(c.name, read_explorer_commitments(c.text, c.name)),
    ),
    SourceFormat(
        "the IRM's 2016 process data (CSV)",
        lambda content: looks_like_process_data(content.text),
        lambda c: ProcessSource(c.name, read_process_data(c.text, c.name)[1]),
    ),
    SourceFormat(
        "a facts table of co-chairs (CSV)",
        lambda content: looks_like_co_chairs(content.text),
        _facts("co-chairs"),
    ),
    SourceFormat(
        "a facts table of summits (CSV)",
        lambda content: looks_like_summits(content.text),
        _facts("summits"),
    ),
    SourceFormat(
        "a facts table of membership events (CSV)",
        lambda content: looks_like_membership_events(content.text),
        _facts("membership events"),
    ),
    SourceFormat(
        "a page of the US tracker (load its folder or zip archive)",
        lambda content: looks_like_us_tracker_page(content.text),
        _us_tracker_page,
    ),
    SourceFormat(
        "a partnership dataset (YAML with `dataset` and `members`)",
        lambda content: looks_like_partnership_dataset(content.yaml),
        lambda c: PartnershipSource(c.name, read_partnership_dataset(c.text, c.name)),
    ),
    SourceFormat(
        "an ogp-graph dataset (YAML/JSON with `dataset` and `plans`)",
        lambda content: looks_like_seed_dataset(content.yaml),
        lambda content: SeedSource(content.name, read_seed_dataset(content.text, content.name)),
    ),
    SourceFormat(
        "a tracker definition (YAML with resources[0].fields)",
        lambda content: looks_like_definition(content.yaml),
        lambda content: DefinitionSource(content.name, read_definition(content.text, content.name)),
    ),
)


def _is_us_tracker_folder(path: Path) -> bool:
    return (path / "_commitments").is_dir() or (path / "_subcommitments").is_dir()


FOLDER_FORMATS: tuple[FolderFormat, ...] = (
    FolderFormat(
        "the US tracker (a folder or zip archive with _commitments/ and _subcommitments/)",
        _is_us_tracker_folder,
        lambda path: UsTrackerSource(path.name, read_us_tracker(path, path.name)),
    ),
)

#: files of a folder that are not sources (documentation, hidden files)
_NOT_SOURCES = ("README", "LICENSE", "LICENCE")


def known_formats() -> str:
    """The formats, listed for a message: ``a ..., a ... or a ...``."""
    names = [f.description for f in FORMATS] + [f.description for f in FOLDER_FORMATS]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


# --- reading ---------------------------------------------------------------------------


#: told ``(url, bytes so far, total or None)`` as a download goes (the command line's bar)
DownloadProgress = Callable[[str, int, int | None], None]
download_progress: ContextVar[DownloadProgress | None] = ContextVar(
    "download_progress", default=None
)


def _too_large(location: str) -> SourceError:
    return SourceError.single(location, "", f"is larger than {MAX_BYTES} bytes")


def download(url: str, timeout: float = 30.0) -> bytes:
    """The bytes at an ``http(s)`` URL, streamed: refused as soon as they pass
    :data:`MAX_BYTES` (never cut short), progress told to :data:`download_progress`."""
    report = download_progress.get()
    chunks: list[bytes] = []
    received = 0
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length") or 0) or None
            if total is not None and total > MAX_BYTES:
                raise _too_large(url)
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > MAX_BYTES:
                    raise _too_large(url)
                chunks.append(chunk)
                if report is not None:
                    report(url, received, total)
    except httpx.HTTPError as exc:
        raise SourceError.single(url, "", f"cannot download it: {exc}") from exc
    return b"".join(chunks)


def fetch(location: str, timeout: float = 30.0) -> Source:
    """The bytes at a path or an ``http(s)`` URL."""
    if location.startswith(("http://", "https://")):
        return Source(location, download(location, timeout))
    path = Path(location)
    try:
        if path.is_dir():
            raise SourceError.single(location, "", "is a folder, not a file")
        if path.stat().st_size > MAX_BYTES:
            raise _too_large(location)
        return Source(path.name, path.read_bytes())
    except FileNotFoundError as exc:
        raise SourceError.single(location, "", "no such file") from exc
    except OSError as exc:
        raise SourceError.single(location, "", f"cannot read it: {exc.strerror}") from exc


def parse(source: Source) -> ParsedSource:
    """Recognise and read one source; ``SourceError`` lists every problem in it."""
    if source.data.startswith(b"PK\x03\x04"):  # a zip archive: the US tracker's
        return UsTrackerSource(source.name, read_us_tracker(source.data, source.name))
    content = Content(source.name, decode_utf8(source.data, source.name))
    if not content.text.strip():
        raise SourceError.single(source.name, "", f"is empty; expected {known_formats()}")
    for fmt in FORMATS:
        if fmt.recognises(content):
            return fmt.read(content)
    read_yaml(content.text, source.name)  # bad YAML: say where, rather than "unknown"
    raise SourceError.single(
        source.name, "", f"is not a file ogp-graph knows; expected {known_formats()}"
    )


def read_location(location: str) -> list[ParsedSource]:
    """Every source at a path, a folder or an ``http(s)`` URL, read and checked.

    A folder gives each of its files and sub-folders (in name order; hidden files and
    documentation such as ``README.md`` are left out), or one source where a folder
    format recognises it. ``SourceError`` lists the problems of every file at once.
    """
    path = Path(location)
    remote = location.startswith(("http://", "https://"))
    if not remote and not path.exists():
        named = _catalogued(location)
        if named is not None:
            return read_location(named)
    if remote or not path.is_dir():
        return [parse(fetch(location))]
    for fmt in FOLDER_FORMATS:
        if fmt.recognises(path):
            return [fmt.read(path)]
    entries = sorted(
        entry
        for entry in path.iterdir()
        if not entry.name.startswith(".")
        and not entry.name.upper().startswith(_NOT_SOURCES)
        and entry.suffix.lower() != ".md"
    )
    if not entries:
        raise SourceError.single(location, "", "is an empty folder")
    parsed: list[ParsedSource] = []
    problems: list[SourceProblem] = []
    for entry in entries:
        try:
            parsed.extend(read_location(str(entry)))
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    return parsed


def _catalogued(name: str) -> str | None:
    """Where the catalogue's source ``name`` is (its local copy or its address), if it is one."""
    from loaders.catalogue import NotAvailable, UnknownSource, location

    try:
        return location(name)
    except UnknownSource:
        return None
    except NotAvailable as exc:
        raise SourceError.single(name, "", str(exc)) from exc
