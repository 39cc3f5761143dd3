"""Build step of the package: the browser assets (GraphiQL, Cytoscape.js) from pinned npm packages.

Everything else is declared in pyproject.toml. ``pip install .`` and ``pip install -e .``
both run the ``build_web`` command first: ``npm ci`` in ``web/`` (versions fixed by its
``package-lock.json``), then a copy of the files named in ``web/assets.json`` into
``schema/web_assets/``, which the package ships and the app serves under ``/assets/``.
Without npm the package still installs; the playground pages then say how to build them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from setuptools import Command, setup
from setuptools.command.build import build

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
TARGET = ROOT / "schema" / "web_assets"
STAMP = TARGET / "build-stamp.txt"


class BuildWeb(Command):
    """Install the pinned npm packages and copy the browser assets into the package."""

    description = "build the browser assets served by the app (needs Node.js and npm)"
    user_options: ClassVar[list[tuple[str, str | None, str]]] = []

    def initialize_options(self) -> None:
        self.editable_mode = False

    def finalize_options(self) -> None:
        pass

    def run(self) -> None:
        lock = (WEB / "package-lock.json").read_bytes()
        listing = (WEB / "assets.json").read_bytes()
        files: dict[str, str] = json.loads(listing)["files"]
        stamp = hashlib.sha256(lock + listing).hexdigest()
        if _current(stamp, files):
            return
        npm = shutil.which("npm")
        if npm is None:
            self.warn(
                "npm was not found: GraphiQL and the graph view are not built. Install "
                "Node.js 20+ with npm, then run `pip install -e .` again."
            )
            return
        self.announce("npm ci in web/", level=2)
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=WEB, check=True
        )
        TARGET.mkdir(exist_ok=True)
        for name, source in files.items():
            shutil.copyfile(WEB / "node_modules" / source, TARGET / name)
        STAMP.write_text(stamp + "\n", encoding="utf-8")

    # setuptools' editable installs ask build sub-commands for these
    def get_outputs(self) -> list[str]:
        return []

    def get_output_mapping(self) -> dict[str, str]:
        return {}

    def get_source_files(self) -> list[str]:
        return []


def _current(stamp: str, files: dict[str, str]) -> bool:
    """The assets were built from this lock file and listing and are all there."""
    try:
        built = STAMP.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return built == stamp and all((TARGET / name).is_file() for name in files)


class BuildWithWeb(build):
    """``build``, with the browser assets first (so that ``build_py`` ships them)."""

    sub_commands: ClassVar = [("build_web", None), *build.sub_commands]


setup(cmdclass={"build": BuildWithWeb, "build_web": BuildWeb})
