"""The command as an operator meets it, without a store: version, help, clean failures, logs."""

from __future__ import annotations

import json
import logging
import socket
import time
from pathlib import Path

import pytest

from graph.settings import DEFAULT_DATA_DIR, StoreSettings
from graph.store import unreachable_reason
from ogp_graph.cli import _short
from ogp_graph.logs import JsonFormatter
from tests.conftest import NAP_FILES, free_port
from tests.test_cli import ogp_graph

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store

#: what must never reach a user: Python reprs and driver internals
INTERNALS = ("Traceback", "ResolvedIPv4Address", "Errno", "OSError", "[bold")


def clean(text: str) -> None:
    for item in INTERNALS:
        assert item not in text, text


def test_version() -> None:
    result = ogp_graph("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("ogp-graph ") and result.stdout.strip() != "ogp-graph"


def test_help_shows_defaults_and_every_environment_setting() -> None:
    text = ogp_graph("serve", "--help").stdout
    for name in (
        "NEO4J_URI",
        "NEO4J_USER",
        "NEO4J_PASSWORD",
        "OGP_GRAPH_DATA_DIR",
        "OGP_GRAPH_CONNECT_TIMEOUT",
        "OGP_GRAPH_MAX_PAGE_SIZE",
        "OGP_GRAPH_MAX_DEPTH",
        "--root-path",
        "--forwarded-allow-ips",
        "--log-format",
    ):
        assert name in text or name in ogp_graph("--help").stdout, name
    assert "(default: 8000)" in text and "(default: 127.0.0.1)" in text
    assert str(DEFAULT_DATA_DIR) in " ".join(text.split())


def test_the_default_data_folder_is_per_user_not_per_working_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OGP_GRAPH_DATA_DIR", raising=False)
    assert StoreSettings().data_dir == DEFAULT_DATA_DIR
    assert DEFAULT_DATA_DIR.is_absolute()
    monkeypatch.setenv("OGP_GRAPH_DATA_DIR", "/somewhere/else")
    assert StoreSettings().data_dir == Path("/somewhere/else")


def test_a_port_in_use_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = ogp_graph("serve", "--port", str(port), "--data-dir", str(tmp_path / "data"))
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "serving" not in result.stderr and "store" not in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was started or created
    assert elapsed < 15  # the interpreter's start-up; no JVM, no dataset
    clean(result.stderr)


@pytest.mark.parametrize(
    ("folder", "words"),
    [
        ("file/sub", "not a directory"),
        ("/proc/ogp-graph/data", "cannot create the data folder"),
    ],
)
def test_an_unusable_data_folder_is_one_line(tmp_path: Path, folder: str, words: str) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = tmp_path / folder if not folder.startswith("/") else Path(folder)
    for command in (
        ["serve", "--port", str(free_port())],
        ["load", str(NAP_FILES["CAN-2025-2029"])],
    ):
        result = ogp_graph(*command, "--data-dir", str(target))
        assert result.returncode == 1
        assert words in result.stderr and str(target) in result.stderr
        clean(result.stderr)


def test_a_read_only_data_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.write_text("", encoding="utf-8")
            probe.unlink()
            pytest.skip("this user writes into read-only folders (root)")
        except OSError:
            pass
        result = ogp_graph("load", "--data-dir", str(folder), str(NAP_FILES["CAN-2025-2029"]))
        assert result.returncode == 1
        assert f"the data folder {folder} is not writable: permission denied" in result.stderr
        clean(result.stderr)
    finally:
        folder.chmod(0o755)


def test_a_store_that_does_not_answer_fails_fast_in_words() -> None:
    for uri, words in (
        (f"bolt://127.0.0.1:{free_port()}", "connection refused"),
        ("bolt://no-such-host.invalid:7687", "unknown host name"),
    ):
        started = time.monotonic()
        result = ogp_graph(
            "load", str(NAP_FILES["CAN-2025-2029"]), env={"NEO4J_URI": uri, "NEO4J_PASSWORD": "x"}
        )
        assert result.returncode == 1
        assert f"the graph store at {uri}" in result.stderr and words in result.stderr
        assert time.monotonic() - started < 20
        clean(result.stderr)


def test_a_failed_load_into_a_new_store_leaves_no_folder(tmp_path: Path) -> None:
    result = ogp_graph("load", "--data-dir", str(tmp_path / "new"), str(tmp_path / "missing.yaml"))
    assert result.returncode == 1 and "missing.yaml: no such file" in result.stderr
    assert not (tmp_path / "new").exists()


def test_driver_reasons_are_words() -> None:
    refused = OSError(
        "Couldn't connect to 127.0.0.1:1 (resolved to ('127.0.0.1:1',)):\n"
        "Failed to establish connection to ResolvedIPv4Address(('127.0.0.1', 1)) "
        "(reason [Errno 111] Connection refused)"
    )
    assert unreachable_reason(refused) == "connection refused: nothing listens there"
    assert unreachable_reason(OSError("[Errno 111] Connect call failed ('127.0.0.1', 1)")) == (
        "connection refused: nothing listens there"
    )
    assert unreachable_reason(RuntimeError("strange")) == "it does not answer"


def test_versions_lose_their_long_digest() -> None:
    digest = "8e32dcd32ce17877c5a8eb80b4e4514707d1a311d65357ba49efee889cbb7770"
    assert _short(digest) == "8e32dcd32ce1"
    assert _short(f"2026.1+{digest}") == "2026.1+8e32dcd32ce1"
    assert _short("3") == "3"


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("ogp_graph.app", logging.INFO, "x", 1, "hello %s", ("you",), None)
    record.request_id = "abc123"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello you" and line["level"] == "INFO"
    assert line["request_id"] == "abc123" and line["logger"] == "ogp_graph.app"
    plain = json.loads(
        JsonFormatter().format(logging.LogRecord("x", logging.WARNING, "x", 1, "m", None, None))
    )
    assert "request_id" not in plain


def test_log_format_json_writes_one_object_per_line() -> None:
    result = ogp_graph(
        "--log-format",
        "json",
        "load",
        str(NAP_FILES["CAN-2025-2029"]),
        env={"NEO4J_URI": f"bolt://127.0.0.1:{free_port()}"},
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    for line in lines:
        assert {"time", "level", "logger", "message"} <= json.loads(line).keys()
