"""Read a source from a path or an ``http(s)`` URL and tell what it is by its content.

Three kinds are known: the project's own dataset (YAML or JSON, see README),
a tracker definition of the Open Government Portal (YAML), and a tracker
records CSV. Which one a file is comes from what it holds, not its name.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from loaders.errors import SourceError, SourceProblem
from loaders.nap_definitions import NapDefinition, looks_like_definition, read_definition
from loaders.seed_dataset import SeedDataset, looks_like_seed_dataset, read_seed_dataset
from loaders.tracker_records import TrackerRow, looks_like_tracker_csv, read_tracker_rows

MAX_BYTES = 64 * 1024 * 1024
KNOWN = (
    "an ogp-graph dataset (YAML/JSON with `dataset` and `plans`), a tracker definition "
    "(YAML with resources[0].fields) or a tracker records CSV (with reporting_period and "
    "indicators columns)"
)


@dataclass(frozen=True)
class Source:
    """The raw content of one source and the name it is reported under."""

    name: str
    data: bytes


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


Parsed = SeedSource | DefinitionSource | TrackerSource


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
    text = _decode(source)
    if not text.strip():
        raise SourceError.single(source.name, "", f"is empty; expected {KNOWN}")
    if looks_like_tracker_csv(text):
        rows, problems = read_tracker_rows(text, source.name)
        return TrackerSource(source.name, text, rows, problems)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None  # each reader reports its own syntax errors with line and column
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
