"""Real Chromium for the browser tests: Debian's package, driven by Playwright, no outside network.

The browser is the system's ``/usr/bin/chromium`` (installed here with apt-get
when it is missing and we are root, as in CI); Playwright only drives it and
never downloads a browser of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: headless, and quiet: no updates, sync, QUIC or other calls home
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def ensure_chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing (as root); else skip."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing; install Debian's `chromium` package (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.fail(f"`{' '.join(command)}` failed:\n{done.stdout[-2000:]}\n{done.stderr}")
    return CHROMIUM


@dataclass
class Browser:
    """One Chromium profile, with every request outside this machine refused and recorded."""

    context: object
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@contextmanager
def open_browser(profile: Path) -> Iterator[Browser]:
    """A headless Chromium on the fresh profile folder ``profile``, outside requests refused."""
    executable = ensure_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(executable),
            args=FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
            timeout=60_000,
        )
        state = Browser(context)

        def route(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            host = urlsplit(url).hostname or ""
            if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
                route.continue_()  # type: ignore[attr-defined]
            else:
                state.blocked.append(url)
                route.abort()  # type: ignore[attr-defined]

        context.route("**/*", route)
        context.set_default_timeout(30_000)
        try:
            yield state
        finally:
            context.close()
