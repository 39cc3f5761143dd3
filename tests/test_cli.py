"""The ``ogp-graph`` command as a person runs it: serve, load, errors, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import NAP_FILES, GraphQLClient, free_port

pytestmark = pytest.mark.store  # the embedded store (a JVM) and the app

BAD_SEED = """\
dataset: {name: broken, version: "1", description: {en: x, fr: y}}
partnership: []
countries:
  - code: CAN
    name: {en: Canada}
plans:
  - key: CAN-2030-2032
    country: CAN
    ordinal: 1
    startYear: "soon"
    endYear: 2032
"""


def ogp_graph(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run the command as installed (``python -m ogp_graph.cli``) and capture what it says."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ogp_graph.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        check=False,
    )


def count(gql: GraphQLClient, field: str) -> int:
    return gql.data(f"{{ {field} {{ count }} }}")[field]["count"]


def test_load_into_the_running_store_is_idempotent(
    gql: GraphQLClient, data_dir: Path, tracker_csv: Path
) -> None:
    before = count(gql, "progressUpdatesAggregate")
    result = ogp_graph(
        "load", "--data-dir", str(data_dir), str(tracker_csv), str(NAP_FILES["CAN-2022-2024"])
    )
    assert result.returncode == 0, result.stderr
    assert "using the embedded store that is running" in result.stderr
    assert "created 0 nodes" in result.stdout and "updated 0" in result.stdout
    assert count(gql, "progressUpdatesAggregate") == before


def test_an_invalid_file_names_file_entry_and_field_and_writes_nothing(
    gql: GraphQLClient, data_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD_SEED, encoding="utf-8")
    plans_before = count(gql, "plansAggregate")
    result = ogp_graph("load", "--data-dir", str(data_dir), str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "broken.yaml" in result.stderr
    assert "countries[0].name.fr" in result.stderr  # a missing translation
    assert "plans[0].startYear" in result.stderr  # a wrong type
    assert "nothing was written" in result.stderr
    assert count(gql, "plansAggregate") == plans_before


def test_bad_yaml_and_unknown_files_are_refused_with_where_and_what(
    data_dir: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("dataset: [unclosed\nplans: 1\n", encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}', encoding="utf-8")
    result = ogp_graph(
        "load", "--data-dir", str(data_dir), str(broken), str(other), str(tmp_path / "missing.csv")
    )
    assert result.returncode == 1
    assert "broken.yaml: line" in result.stderr
    assert "other.json" in result.stderr and "is not a file ogp-graph knows" in result.stderr
    assert "missing.csv" in result.stderr and "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_tracker_csv_lists_every_bad_row(
    gql: GraphQLClient, data_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "records.csv"
    bad.write_text(
        "reporting_period,commitments,milestones,indicators,status,progress_en,progress_fr,"
        "evidence_en,evidence_fr,challenges_en,challenges_fr\n"
        "2023-03,C01,C01.1,C01.1.1,SP,a,b,,,,\n"
        "2023-03,C01,C01.1,C09.9.9,SP,a,b,,,,\n"
        "2023-03,C01,C01.1,C01.1.2,XX,a,b,,,,\n"
        "2023-03,C01,C01.1,C01.1.1,SP,again,b,,,,\n",
        encoding="utf-8",
    )
    before = count(gql, "progressUpdatesAggregate")
    result = ogp_graph("load", "--data-dir", str(data_dir), str(bad))
    assert result.returncode == 1, result.stdout
    assert "records.csv: line 3" in result.stderr and "C09.9.9" in result.stderr
    assert "records.csv: line 4" in result.stderr and "XX" in result.stderr
    assert "line 5" in result.stderr  # the duplicate of line 2
    assert count(gql, "progressUpdatesAggregate") == before


def test_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    dry = ogp_graph("load", "--data-dir", str(data), "--dry-run", str(NAP_FILES["CAN-2025-2029"]))
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nap:CAN-2025-2029" in dry.stdout and "would create" in dry.stdout
    real = ogp_graph("load", "--data-dir", str(data), str(NAP_FILES["CAN-2025-2029"]))
    assert real.returncode == 0, real.stderr
    created = real.stdout.split("created ")[1].split(" nodes")[0]
    assert f"would create {created} nodes" in dry.stdout  # the dry run found them all new
    again = ogp_graph("load", "--data-dir", str(data), str(NAP_FILES["CAN-2025-2029"]))
    assert "created 0 nodes, updated 0" in again.stdout


def test_an_unreachable_store_is_reported_plainly(tmp_path: Path) -> None:
    result = ogp_graph(
        "load",
        str(NAP_FILES["CAN-2025-2029"]),
        env={"NEO4J_URI": f"bolt://127.0.0.1:{free_port()}", "NEO4J_PASSWORD": "x"},
    )
    assert result.returncode == 1
    assert "unreachable" in result.stderr and "Traceback" not in result.stderr


def test_a_wrong_store_address_is_refused_at_start_up() -> None:
    result = ogp_graph("load", "x.yaml", env={"NEO4J_URI": "http://example.org"})
    assert result.returncode == 1
    assert "NEO4J_URI" in result.stderr and "bolt://" in result.stderr


def _serve(data: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ogp_graph.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )


def _wait_healthy(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("serve did not become healthy")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT as Ctrl-C is a POSIX test")
def test_serve_stops_on_ctrl_c_and_restarts_on_the_same_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    first = _serve(data, port)
    _wait_healthy(port, first)
    client = GraphQLClient(f"http://127.0.0.1:{port}")
    plans = client.data("{ plansAggregate { count } reportsAggregate { count } }")
    assert plans == {"plansAggregate": {"count": 4}, "reportsAggregate": {"count": 6}}
    first.send_signal(signal.SIGINT)
    output, _ = first.communicate(timeout=60)
    assert first.returncode == 0, output
    assert "embedded store stopped" in output
    assert not (data / "embedded-store.json").exists()

    second = _serve(data, port)
    try:
        _wait_healthy(port, second)
        again = client.data("{ plansAggregate { count } reportsAggregate { count } }")
        assert again == plans  # the data was reused: no duplicates
    finally:
        second.send_signal(signal.SIGINT)
        output, _ = second.communicate(timeout=60)
    assert "is already loaded" in output
    assert second.returncode == 0


def test_load_from_an_http_url(gql: GraphQLClient, data_dir: Path, tracker_csv: Path) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tracker_csv.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        loaded = ogp_graph("load", "--data-dir", str(data_dir), f"{base}/{tracker_csv.name}")
        assert loaded.returncode == 0, loaded.stderr
        assert "tracker:CAN-2022-2024" in loaded.stdout and "created 0 nodes" in loaded.stdout
        missing = ogp_graph("load", "--data-dir", str(data_dir), f"{base}/nothing-here.csv")
        assert missing.returncode == 1
        assert "nothing-here.csv: cannot download it" in missing.stderr and "404" in missing.stderr
    finally:
        server.shutdown()


def test_several_workers_share_one_embedded_store(tmp_path: Path) -> None:
    port = free_port()
    process = _serve(tmp_path / "data", port, "--workers", "2")
    try:
        _wait_healthy(port, process)
        client = GraphQLClient(f"http://127.0.0.1:{port}")
        answers = [client.data("{ plansAggregate { count } }") for _ in range(6)]
        assert answers == [{"plansAggregate": {"count": 4}}] * 6
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert output.count("Finished server process") == 2
    assert "embedded store stopped" in output
