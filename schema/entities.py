"""Every entity type of the API, one class each, in the order of the domain.

Fields are made by the factories of :mod:`schema.fields`; their type names
(``Plan``, ``PlanWhere``, ``Connection``...) resolve in this module.
"""

# ruff: noqa: F401, F403  (names are resolved from strings by Strawberry)

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schema.connection import Connection
from schema.errors import UserInputError
from schema.fields import (
    AfterArg,
    Aggregate,
    FirstArg,
    LangArg,
    aggregate_field,
    list_field,
    many_field,
    one_field,
    plain_field,
    text_field,
)
from schema.filters import *
from schema.lang import Lang
from schema.node import Node, ctx, register, wrap


@strawberry.enum(description="The side a co-chair speaks for.")
class ChairRole(Enum):
    GOVERNMENT = strawberry.enum_value("GOVERNMENT", description="A member government.")
    CIVIL_SOCIETY = strawberry.enum_value("CIVIL_SOCIETY", description="A civil-society leader.")


@strawberry.enum(description="What a report on a plan is.")
class ReportKind(Enum):
    MID_TERM_SELF_ASSESSMENT = strawberry.enum_value(
        "MID_TERM_SELF_ASSESSMENT", description="The government's own assessment half-way."
    )
    END_OF_TERM_SELF_ASSESSMENT = strawberry.enum_value(
        "END_OF_TERM_SELF_ASSESSMENT", description="The government's own assessment at the end."
    )
    PROGRESS_TRACKER = strawberry.enum_value(
        "PROGRESS_TRACKER", description="Regular progress updates published while the plan runs."
    )


@strawberry.enum(description="How a theme organises a plan.")
class ThemeKind(Enum):
    STREAM = strawberry.enum_value("STREAM", description="A stream of activity.")
    PRIORITY_AREA = strawberry.enum_value("PRIORITY_AREA", description="A priority area.")


@strawberry.enum(description="What sort of body or initiative it is.")
class InitiativeKind(Enum):
    ADVISORY_BODY = strawberry.enum_value("ADVISORY_BODY", description="An advisory panel.")
    FORUM = strawberry.enum_value("FORUM", description="A standing forum of dialogue.")
    PROGRAM = strawberry.enum_value("PROGRAM", description="A programme or collaboration.")
    POLICY = strawberry.enum_value("POLICY", description="A policy instrument.")
    PORTAL = strawberry.enum_value("PORTAL", description="A web portal.")


def enum_field(name: str, enum: type[Enum], description: str) -> Any:
    """A property shown as a GraphQL enum."""

    def resolve(root: Any) -> Any:
        value = root.props.get(name)
        return enum(value) if value is not None else None

    resolve.__annotations__ = {"root": Any, "return": enum | None}
    resolve.__name__ = name
    return strawberry.field(resolver=resolve, description=description)


@register("Partnership")
@strawberry.type(description="The Open Government Partnership (OGP), which the countries join.")
class Partnership(Node):
    name = text_field("name", "Its name.")
    abbreviation = text_field("abbreviation", "Its short name: OGP in English, PGO in French.")
    description = text_field("description", "What it is and does.")
    member_count = plain_field("memberCount", int | None, "How many member countries it had.")
    member_count_year = plain_field(
        "memberCountYear", int | None, "The year `memberCount` was stated for."
    )
    members = many_field("Partnership", "members", "Its member countries.")
    members_aggregate = aggregate_field("Partnership", "members")
    co_chair_terms = many_field("Partnership", "coChairTerms", "Its co-chair terms.")
    co_chair_terms_aggregate = aggregate_field("Partnership", "coChairTerms")
    events = many_field("Partnership", "events", "Events it organised.")
    events_aggregate = aggregate_field("Partnership", "events")


