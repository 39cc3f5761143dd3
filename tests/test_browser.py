"""Real Chromium against a fresh ``ogp-graph serve``: GraphiQL offline, every example tab,
the graph view, and a page of another origin calling the API.

Screenshots go to test-artifacts/browser/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from schema.web import example_queries
from tests.browser import ARTIFACTS, Browser, open_browser
from tests.conftest import free_port
from tests.fresh_serve import FreshServe
from tests.test_browser_pages import NEEDS, _empty_fields, _operation_names

pytestmark = [pytest.mark.store, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Chromium on a fresh profile; tests assert it asked for nothing non-local."""
    with open_browser(tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


def _watch(page: Any) -> list[str]:
    """Errors the page logs or throws, collected for the assertions."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "favicon" not in message.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("favicon.ico")
            else None
        ),
    )
    return problems


def _response_text(page: Any) -> str:
    return page.evaluate(
        "() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
    )


def test_graphiql_runs_every_example_tab_with_no_outside_network(
    browser: Browser, fresh_serve: FreshServe
) -> None:
    page = browser.context.new_page()  # type: ignore[attr-defined]
    problems = _watch(page)
    page.goto(f"{fresh_serve.url}/graphql")
    page.wait_for_selector(".graphiql-tab")
    examples = example_queries()
    names = [_operation_names(tab["query"])[0] for tab in examples]
    assert page.locator(".graphiql-tab").all_inner_texts() == names
    for number, (name, tab) in enumerate(zip(names, examples, strict=True), start=1):
        page.locator(".graphiql-tab", has_text=name).first.click()
        page.wait_for_function(
            "name => document.querySelector('.graphiql-tab-active')?.textContent.includes(name)",
            arg=name,
        )
        # GraphiQL picks the operation name from the editor a moment after a tab switch: a run
        # sent before that names the previous tab's operation, so it is sent again
        for _attempt in range(5):
            page.evaluate(
                "() => document.querySelector('.graphiql-response .CodeMirror')"
                ".CodeMirror.setValue('')"
            )
            page.locator(".graphiql-execute-button").click()
            try:
                page.wait_for_function(
                    '() => /"(data|errors)"/.test(document.querySelector('
                    "'.graphiql-response .CodeMirror').CodeMirror.getValue())"
                )
            finally:
                page.screenshot(path=str(ARTIFACTS / f"graphiql-{number:02d}-{name}.png"))
            if "Unknown operation named" not in _response_text(page):
                break
            page.wait_for_timeout(500)
        body = json.loads(_response_text(page))
        assert "errors" not in body, (name, body.get("errors"))
        if not NEEDS.match(tab["query"].splitlines()[0]):
            assert not _empty_fields(body["data"]), (name, body["data"])
    assert not browser.blocked, f"requests outside this machine: {browser.blocked}"
    assert not problems, problems
    page.close()


def _drawn(page: Any) -> set[str]:
    page.wait_for_function("() => document.body.dataset.busy === '0'")
    return set(page.evaluate("() => window.ogpGraph.cy.nodes().map(n => n.id())"))


def _neighbours(url: str, id: str, lang: str = "EN", limit: int = 60) -> dict[str, str]:
    """Captions of the node ``id`` and its neighbours (as the graph view asks for them)."""
    query = """query ($id: ID!, $lang: Lang, $limit: Int) {
        neighborhood(id: $id, limit: $limit, lang: $lang) { nodes { id label } } }"""
    variables = {"id": id, "lang": lang, "limit": limit}
    body = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables})
    return {n["id"]: n["label"] for n in body.json()["data"]["neighborhood"]["nodes"]}


def _click_node(page: Any, id: str) -> None:
    """Click where the node is drawn, and wait until its neighbours are added."""
    box = page.locator("#cy").bounding_box()
    at = page.evaluate(f"() => window.ogpGraph.cy.getElementById('{id}').renderedPosition()")
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    page.wait_for_function(f"() => window.ogpGraph.cy.getElementById('{id}').hasClass('expanded')")


def test_the_graph_view_searches_draws_expands_and_speaks_french(
    browser: Browser, fresh_serve: FreshServe
) -> None:
    page = browser.context.new_page()  # type: ignore[attr-defined]
    problems = _watch(page)
    page.goto(f"{fresh_serve.url}/graph")
    page.fill("#search-input", "Nathaniel Heller")
    page.click("#search button[type=submit]")
    page.wait_for_selector("#hits button.hit")
    page.locator("#hits button.hit", has_text="Nathaniel Heller (Person)").click()
    start = "Person:nathaniel-heller"
    assert _drawn(page) == set(_neighbours(fresh_serve.url, start))
    page.screenshot(path=str(ARTIFACTS / "graph-view-1-search.png"))

    # a click on a drawn node adds its neighbours: the chair, then its term
    chair, term = "CoChair:2018-2019:CIVIL_SOCIETY", "CoChairTerm:2018-2019"
    for node in (chair, term):
        _click_node(page, node)
        drawn = _drawn(page)
        assert set(_neighbours(fresh_serve.url, node)) <= drawn
    assert page.inner_text("#details-id") == term
    assert page.inner_text("#details-type") == "CoChairTerm"
    page.screenshot(path=str(ARTIFACTS / "graph-view-2-expanded.png"))

    # in French: the page and the captions
    page.select_option("#lang", "FR")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    _drawn(page)
    french = {i: _neighbours(fresh_serve.url, i, "FR", limit=0)[i] for i in drawn}
    labels = page.evaluate("() => window.ogpGraph.cy.nodes().map(n => [n.id(), n.data('label')])")
    assert dict(labels) == french
    assert french["Partnership:OGP"] == "Partenariat pour un gouvernement ouvert"
    assert page.inner_text("#search button") == "Chercher"
    page.screenshot(path=str(ARTIFACTS / "graph-view-3-french.png"))

    # the node's link opens GraphiQL with a query for it, which runs
    link = page.get_attribute("#details-query", "href")
    assert link.startswith("graphql#")
    page.goto(f"{fresh_serve.url}/{link}")
    page.wait_for_selector(".graphiql-tab")
    tabs = page.locator(".graphiql-tab").all_inner_texts()
    names = [_operation_names(tab["query"])[0] for tab in example_queries()]
    assert tabs == [*names, "CoChairTermById"]  # a tab of its own, beside the examples
    page.locator(".graphiql-execute-button").click()
    page.wait_for_function(
        "() => document.querySelector('.graphiql-response .CodeMirror')"
        ".CodeMirror.getValue().includes('\"data\"')"
    )
    answer = json.loads(_response_text(page))
    assert answer["data"]["node"]["id"] == term and len(answer["data"]["node"]) > 3
    page.screenshot(path=str(ARTIFACTS / "graph-view-4-query-in-graphiql.png"))
    assert not browser.blocked, browser.blocked
    assert not problems, problems
    page.close()


def test_a_graphiql_result_with_nodes_and_edges_opens_in_the_graph_view(
    browser: Browser, fresh_serve: FreshServe
) -> None:
    page = browser.context.new_page()  # type: ignore[attr-defined]
    problems = _watch(page)
    page.goto(f"{fresh_serve.url}/graphql")
    page.locator(".graphiql-tab", has_text="ExploreGraph").first.click()
    with browser.context.expect_page() as opened:  # type: ignore[attr-defined]
        page.click("#ogp-draw")
    view = opened.value
    view_problems = _watch(view)
    view.wait_for_load_state()
    query = next(t["query"] for t in example_queries() if "query ExploreGraph" in t["query"])
    expected = httpx.post(f"{fresh_serve.url}/graphql", json={"query": query}).json()["data"]
    ids = {n["id"] for part in expected.values() for n in part["nodes"]}
    assert _drawn(view) == ids
    edges = view.evaluate("() => window.ogpGraph.cy.edges().length")
    assert edges >= len(expected["shortestPath"]["edges"])
    view.screenshot(path=str(ARTIFACTS / "graph-view-5-from-graphiql.png"))
    # the graph view's link back to GraphiQL, and GraphiQL's link to the graph view
    assert page.get_attribute("#ogp-graph-view-link", "href") == "graph"
    assert not problems and not view_problems, problems + view_problems
    assert not browser.blocked, browser.blocked
    view.close()
    page.close()


class _OtherOrigin(BaseHTTPRequestHandler):
    """A front end on another port: one page, nothing else."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>another origin</title><p>front end</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _OtherOrigin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_calls_the_api(
    browser: Browser, fresh_serve: FreshServe, other_origin: str
) -> None:
    page = browser.context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{other_origin}/")
    query = "{ partnership { name } }"
    result = page.evaluate(
        """async ([api, query]) => {
            try {
                const post = await fetch(api, { method: "POST", body: JSON.stringify({ query }),
                    headers: { "Content-Type": "application/json" } });
                const get = await fetch(api + "?" + new URLSearchParams({ query }),
                    { headers: { Accept: "application/json" } });
                return { post: await post.json(), get: await get.json() };
            } catch (error) { return { error: String(error) }; }
        }""",
        [f"{fresh_serve.url}/graphql", query],
    )
    page.close()
    assert "error" not in result, f"the browser refused the cross-origin call: {result}"
    expected = {"partnership": {"name": "Open Government Partnership"}}
    assert result["post"]["data"] == expected and result["get"]["data"] == expected


def test_graph_view_address_carries_a_start(browser: Browser, fresh_serve: FreshServe) -> None:
    page = browser.context.new_page()  # type: ignore[attr-defined]
    start = "Plan:CAN-2016-2018"
    page.goto(f"{fresh_serve.url}/graph#{urlencode({'id': start})}")
    assert _drawn(page) == set(_neighbours(fresh_serve.url, start))
    page.close()
