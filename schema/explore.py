"""``neighborhood`` and ``shortestPath``: small graphs ready for a drawing library."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import explore
from graph.model import label_of
from schema.errors import UserInputError
from schema.lang import Lang, pick
from schema.node import ctx

_LABEL_FIELDS = ("title", "name", "label", "abbreviation")

CaptionLang = Annotated[Lang | None, strawberry.argument(description="Language of the captions.")]


@strawberry.type(description="A node of a graph view.")
class GraphNode:
    id: strawberry.ID = strawberry.field(description="Its global id (use it with `node(id:)`).")
    type: str = strawberry.field(description="Its GraphQL type, e.g. `Plan`.")
    label: str = strawberry.field(description="A short caption: its title, name, code or period.")


@strawberry.type(description="A relationship of a graph view, from `source` to `target`.")
class GraphEdge:
    source: strawberry.ID = strawberry.field(description="Id of the node it starts from.")
    target: strawberry.ID = strawberry.field(description="Id of the node it ends at.")
    type: str = strawberry.field(description="Its type, e.g. `HAS_COMMITMENT`.")


@strawberry.type(description="Nodes and edges, in the shape graph drawing libraries take.")
class GraphView:
    nodes: list[GraphNode] = strawberry.field(
        description=(
            "Each node once. In a neighbourhood: the starting node first, then the others by "
            "their distance from it (fewest hops first), ties by id. On a path: from its "
            "start to its end."
        )
    )
    edges: list[GraphEdge] = strawberry.field(
        description=(
            "The relationships among those nodes. In a neighbourhood: each once, ordered by "
            "`source`, then `type`, then `target`. On a path: from its start to its end."
        )
    )
    truncated: bool = strawberry.field(
        description="True when `limit` left out nodes that are within reach."
    )


def caption(props: dict[str, Any], lang: Lang) -> str:
    """A short, readable name for a node."""
    for name in _LABEL_FIELDS:
        value = pick(props, name, lang)
        if value:
            code = props.get("code")
            return f"{code} {value}" if code and name == "title" else value
    for name in ("name", "code", "period", "role"):
        if props.get(name):
            return str(props[name])
    if "startYear" in props and "endYear" in props:
        return f"{props['startYear']}-{props['endYear']}"
    return str(props["id"]).split(":", 1)[1]


def _view(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], lang: Lang, truncated: bool
) -> GraphView:
    return GraphView(
        nodes=[
            GraphNode(
                id=strawberry.ID(n["id"]), type=n["id"].split(":", 1)[0], label=caption(n, lang)
            )
            for n in nodes
        ],
        edges=[
            GraphEdge(
                source=strawberry.ID(e["source"]), target=strawberry.ID(e["target"]), type=e["type"]
            )
            for e in edges
        ],
        truncated=truncated,
    )


async def neighborhood(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The node to start from.")],
    depth: Annotated[
        int,
        strawberry.argument(
            description="How many hops away (1 to the configured maximum, 3 by default)."
        ),
    ] = 1,
    limit: Annotated[
        int | None,
        strawberry.argument(
            description=(
                "At most this many nodes besides the start (default and maximum: the configured "
                "node limit, 500). The nodes kept are the nearest, ties by id, so the same "
                "on every store."
            )
        ),
    ] = None,
    lang: CaptionLang = None,
) -> GraphView | None:
    context = ctx(info)
    settings = context.settings
    if not 1 <= depth <= settings.max_neighborhood_depth:
        raise UserInputError(
            f"'depth' must be from 1 to {settings.max_neighborhood_depth}, not {depth}"
        )
    limit = settings.max_graph_nodes if limit is None else limit
    if not 0 <= limit <= settings.max_graph_nodes:
        raise UserInputError(f"'limit' must be from 0 to {settings.max_graph_nodes}, not {limit}")
    label = label_of(str(id))
    if label is None:
        return None
    rows = await context.store.read(explore.neighbourhood(label, depth), id=str(id), limit=limit)
    if not rows:
        return None
    row = rows[0]
    edges = sorted(
        (e for e in row["edges"] if e), key=lambda e: (e["source"], e["type"], e["target"])
    )
    return _view(row["nodes"], edges, context.lang_for(lang), row["available"] > limit)


async def shortest_path(
    info: Info,
    from_: Annotated[strawberry.ID, strawberry.argument(name="from", description="Start node id.")],
    to: Annotated[strawberry.ID, strawberry.argument(description="End node id.")],
    max_length: Annotated[
        int | None,
        strawberry.argument(description="At most this many hops (default and maximum: 8)."),
    ] = None,
    lang: CaptionLang = None,
) -> GraphView | None:
    context = ctx(info)
    most = context.settings.max_path_length
    length = most if max_length is None else max_length
    if not 1 <= length <= most:
        raise UserInputError(f"'maxLength' must be from 1 to {most}, not {length}")
    start, end = label_of(str(from_)), label_of(str(to))
    if start is None or end is None:
        return None
    if str(from_) == str(to):  # a path of no hop; Neo4j's shortestPath refuses equal ends
        found = await context.node(str(from_))
        return _view([found], [], context.lang_for(lang), False) if found else None
    rows = await context.store.read(
        explore.shortest_path(start, end, length), **{"from": str(from_), "to": str(to)}
    )
    if not rows:
        return None
    return _view(rows[0]["nodes"], rows[0]["edges"], context.lang_for(lang), False)
