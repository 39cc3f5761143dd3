"""Every Cypher statement the code can send passes Neo4j's own Cypher 5 analyser.

The analyser is the ``@neo4j-cypher/language-support`` npm package (the parser and
semantic checks Neo4j ships in its own tools), driven by ``.ci/cypher-lint/lint.mjs``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_DIR = ROOT / ".ci" / "cypher-lint"
LINT_SCRIPT = LINT_DIR / "lint.mjs"
ANALYSER_PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"

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
        timeout=300,
        check=False,
    )


def test_every_statement_is_valid_cypher_5(linter: list[str], tmp_path: Path) -> None:
    from graph.statements import all_statements

    statements = [{"name": s.name, "cypher": s.cypher} for s in all_statements()]
    assert statements, "graph.statements.all_statements() gave no statement to lint"

    result = run_linter(linter, statements, tmp_path)

    print(result.stdout)  # the warnings, for `pytest -rP`
    assert result.returncode == 0, (
        f"the Cypher linter found errors (exit {result.returncode}):\n"
        f"{result.stdout}\n{result.stderr}"
    )


def test_the_linter_rejects_invalid_cypher(linter: list[str], tmp_path: Path) -> None:
    result = run_linter(linter, KNOWN_BAD, tmp_path)

    report = f"exit {result.returncode}:\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 1, f"the linter let invalid Cypher through; {report}"
    for bad in KNOWN_BAD:
        assert f"{bad['name']}: Error: " in result.stdout, f"{bad['name']} not reported; {report}"
