"""The source catalogue: names, public addresses, and the local folder setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.catalogue import (
    SOURCES_DIR_VARIABLE,
    UnknownSource,
    catalogue,
    find,
    location,
    locations,
    sources_dir,
)
from tests.partnership_data import OGP_DIR

SHARED_DATA = OGP_DIR.parent


def test_every_source_has_a_public_address_or_says_why_not() -> None:
    names = [entry.name for entry in catalogue()]
    assert len(names) == len(set(names))
    assert {
        "ogp-commitments",
        "ogp-commitments-subset",
        "ogp-explorer-2016",
        "us-nap5-tracker",
    } <= set(names)
    assert {"canada-nap4", "canada-nap5", "canada-nap6"} <= set(names)
    for entry in catalogue():
        assert entry.url is None or entry.url.startswith("https://"), entry
        if entry.url is None:
            assert entry.note, entry
    assert "15B3FBIjsfBAAe0oaeRi9MEfFzKa9TfjU7lNVRUOc3-M" in (find("ogp-commitments").url or "")


def test_the_shared_folder_holds_every_local_copy_but_the_full_sheet() -> None:
    for entry in catalogue():
        present = (SHARED_DATA / entry.local_path).exists()
        assert present == (entry.name != "ogp-commitments"), entry.name


def test_local_folder_setting_wins_over_the_public_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCES_DIR_VARIABLE, str(SHARED_DATA))
    assert sources_dir() == SHARED_DATA
    assert location("ogp-commitments-subset") == str(
        SHARED_DATA / "ogp/commitments-2024/ogp-commitments-2024-subset.csv"
    )
    assert Path(location("us-nap5-tracker")).is_dir()
    # not in the folder: the public address
    assert location("ogp-commitments").startswith("https://docs.google.com/")
    with pytest.raises(LookupError, match="ogp-commitments: not found"):
        locations(["ogp-commitments-subset", "ogp-commitments"], offline=True)


def test_without_the_setting_addresses_and_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SOURCES_DIR_VARIABLE, raising=False)
    assert location("canada-nap5").endswith("/nap5.yaml")
    with pytest.raises(LookupError) as caught:
        locations(["ogp-co-chairs", "atlantis"])
    text = str(caught.value)
    assert "ogp-co-chairs: not found" in text and "no public address" in text
    assert "no source called 'atlantis'" in text and "known: ogp-commitments" in text
    with pytest.raises(UnknownSource):
        find("atlantis")


def test_the_sources_command_lists_every_name_and_where_it_loads_from(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ogp_graph.cli import main

    monkeypatch.delenv(SOURCES_DIR_VARIABLE, raising=False)
    assert main(["sources"]) == 0
    online = capsys.readouterr().out
    for entry in catalogue():
        assert f"{entry.name}\n  {entry.title}\n" in online
        assert (entry.url or "no stable public address") in online
    assert f"${SOURCES_DIR_VARIABLE} is not set" in online

    monkeypatch.setenv(SOURCES_DIR_VARIABLE, str(SHARED_DATA))
    assert main(["sources"]) == 0
    offline = capsys.readouterr().out
    subset = find("ogp-commitments-subset")
    assert f"local copy: {SHARED_DATA / subset.local_path}" in offline
    assert "is not set" not in offline
