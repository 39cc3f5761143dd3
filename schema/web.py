"""The browser side: GraphiQL with the example tabs, the graph view, and their files.

The pages load nothing from elsewhere: React, GraphiQL and Cytoscape.js come from
``schema/web_assets/`` (built from pinned npm packages when the package is
installed, see setup.py) and the pages' own scripts from ``schema/web_pages/``.
URLs in the pages are relative, so they work behind a path prefix too.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

#: the built files each page needs (see web/assets.json)
GRAPHIQL_ASSETS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
)
GRAPH_VIEW_ASSETS = ("cytoscape.min.js",)
#: our own scripts and styles, served beside the built files
_PAGE_FILES = ("graphiql-page.js", "graph-view.js", "pages.css")
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

MISSING_ASSETS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ogp-graph: {page} is not built</title></head>
<body style="font-family: sans-serif; max-width: 44em; margin: 3em auto; line-height: 1.5">
<h1>{page} is not built</h1>
<p>Its browser files ({missing}) are made when the package is installed, from the npm packages
pinned in <code>web/package-lock.json</code>; that step needs Node.js 20+ and <code>npm</code>
on the <code>PATH</code>. Install them, then, in the project's folder, run again</p>
<pre>pip install -e .</pre>
<p>(it runs <code>npm ci</code> in <code>web/</code> and copies the files into
<code>schema/web_assets/</code>), and restart <code>ogp-graph serve</code>.</p>
<p>The API itself works meanwhile: <code>POST /graphql</code> with a JSON body
<code>{{"query": "{{ partnership {{ name }} }}"}}</code>.</p>
</body></html>
"""


def _assets() -> Traversable:
    return resources.files("schema") / "web_assets"


def _pages() -> Traversable:
    return resources.files("schema") / "web_pages"


def missing_assets(names: tuple[str, ...]) -> list[str]:
    """Which of the built files ``names`` are not there."""
    folder = _assets()
    return [name for name in names if not (folder / name).is_file()]


def example_queries() -> list[dict[str, str]]:
    """GraphiQL's ready-to-run tabs: the ``.graphql`` files of ``schema/examples``, in name order."""
    folder = resources.files("schema") / "examples"
    tabs = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".graphql"):
            tabs.append({"query": item.read_text(encoding="utf-8")})
    return tabs


def _json_for_script(value: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def _page(name: str, title: str, assets: tuple[str, ...], data: object) -> HTMLResponse:
    missing = missing_assets(assets)
    if missing:
        return HTMLResponse(
            MISSING_ASSETS.format(page=title, missing=", ".join(missing)), status_code=503
        )
    html = (_pages() / name).read_text(encoding="utf-8")
    return HTMLResponse(html.replace("__OGP_DATA__", _json_for_script(data)))


async def graphiql_page(request: Request) -> HTMLResponse:
    """GraphiQL, with one tab per example query."""
    return _page("graphiql.html", "GraphiQL", GRAPHIQL_ASSETS, {"examples": example_queries()})


async def graph_view(request: Request) -> HTMLResponse:
    """The graph view: search a node, draw its neighbourhood, click to expand."""
    return _page("graph.html", "The graph view", GRAPH_VIEW_ASSETS, {})


async def asset(request: Request) -> Response:
    """A built file or one of the pages' own scripts, by name (nothing else is served)."""
    name = request.path_params["name"]
    if name in _PAGE_FILES:
        item = _pages() / name
    elif "/" not in name and not name.startswith("."):
        item = _assets() / name
    else:
        item = None
    if item is None or not item.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    suffix = name[name.rfind(".") :]
    return FileResponse(
        str(item),
        media_type=_MEDIA_TYPES.get(suffix, "text/plain; charset=utf-8"),
        headers={"Cache-Control": "public, max-age=3600"},
    )


def web_routes() -> list[Route]:
    """The routes to mount beside ``/graphql`` (GraphiQL itself is ``GET /graphql`` in a browser)."""
    return [
        Route("/graph", graph_view, methods=["GET"], name="graph-view"),
        Route("/assets/{name}", asset, methods=["GET"], name="web-asset"),
    ]