@register("Country")
@strawberry.type(description="A country, member of the partnership or named by it.")
class Country(Node):
    code = plain_field("code", str, "ISO 3166 alpha-3 code, e.g. `CAN`.")
    name = text_field("name", "Its name.")
    member_since = plain_field(
        "memberSince", str | None, "When it joined the partnership (`YYYY-MM`), where known."
    )
    partnership = one_field("Country", "partnership", "The partnership it is a member of.")
    plans = many_field("Country", "plans", "Its action plans, oldest first.")
    plans_aggregate = aggregate_field("Country", "plans")
    hosted_events = many_field("Country", "hostedEvents", "Events it hosted.")
    hosted_events_aggregate = aggregate_field("Country", "hostedEvents")
    co_chairs = many_field("Country", "coChairs", "Its terms as a government co-chair.")
    co_chairs_aggregate = aggregate_field("Country", "coChairs")


@register("Person")
@strawberry.type(description="A person named in the graph (a co-chair, a representative).")
class Person(Node):
    name = plain_field("name", str, "Full name.")
    description = text_field("description", "Who the person is, as the sources say.")
    co_chairs = many_field("Person", "coChairs", "Co-chair seats the person held.")
    co_chairs_aggregate = aggregate_field("Person", "coChairs")


@register("CoChairTerm")
@strawberry.type(
    description="A term of the partnership's co-chairs: one government and one civil-society chair."
)
class CoChairTerm(Node):
    start_year = plain_field("startYear", int, "First year of the term.")
    end_year = plain_field("endYear", int, "Last year of the term.")
    chairs = list_field("CoChairTerm", "chairs", "The chairs of the term, government first.")
    partnership = one_field("CoChairTerm", "partnership", "The partnership.")


@register("CoChair")
@strawberry.type(description="One seat of a co-chair term.")
class CoChair(Node):
    role = enum_field("role", ChairRole, "Government or civil society.")
    name = text_field("name", "Who holds the seat, e.g. the Government of Canada.")
    country = one_field("CoChair", "country", "The government's country (government chairs).")
    person = one_field(
        "CoChair",
        "person",
        "The person: the civil-society chair, or a government's representative.",
    )
    term = one_field("CoChair", "term", "The term of the seat.")


@strawberry.type(description="How many of a plan's indicators stand at one status.")
class StatusCount:
    status: Annotated["Status", strawberry.lazy("schema.entities")] | None = strawberry.field(
        description="The status; null for indicators with no update yet at that period."
    )
    count: int = strawberry.field(description="How many indicators.")


@register("Plan")
@strawberry.type(description="An action plan of a country under the partnership.")
class Plan(Node):
    title = text_field("title", "The plan's title.")
    description = text_field("description", "What the plan sets out to do.")
    start_year = plain_field("startYear", int, "First year.")
    end_year = plain_field("endYear", int, "Last year.")
    ordinal = plain_field("ordinal", int | None, "Its rank among the country's plans (1 = first).")
    declared_commitment_count = plain_field(
        "declaredCommitmentCount",
        int | None,
        "How many commitments the plan announces (even where they are not in the graph).",
    )
    url = text_field("url", "Web page of the plan.")
    country = one_field("Plan", "country", "The country whose plan it is.")
    commitments = many_field("Plan", "commitments", "Its commitments, in code order.")
    commitments_aggregate = aggregate_field("Plan", "commitments")
    reports = many_field("Plan", "reports", "Reports that assess the plan.")
    reports_aggregate = aggregate_field("Plan", "reports")
    themes = list_field("Plan", "themes", "Its streams or priority areas.")
    initiatives = many_field("Plan", "initiatives", "Bodies and initiatives the plan established.")
    initiatives_aggregate = aggregate_field("Plan", "initiatives")
    guided_by = many_field("Plan", "guidedBy", "Bodies that guided the plan.")
    guided_by_aggregate = aggregate_field("Plan", "guidedBy")
    statuses = list_field("Plan", "statuses", "The status scale its tracker uses, in order.")
    reporting_periods = list_field(
        "Plan", "reportingPeriods", "The periods its tracker reports on (`YYYY-MM`)."
    )

    @strawberry.field(description="The country's plan before this one.")
    async def previous(
        self, info: Info
    ) -> Annotated["Plan", strawberry.lazy("schema.entities")] | None:
        before, _ = await ctx(info).plan_neighbours(self.props["id"])
        return wrap(before)  # type: ignore[return-value]

    @strawberry.field(description="The country's plan after this one.")
    async def next(
        self, info: Info
    ) -> Annotated["Plan", strawberry.lazy("schema.entities")] | None:
        _, after = await ctx(info).plan_neighbours(self.props["id"])
        return wrap(after)  # type: ignore[return-value]

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
    async def progress_by_period(self, info: Info) -> list["PeriodProgress"]:
        context = ctx(info)
        by_period = await context.plan_progress_by_period(self.props["id"])
        scale = await context.related("Plan", self.props["id"], "statuses", lang=context.lang)
        return [
            PeriodProgress(period=period, counts=_status_counts(scale, by_period[period]))
            for period in sorted(by_period)
        ]


