"""Fields that are more than a declared property or link, written by hand.

The generator (``python -m schema.codegen``) makes ``Plan`` inherit ``PlanExtras``
because :data:`EXTRAS` names it; everything else about ``Plan`` comes from
:mod:`graph.domain`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from schema.context import Props
from schema.errors import UserInputError
from schema.node import ctx

if TYPE_CHECKING:
    from schema.entities import Plan, Status


@strawberry.type(description="How many of a plan's indicators stand at one status.")
class StatusCount:
    status: Annotated[Status, strawberry.lazy("schema.entities")] | None = strawberry.field(
        description="The status; null for indicators with no update yet at that period."
    )
    count: int = strawberry.field(description="How many indicators.")


@strawberry.type(description="The status counts of a plan's indicators at one reporting period.")
class PeriodProgress:
    period: str = strawberry.field(description="The reporting period, `YYYY-MM`.")
    counts: list[StatusCount] = strawberry.field(
        description="How many indicators stand at each status then (null status: no update yet)."
    )


_ABSENT = object()


def _plan(props: Props | None) -> Plan | None:
    from schema.entities import Plan

    return Plan(props=props) if props is not None else None


def _status_counts(scale: list[dict[str, Any]], counts: dict[str | None, int]) -> list[StatusCount]:
    """One count per level of the scale, then the indicators without an update (if any)."""
    from schema.entities import Status

    result = [StatusCount(status=Status(props=s), count=counts.get(s["id"], 0)) for s in scale]
    if counts.get(None):
        result.append(StatusCount(status=None, count=counts[None]))
    return result


def _is_period(value: str) -> bool:
    year, _, month = value.partition("-")
    return len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12


@strawberry.type(description="Fields of a plan computed over its indicators and siblings.")
class PlanExtras:
    props: strawberry.Private[Props]

    @strawberry.field(description="The country's plan before this one.")
    async def previous(
        self, info: Info
    ) -> Annotated[Plan, strawberry.lazy("schema.entities")] | None:
        return _plan(await self._neighbour(info, 0))

    @strawberry.field(description="The country's plan after this one.")
    async def next(self, info: Info) -> Annotated[Plan, strawberry.lazy("schema.entities")] | None:
        return _plan(await self._neighbour(info, 1))

    async def _neighbour(self, info: Info, side: int) -> Props | None:
        """The plan before (``side`` 0) or after (1): compiled with this plan when it was,
        else read with the other plans' neighbours."""
        early = self.props.get(f"__{info.path.key}", _ABSENT)
        if early is not _ABSENT:
            return early
        neighbours = await ctx(info).plan_neighbours(self.props["id"])
        return neighbours[side]

    @strawberry.field(
        description="How many of the plan's indicators stand at each status of its scale in a "
        "period: the latest update at or before it (default: the latest of all). Indicators "
        "without an update by then count under a null status."
    )
    async def progress(
        self,
        info: Info,
        period: Annotated[
            str | None, strawberry.argument(description="A reporting period, `YYYY-MM`.")
        ] = None,
    ) -> list[StatusCount]:
        if period is not None and not _is_period(period):
            raise UserInputError(f"'period' must look like YYYY-MM, not {period!r}")
        context = ctx(info)
        counts = await context.plan_progress(self.props["id"], period)
        scale = await context.related("Plan", self.props["id"], "statuses", lang=context.lang)
        return _status_counts(scale, counts)

    @strawberry.field(
        description="`progress` for every reporting period of the plan, oldest first: the data "
        "of a stacked chart of indicators by status over time, in one request."
    )
    async def progress_by_period(self, info: Info) -> list[PeriodProgress]:
        context = ctx(info)
        by_period = await context.plan_progress_by_period(self.props["id"])
        scale = await context.related("Plan", self.props["id"], "statuses", lang=context.lang)
        return [
            PeriodProgress(period=period, counts=_status_counts(scale, by_period[period]))
            for period in sorted(by_period)
        ]


#: label -> the hand-written class its generated type inherits
EXTRAS: dict[str, type] = {"Plan": PlanExtras}
