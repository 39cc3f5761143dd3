"""What browsers get, without a browser: the pages, their files, and the example tabs' answers."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from schema import web
from schema.web import example_queries
from tests.conftest import GraphQLClient, Server
from tests.fresh_serve import FreshServe

#: the first line of an example that needs a source loaded: what to load, and the command
NEEDS = re.compile(r"^# Needs (?P<what>.+?)(:|\.) .*?`ogp-graph load (?P<files>[^`]+)`")


def _operation_names(query: str) -> list[str]:
    return re.findall(r"^(?:query|mutation)\s+([A-Za-z_]\w*)", query, flags=re.MULTILINE)


def _has_data(value: object) -> bool:
    """Something besides nulls, empty lists and zero counts."""
    if isinstance(value, dict):
        return any(_has_data(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_data(v) for v in value)
    return value not in (None, 0, "", False)


def _empty_fields(data: dict) -> list[str]:
    return [name for name, value in data.items() if not _has_data(value)]


def test_every_example_tab_is_one_named_operation() -> None:
    examples = example_queries()
    assert len(examples) >= 8
    names = [_operation_names(tab["query"]) for tab in examples]
    assert all(len(n) == 1 for n in names), names
    flat = [n[0] for n in names]
    assert len(set(flat)) == len(flat)


def test_every_example_answers_with_data_on_a_fresh_serve(fresh_serve: FreshServe) -> None:
    client = GraphQLClient(fresh_serve.url)
    needing = []
    for tab in example_queries():
        body = client.post(tab["query"])
        assert "errors" not in body, (tab["query"][:80], body.get("errors"))
        first_line = tab["query"].splitlines()[0]
        if NEEDS.match(first_line):
            needing.append(tab["query"])
            continue
        empty = _empty_fields(body["data"])
        assert not empty, f"{_operation_names(tab['query'])}: {empty} empty on the bundled dataset"
    assert 2 * len(needing) < len(example_queries()), (
        "most examples work on the bundled dataset alone"
    )


@pytest.mark.usefixtures("partnership_loaded")
def test_an_example_that_needs_a_source_says_which_and_answers_once_it_is_loaded(
    gql: GraphQLClient,
) -> None:
    root = Path(__file__).resolve().parents[1]
    for tab in example_queries():
        found = NEEDS.match(tab["query"].splitlines()[0])
        if not found:
            continue
        for name in found["files"].split():
            assert (root / name).exists(), f"the example names {name}, which does not exist"
        body = gql.post(tab["query"])  # the session store has every source loaded
        assert "errors" not in body and not _empty_fields(body["data"]), body


def test_graphiql_loads_everything_from_the_app(server: Server) -> None:
    page = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources)
    for source in sources:
        served = httpx.get(f"{server.url}/{source}")
        assert served.status_code == 200 and len(served.content) > 100, source
    assert "CountryPlans" in page.text  # the examples travel in the page


def test_the_graph_view_page_and_its_drawing_library_are_served(server: Server) -> None:
    page = httpx.get(f"{server.url}/graph")
    assert page.status_code == 200 and "cytoscape.min.js" in page.text
    library = httpx.get(f"{server.url}/assets/cytoscape.min.js")
    assert library.status_code == 200 and "cytoscape" in library.text[:2000].lower()
    assert library.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("name", ["../app.py", "%2e%2e%2fapp.py", ".hidden", "nope.js"])
def test_only_the_assets_are_served(server: Server, name: str) -> None:
    assert httpx.get(f"{server.url}/assets/{name}").status_code == 404


def test_without_the_built_files_the_pages_say_how_to_build_them(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(web, "_assets", lambda: tmp_path)
    for path, headers in (("/graphql", {"Accept": "text/html"}), ("/graph", {})):
        page = httpx.get(f"{server.url}{path}", headers=headers)
        assert page.status_code == 503
        assert "pip install -e ." in page.text and "npm" in page.text and "Node.js" in page.text