def _status_counts(scale: list[dict[str, Any]], counts: dict[str | None, int]) -> list[StatusCount]:
    """One count per level of the scale, then the indicators without an update (if any)."""
    result = [StatusCount(status=wrap(s), count=counts.get(s["id"], 0)) for s in scale]  # type: ignore[arg-type]
    if counts.get(None):
        result.append(StatusCount(status=None, count=counts[None]))
    return result


@strawberry.type(description="The status counts of a plan's indicators at one reporting period.")
class PeriodProgress:
    period: str = strawberry.field(description="The reporting period, `YYYY-MM`.")
    counts: list[StatusCount] = strawberry.field(
        description="How many indicators stand at each status then (null status: no update yet)."
    )


def _is_period(value: str) -> bool:
    year, _, month = value.partition("-")
    return len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12


@register("Theme")
@strawberry.type(description="A stream of activity or a priority area of a plan.")
class Theme(Node):
    kind = enum_field("kind", ThemeKind, "Stream or priority area.")
    name = text_field("name", "Its name.")
    plan = one_field("Theme", "plan", "The plan it organises.")


@register("Commitment")
@strawberry.type(description="A commitment of an action plan.")
class Commitment(Node):
    code = plain_field("code", str | None, "Its code in the plan, e.g. `C01`.")
    title = text_field("title", "Its title.")
    description = text_field("description", "What it commits to.")
    url = text_field("url", "Where the plan describes it.")
    plan = one_field("Commitment", "plan", "The plan it belongs to.")
    milestones = many_field("Commitment", "milestones", "Its milestones, in code order.")
    milestones_aggregate = aggregate_field("Commitment", "milestones")


@register("Milestone")
@strawberry.type(description="A milestone of a commitment, led by one or more departments.")
class Milestone(Node):
    code = plain_field("code", str, "Its code, e.g. `C01.1`.")
    title = text_field("title", "Its short title.")
    full_text = text_field("fullText", "Its full wording.")
    url = text_field("url", "Where the plan describes it.")
    commitment = one_field("Milestone", "commitment", "The commitment it belongs to.")
    departments = many_field("Milestone", "departments", "The departments that lead it.")
    departments_aggregate = aggregate_field("Milestone", "departments")
    indicators = many_field("Milestone", "indicators", "Its indicators, in code order.")
    indicators_aggregate = aggregate_field("Milestone", "indicators")


@register("Indicator")
@strawberry.type(description="An indicator of a milestone: what is tracked, period by period.")
class Indicator(Node):
    code = plain_field("code", str, "Its code, e.g. `C01.1.1`.")
    title = text_field("title", "What is measured.")
    full_text = text_field("fullText", "Its full wording.")
    due_date = plain_field("dueDate", str | None, "When it is due (`YYYY-MM`), where given.")
    deadline = text_field("deadline", "Its deadline in words, e.g. `By 2023`.")
    comment_url = text_field("commentUrl", "Where to comment on it.")
    milestone = one_field("Indicator", "milestone", "The milestone it belongs to.")
    departments = many_field("Indicator", "departments", "The departments that lead it.")
    updates = many_field("Indicator", "updates", "Progress updates, oldest period first.")
    updates_aggregate = aggregate_field("Indicator", "updates")


