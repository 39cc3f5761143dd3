"""Every Cypher statement the code can send passes Neo4j's own Cypher 5 analyser.

The analyser is the ``@neo4j-cypher/language-support`` npm package (the parser and
semantic checks Neo4j ships in its own tools), driven by ``.ci/cypher-lint/lint.mjs``.

The analyser takes seconds per statement, so statements that passed are remembered
in ``.ci/cypher-lint/linted.txt``: one SHA-256 per statement, of the analyser
(``lint.mjs`` and ``package-lock.json``) and the statement's text. Only statements
not found there are linted (all of them when the analyser changes, or with
``OGP_GRAPH_LINT_ALL=1``); the file is then rewritten to hold exactly the current
statements. Commit it with the code that changes the statements.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_DIR = ROOT / ".ci" / "cypher-lint"
LINT_SCRIPT = LINT_DIR / "lint.mjs"
ANALYSER_PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
LINTED = LINT_DIR / "linted.txt"
#: statements per run of the analyser
CHUNK = 40

#: statements Neo4j 5 refuses: if the linter lets one through, it is broken
KNOWN_BAD = [
    # Cypher 4 only: property existence is `n.title_en IS NOT NULL` in Cypher 5
    {
        "name": "known-bad-exists-property",
        "cypher": "MATCH (n:Plan) WHERE exists(n.title_en) RETURN n",
    },
    {"name": "known-bad-undefined-variable", "cypher": "MATCH (n:Plan) RETURN m.id"},
]


@pytest.fixture(scope="module")
def linter() -> list[str]:
    """The command that runs the linter (see :func:`linter_command`)."""
    return linter_command()


def linter_command() -> list[str]:
    """The command that runs the linter, after installing its npm packages if need be."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the Cypher linter needs Node.js (20 or later)")
    if not ANALYSER_PACKAGE.is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("node is on PATH but npm is not: cannot install .ci/cypher-lint")
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=LINT_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if installed.returncode != 0 or not ANALYSER_PACKAGE.is_dir():
            pytest.fail(
                f"`npm ci` in {LINT_DIR} failed (exit {installed.returncode}):\n"
                f"{installed.stdout}\n{installed.stderr}"
            )
    return [node, str(LINT_SCRIPT)]


def run_linter(
    linter: list[str], statements: list[dict[str, str]], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Lint ``statements`` (``name``/``cypher`` dicts); the result carries the report."""
    source = tmp_path / "statements.json"
    source.write_text(json.dumps(statements, ensure_ascii=False, indent=1), encoding="utf-8")
    return subprocess.run(
        [*linter, str(source)],
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )


def statement_key(cypher: str) -> str:
    """The statement's key in ``linted.txt``: a digest of the analyser and the text."""
    digest = hashlib.sha256()
    for part in (LINT_SCRIPT, LINT_DIR / "package-lock.json"):
        digest.update(part.read_bytes())
    digest.update(b"\0" + cypher.encode("utf-8"))
    return digest.hexdigest()


def already_linted() -> set[str]:
    if os.environ.get("OGP_GRAPH_LINT_ALL") or not LINTED.is_file():
        return set()
    return set(LINTED.read_text(encoding="utf-8").split())


def test_every_statement_is_valid_cypher_5(tmp_path: Path) -> None:
    from graph.statements import all_statements

    statements = {
        statement_key(s.cypher): {"name": s.name, "cypher": s.cypher} for s in all_statements()
    }
    assert statements, "graph.statements.all_statements() gave no statement to lint"
    known = already_linted()
    todo = [key for key in statements if key not in known]

    # in chunks, each remembered as soon as it passes: an interrupted run keeps its work
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        result = run_linter(linter_command(), [statements[key] for key in chunk], tmp_path)
        print(result.stdout)  # the warnings, for `pytest -rP`
        assert result.returncode == 0, (
            f"the Cypher linter found errors (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
        known.update(chunk)
        remember(known)
    remember(set(statements))  # exactly the current statements


def remember(keys: set[str]) -> None:
    text = "".join(f"{key}\n" for key in sorted(keys))
    if not LINTED.is_file() or LINTED.read_text(encoding="utf-8") != text:
        LINTED.write_text(text, encoding="utf-8")


def test_the_linter_rejects_invalid_cypher(linter: list[str], tmp_path: Path) -> None:
    result = run_linter(linter, KNOWN_BAD, tmp_path)

    report = f"exit {result.returncode}:\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 1, f"the linter let invalid Cypher through; {report}"
    for bad in KNOWN_BAD:
        assert f"{bad['name']}: Error: " in result.stdout, f"{bad['name']} not reported; {report}"
