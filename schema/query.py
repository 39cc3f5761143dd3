"""The root of the API: entry points to every entity."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph import query_builder as qb
from graph.normalize import fold
from schema.entities import (
    Commitment,
    Country,
    Department,
    LocalGovernment,
    Partnership,
    Plan,
    RootLists,
)
from schema.explore import GraphView, neighborhood, shortest_path
from schema.fields import NOT_COMPILED, fetch_first, fetch_node
from schema.node import Node, ctx, wrap
from schema.search import search

Member = Annotated[
    Country | LocalGovernment,
    strawberry.union(
        "Member", description="A member of the partnership: a country or a local government."
    ),
]


@strawberry.type(description="Entry points to the Open Government Partnership knowledge graph.")
class Query(RootLists):
    @strawberry.field(description="Any entity by its global id; null when there is none.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        return wrap(await fetch_node(info, str(id)))

    @strawberry.field(
        description="Several entities by global id, in the same order (null where unknown)."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids.")],
    ) -> list[Node | None]:
        # gathered, so the loader batches them: one statement per label, not per id
        found = await asyncio.gather(*(fetch_node(info, str(i)) for i in ids))
        return [wrap(props) for props in found]

    @strawberry.field(description="The Open Government Partnership.")
    async def partnership(self, info: Info) -> Partnership | None:
        found = await fetch_node(info, "Partnership:OGP")
        return Partnership(props=found) if found is not None else None

    @strawberry.field(
        description="A country by ISO 3166 alpha-3 code (any case); null when unknown."
    )
    async def country(
        self, info: Info, code: Annotated[str, strawberry.argument(description="e.g. `CAN`.")]
    ) -> Country | None:
        found = await fetch_node(info, f"Country:{code.strip().upper()}")
        return Country(props=found) if found is not None else None

    @strawberry.field(
        description="A member by its code: ISO 3166 alpha-3 for a country (`ALB`, Kosovo `XKX`), "
        "OGP's code for a local member (`ESMD`), any case; null when unknown."
    )
    async def member(
        self, info: Info, code: Annotated[str, strawberry.argument(description="e.g. `ESMD`.")]
    ) -> Member | None:
        found = await fetch_first(info, code)
        if found is not NOT_COMPILED:
            return wrap(found)  # type: ignore[return-value]
        key = code.strip().upper()
        local = await fetch_node(info, f"LocalGovernment:{key}")
        if local is not None:
            return LocalGovernment(props=local)
        country = await fetch_node(info, f"Country:{key}")
        return Country(props=country) if country is not None else None

    @strawberry.field(
        description="A commitment by OGP's commitment id (e.g. `AL0002`, any case); null when "
        "unknown."
    )
    async def commitment(
        self,
        info: Info,
        ogp_id: Annotated[str, strawberry.argument(description="e.g. `AL0002`.")],
    ) -> Commitment | None:
        found = await fetch_first(info, ogp_id)
        if found is not NOT_COMPILED:
            return Commitment(props=found) if found is not None else None
        context = ctx(info)
        direct = await fetch_node(info, f"Commitment:{ogp_id.strip().upper()}")
        if direct is not None:
            return Commitment(props=direct)
        where = qb.Where(conditions=(qb.Condition("ogpId", "eq", fold(ogp_id)),))
        built = qb.page_of("Commitment", where, (), context.lang.code)
        rows = await context.store.read(built.statement, skip=0, limit=1, **built.params)
        nodes = rows[0]["nodes"] if rows else []
        return Commitment(props=nodes[0]) if nodes else None

    @strawberry.field(
        description="A plan by its global id (e.g. `Plan:CAN-2016-2018`); null when unknown."
    )
    async def plan(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Plan | None:
        found = wrap(await fetch_node(info, str(id)))
        return found if isinstance(found, Plan) else None

    @strawberry.field(
        description="A department by its portal code (e.g. `tbs-sct`) or abbreviation (`TBS`, `SCT`)."
    )
    async def department(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="Code or abbreviation.")],
    ) -> Department | None:
        found = await fetch_first(info, code)
        if found is not NOT_COMPILED:
            return Department(props=found) if found is not None else None
        context = ctx(info)
        direct = await fetch_node(info, f"Department:{code.strip().lower()}")
        if direct is not None:
            return Department(props=direct)
        where = qb.Where(conditions=(qb.Condition("abbreviation", "eq", fold(code)),))
        built = qb.page_of("Department", where, (), context.lang.code)
        rows = await context.store.read(built.statement, skip=0, limit=1, **built.params)
        nodes = rows[0]["nodes"] if rows else []
        return Department(props=nodes[0]) if nodes else None

    search = strawberry.field(
        resolver=search,
        description="Entities that hold the words asked, in English, French or both (case, "
        "accents, plurals and small words aside), best matches first, each with the fields "
        "that matched and marked snippets.",
    )
    neighborhood: GraphView | None = strawberry.field(
        resolver=neighborhood,
        description="A node and what lies within `depth` hops of it, with the edges among them; "
        "null when the id is unknown. Each node comes once: the start first, then the nearest "
        "(fewest hops, ties by id), which are also the ones kept under `limit`.",
    )
    shortest_path: GraphView | None = strawberry.field(
        resolver=shortest_path,
        description="One shortest path between two nodes, in either direction; null when there "
        "is none within `maxLength` hops or an id is unknown. Among paths of equal length, the "
        "one whose sequence of node ids is smallest (compared id by id, as text).",
    )
