"""Unit tests (no database) of how a source is found and recognised: by content, from a
file or a folder, each format one entry of the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import SourceError
from loaders.seed_dataset import bundled_dataset_path
from loaders.sources import (
    FOLDER_FORMATS,
    FORMATS,
    Content,
    DefinitionSource,
    SeedSource,
    Source,
    TrackerSource,
    known_formats,
    parse,
    read_location,
)
from loaders.tracker_records import REQUIRED_COLUMNS

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "canada-nap"
RECORDS = ",".join(REQUIRED_COLUMNS) + "\n2019-03,C01,C01.1,C01.1.1,SP,a,b,,,,\n"


def problems(location: str) -> list[tuple[str, str, str]]:
    with pytest.raises(SourceError) as info:
        read_location(location)
    return [(p.file, p.location, p.message) for p in info.value.problems]


def test_each_kind_of_file_is_recognised_by_its_content(tmp_path: Path) -> None:
    # names that say nothing: the content decides
    (tmp_path / "a.txt").write_text(RECORDS, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(bundled_dataset_path().read_bytes())
    (tmp_path / "c.txt").write_bytes((DATA / "nap6-2025-2029.yaml").read_bytes())
    kinds = [type(p) for p in read_location(str(tmp_path))]
    assert kinds == [TrackerSource, SeedSource, DefinitionSource]


def test_each_format_recognises_only_its_own_files() -> None:
    samples = {
        "records": Content("r.csv", RECORDS),
        "dataset": Content("d.yaml", bundled_dataset_path().read_text(encoding="utf-8")),
        "definition": Content("n.yaml", (DATA / "nap5-2022-2024.yaml").read_text("utf-8")),
    }
    recognised = {
        name: [i for i, fmt in enumerate(FORMATS) if fmt.recognises(content)]
        for name, content in samples.items()
    }
    position = {
        name: next(i for i, fmt in enumerate(FORMATS) if fmt.description.startswith(start))
        for name, start in (
            ("records", "a tracker records CSV"),
            ("dataset", "an ogp-graph dataset"),
            ("definition", "a tracker definition"),
        )
    }
    assert recognised == {name: [i] for name, i in position.items()}
    assert known_formats().count(", ") == len(FORMATS) + len(FOLDER_FORMATS) - 2
    assert " or " in known_formats()


def test_a_folder_gives_each_of_its_sources_and_leaves_out_documentation() -> None:
    parsed = read_location(str(DATA))  # the folder also holds README.md
    assert [p.name for p in parsed] == [
        "nap4-2018-2020.yaml",
        "nap5-2022-2024.yaml",
        "nap6-2025-2029.yaml",
    ]
    assert all(isinstance(p, DefinitionSource) for p in parsed)


def test_a_folder_reports_the_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text('{"hello": "world"}', encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("dataset: [unclosed\nplans: 1\n", encoding="utf-8")
    (tmp_path / ".hidden").write_text("anything", encoding="utf-8")
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "records.csv").write_text(RECORDS.replace("2019-03", "2019-3"), encoding="utf-8")
    (tmp_path / "ok.csv").write_text(RECORDS, encoding="utf-8")
    found = problems(str(tmp_path))
    assert [(file, where.split(",")[0]) for file, where, _ in found] == [
        ("broken.yaml", "line 2"),
        ("notes.json", ""),
    ]
    assert "is not a file ogp-graph knows" in found[1][2]
    # a record's own problems wait for the plan check, with the other records
    (parsed,) = [p for p in read_location(str(sub)) if isinstance(p, TrackerSource)]
    assert parsed.rows == [] and "'2019-3'" in parsed.problems[0].message


def test_an_empty_folder_and_a_missing_path(tmp_path: Path) -> None:
    assert problems(str(tmp_path)) == [(str(tmp_path), "", "is an empty folder")]
    assert problems(str(tmp_path / "nope.csv")) == [
        (str(tmp_path / "nope.csv"), "", "no such file")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\xff\xfe", "not UTF-8 (byte 0xff at offset 0)"),
        (b"just: [a, mapping]\n", "is not a file ogp-graph knows"),
    ],
)
def test_files_that_are_no_source(data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as info:
        parse(Source("x.yaml", data))
    (problem,) = info.value.problems
    assert problem.file == "x.yaml" and message in problem.message


def test_a_download_is_streamed_with_progress_and_refused_whole_when_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from loaders import sources

    (tmp_path / "big.csv").write_bytes(b"x" * 5000)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/big.csv"
    told: list[tuple[str, int, int | None]] = []
    token = sources.download_progress.set(lambda *seen: told.append(seen))
    try:
        assert sources.download(url) == b"x" * 5000
        assert told and told[-1] == (url, 5000, 5000)
        monkeypatch.setattr(sources, "MAX_BYTES", 4096)  # never cut short: refused
        with pytest.raises(SourceError, match="is larger than 4096 bytes"):
            sources.fetch(url)
    finally:
        sources.download_progress.reset(token)
        server.shutdown()
