"""A fresh ``ogp-graph serve`` in its own process: the bundled dataset only, as a new user has it.

Registered in conftest.py (``pytest_plugins``) so that every module shares one server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

#: seconds the server may take to start its store and load the bundled dataset
START_TIMEOUT = 180


@dataclass(frozen=True)
class FreshServe:
    """Where the fresh server answers, and its log file."""

    url: str
    log: Path


@pytest.fixture(scope="session")
def fresh_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshServe]:
    """``ogp-graph serve`` on a new data folder and a free loopback port, stopped at the end."""
    folder = tmp_path_factory.mktemp("fresh-serve")
    log = folder / "serve.log"
    port = free_port()
    env = {**os.environ, "OGP_GRAPH_EMBEDDED_HEAP": "512m"}
    env.pop("NEO4J_URI", None)
    command = [sys.executable, "-c", "from ogp_graph.cli import run; run()", "serve"]
    command += ["--port", str(port), "--data-dir", str(folder / "data")]
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        yield FreshServe(url, log)
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: the store closes its files
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ogp-graph serve exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"ogp-graph serve did not answer in {START_TIMEOUT} s:\n{log.read_text()}")