@register("Department")
@strawberry.type(description="A federal department or agency that leads milestones and indicators.")
class Department(Node):
    code = plain_field("code", str, "The portal's organization code, e.g. `tbs-sct`.")
    abbreviation = text_field("abbreviation", "Its abbreviation, e.g. TBS / SCT.")
    name = text_field("name", "Its name.")
    milestones = many_field("Department", "milestones", "Milestones it leads.")
    milestones_aggregate = aggregate_field("Department", "milestones")
    indicators = many_field("Department", "indicators", "Indicators it leads.")
    indicators_aggregate = aggregate_field("Department", "indicators")

    @strawberry.field(description="How many milestones it leads.")
    async def milestone_count(self, info: Info) -> int:
        return await ctx(info).count_related("Department", self.props["id"], "milestones")

    @strawberry.field(description="How many indicators it leads.")
    async def indicator_count(self, info: Info) -> int:
        return await ctx(info).count_related("Department", self.props["id"], "indicators")


@register("Status")
@strawberry.type(description="A level of a plan's progress scale.")
class Status(Node):
    code = plain_field("code", str, "Its code, e.g. `SP`.")
    label = text_field("label", "Its label, e.g. Substantial progress.")
    rank = plain_field("rank", int | None, "Its place on the scale, from 0 (not started).")


@register("ReportingPeriod")
@strawberry.type(description="A period a plan's tracker reports on.")
class ReportingPeriod(Node):
    period = plain_field("period", str, "The period, `YYYY-MM`.")
    plan = one_field("ReportingPeriod", "plan", "The plan.")


@register("ProgressUpdate")
@strawberry.type(description="What a department reported on an indicator for one period.")
class ProgressUpdate(Node):
    period = plain_field("period", str, "The reporting period, `YYYY-MM`.")
    status = one_field("ProgressUpdate", "status", "The status reported.")
    progress = text_field("progress", "Progress made.")
    evidence = text_field("evidence", "Evidence of it.")
    challenges = text_field("challenges", "Challenges met.")
    indicator = one_field("ProgressUpdate", "indicator", "The indicator reported on.")


@register("Report")
@strawberry.type(description="A report that assesses an action plan.")
class Report(Node):
    kind = enum_field("kind", ReportKind, "What kind of report it is.")
    title = text_field("title", "Its title.")
    description = text_field("description", "What it covers.")
    published = plain_field("published", str | None, "When it was published (`YYYY-MM`), if known.")
    plan = one_field("Report", "plan", "The plan it assesses.")


@register("Event")
@strawberry.type(description="An event of the partnership, such as a global summit.")
class Event(Node):
    name = text_field("name", "Its name.")
    city = text_field("city", "The city it takes place in.")
    start_date = plain_field("startDate", str | None, "When it starts (`YYYY-MM` or a date).")
    description = text_field("description", "What it is about.")
    host = one_field("Event", "host", "The country that hosts it.")
    organiser = one_field("Event", "organiser", "Who organises it.")


@register("Initiative")
@strawberry.type(description="A body, programme, policy or portal born of a plan.")
class Initiative(Node):
    kind = enum_field("kind", InitiativeKind, "What sort of initiative it is.")
    name = text_field("name", "Its name.")
    description = text_field("description", "What it is and does.")
    url = text_field("url", "Its web address.")
    established_by = many_field("Initiative", "establishedBy", "The plans that set it up.")
    established_by_aggregate = aggregate_field("Initiative", "establishedBy")
    guided = many_field("Initiative", "guided", "The plans it guided.")
    guided_aggregate = aggregate_field("Initiative", "guided")


ENTITY_TYPES: tuple[type, ...] = (
    Partnership,
    Country,
    Person,
    CoChairTerm,
    CoChair,
    Plan,
    Theme,
    Commitment,
    Milestone,
    Indicator,
    Department,
    Status,
    ReportingPeriod,
    ProgressUpdate,
    Report,
    Event,
    Initiative,
)
