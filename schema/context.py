"""Per-request context: the store, the language, and batched loaders of related data.

Every relationship field goes through a DataLoader keyed by what it asks
(relation, filter, sort, language), so a request sends one statement per
distinct field, however many results it has: no N+1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from strawberry.dataloader import DataLoader

from graph import compile as cc
from graph import query_builder as qb
from graph import reads
from graph.model import label_of
from graph.store import Store
from schema.lang import Lang
from schema.settings import ApiSettings

Props = dict[str, Any]

#: the statement of a compiled lookup, built once per label, pick and language: a repeated
#: query then only sends it (building it took about a fifth of a millisecond per request)
_compiled_by_ids = lru_cache(maxsize=1024)(cc.by_ids)


@dataclass
class Context:
    """What resolvers of one request share."""

    store: Store
    settings: ApiSettings
    lang: Lang
    _loaders: dict[Any, DataLoader[Any, Any]] = field(default_factory=dict)

    def lang_for(self, lang: Lang | None) -> Lang:
        """The language a text field answers in: its argument, else the request's."""
        return lang or self.lang

    def _loader(self, key: Any, load: Any) -> DataLoader[Any, Any]:
        if key not in self._loaders:
            self._loaders[key] = DataLoader(load_fn=load)
        return self._loaders[key]

    # --- nodes by id ---------------------------------------------------------

    async def node(self, node_id: str) -> Props | None:
        """The properties of the node with this global id, or ``None``."""
        label = label_of(node_id)
        if label is None:
            return None

        async def load(ids: list[str]) -> list[Props | None]:
            rows = await self.store.read(qb.by_ids(label), ids=list(ids))
            found = {row["node"]["id"]: row["node"] for row in rows}
            return [found.get(i) for i in ids]

        return await self._loader(("node", label), load).load(node_id)

    async def compiled_node(
        self, pick: cc.Pick, lang: str, node_id: str, alone: bool = False
    ) -> Props | None:
        """The node with this id, projected as ``pick`` (one statement per label and pick).

        ``alone``: nothing else of the request can share the statement, so it is sent
        at once rather than through a loader (a task and a future fewer).
        """

        async def load(ids: list[str]) -> list[Props | None]:
            built = _compiled_by_ids(pick.label, pick, lang)
            rows = await self.store.read(built.statement, **(built.params | {"ids": list(ids)}))
            found = {row["node"]["id"]: row["node"] for row in rows}
            return [found.get(i) for i in ids]

        if alone:
            return (await load([node_id]))[0]
        return await self._loader(("compiled", pick, lang), load).load(node_id)

    # --- related nodes -------------------------------------------------------

    async def related(
        self,
        label: str,
        parent_id: str,
        link: str,
        where: qb.Where = qb.EVERYTHING,
        sort: tuple[qb.Order, ...] = (),
        lang: Lang = Lang.EN,
    ) -> list[Props]:
        """The nodes related to ``parent_id`` through ``link``, filtered and sorted."""

        async def load(parents: list[str]) -> list[list[Props]]:
            built = qb.related_to(label, link, where, sort, lang.code)
            rows = await self.store.read(built.statement, parents=list(parents), **built.params)
            found = {row["parent"]: row["nodes"] for row in rows}
            return [found.get(p, []) for p in parents]

        key = ("related", label, link, where, sort, lang)
        return await self._loader(key, load).load(parent_id)

    async def related_one(self, label: str, parent_id: str, link: str) -> Props | None:
        """The one node related to ``parent_id`` through a to-one ``link``."""
        found = await self.related(label, parent_id, link)
        return found[0] if found else None

    async def count_related(
        self, label: str, parent_id: str, link: str, where: qb.Where = qb.EVERYTHING
    ) -> int:
        """How many nodes are related to ``parent_id`` through ``link``."""

        async def load(parents: list[str]) -> list[int]:
            built = qb.count_related(label, link, where)
            rows = await self.store.read(built.statement, parents=list(parents), **built.params)
            found = {row["parent"]: row["total"] for row in rows}
            return [found.get(p, 0) for p in parents]

        return await self._loader(("count", label, link, where), load).load(parent_id)

    # --- fixed reads ---------------------------------------------------------

    async def plan_neighbours(self, plan_id: str) -> tuple[Props | None, Props | None]:
        """The previous and the next plan of the same country."""

        async def load(ids: list[str]) -> list[tuple[Props | None, Props | None]]:
            rows = await self.store.read(reads.PLAN_NEIGHBOURS, ids=list(ids))
            found = {
                row["id"]: (
                    row["before"][-1] if row["before"] else None,
                    row["after"][0] if row["after"] else None,
                )
                for row in rows
            }
            return [found.get(i, (None, None)) for i in ids]

        return await self._loader("plan_neighbours", load).load(plan_id)

    async def plan_progress(self, plan_id: str, period: str | None) -> dict[str | None, int]:
        """Status id (``None``: no update yet) -> number of the plan's indicators."""

        async def load(ids: list[str]) -> list[dict[str | None, int]]:
            rows = await self.store.read(reads.PLAN_PROGRESS, ids=list(ids), period=period)
            found: dict[str, dict[str | None, int]] = defaultdict(dict)
            for row in rows:
                found[row["plan"]][row["status"]] = row["count"]
            return [found.get(i, {}) for i in ids]

        return await self._loader(("plan_progress", period), load).load(plan_id)

    async def plan_progress_by_period(self, plan_id: str) -> dict[str, dict[str | None, int]]:
        """Period -> status id (``None``: no update yet) -> number of the plan's indicators."""

        async def load(ids: list[str]) -> list[dict[str, dict[str | None, int]]]:
            rows = await self.store.read(reads.PLAN_PROGRESS_BY_PERIOD, ids=list(ids))
            found: dict[str, dict[str, dict[str | None, int]]] = defaultdict(
                lambda: defaultdict(dict)
            )
            for row in rows:
                found[row["plan"]][row["period"]][row["status"]] = row["count"]
            return [dict(found.get(i, {})) for i in ids]

        return await self._loader("plan_progress_by_period", load).load(plan_id)
