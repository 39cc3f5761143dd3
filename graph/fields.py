"""What can be filtered, sorted and followed on each label.

The query builder turns typed filters into Cypher from these tables alone;
the GraphQL layer maps its input fields onto the names used here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """How a field is compared."""

    ID = "id"  # the global id, matched exactly
    BILINGUAL = "bilingual"  # <name>_en / <name>_fr, matched folded, in either language
    STRING = "string"  # one text, matched folded
    ENUM = "enum"  # exact values
    INT = "int"  # numbers
    COUNT = "count"  # a number computed from relationships (an expression)


@dataclass(frozen=True)
class Field:
    """A property (or computed count) of a label."""

    kind: Kind
    property: str
    #: for COUNT fields: the Cypher expression over ``{v}``, the node's variable
    expression: str | None = None
    #: the property lists are ordered by, when not ``property`` itself
    sort_property: str | None = None


@dataclass(frozen=True)
class Link:
    """A relationship followed from a label: ``out`` or ``in``, one or many."""

    type: str
    direction: str
    target: str
    many: bool

    def pattern(self, start: str, end: str) -> str:
        """The Cypher pattern from ``start`` to ``end`` (variables, end labelled)."""
        if self.direction == "out":
            return f"({start})-[:{self.type}]->({end}:{self.target})"
        return f"({start})<-[:{self.type}]-({end}:{self.target})"


def _f(kind: Kind, prop: str) -> Field:
    # codes and ids sort in natural order (C01.2 before C01.10): see writer.derived_text
    natural = f"{prop}_sort" if prop in ("id", "code") else None
    return Field(kind, prop, sort_property=natural)


def _count(expression: str) -> Field:
    return Field(Kind.COUNT, "", expression)


_COMMON = {"id": _f(Kind.ID, "id")}

FIELDS: dict[str, dict[str, Field]] = {
    "Partnership": {**_COMMON, "name": _f(Kind.BILINGUAL, "name")},
    "Country": {
        **_COMMON,
        "code": _f(Kind.STRING, "code"),
        "name": _f(Kind.BILINGUAL, "name"),
        "planCount": _count("COUNT { ({v})-[:HAS_PLAN]->(:Plan) }"),
    },
    "Person": {**_COMMON, "name": _f(Kind.STRING, "name")},
    "CoChairTerm": {
        **_COMMON,
        "startYear": _f(Kind.INT, "startYear"),
        "endYear": _f(Kind.INT, "endYear"),
    },
    "CoChair": {**_COMMON, "role": _f(Kind.ENUM, "role"), "name": _f(Kind.BILINGUAL, "name")},
    "Plan": {
        **_COMMON,
        "title": _f(Kind.BILINGUAL, "title"),
        "description": _f(Kind.BILINGUAL, "description"),
        "startYear": _f(Kind.INT, "startYear"),
        "endYear": _f(Kind.INT, "endYear"),
        "ordinal": _f(Kind.INT, "ordinal"),
        "declaredCommitmentCount": _f(Kind.INT, "declaredCommitmentCount"),
        "commitmentCount": _count("COUNT { ({v})-[:HAS_COMMITMENT]->(:Commitment) }"),
    },
    "Theme": {**_COMMON, "kind": _f(Kind.ENUM, "kind"), "name": _f(Kind.BILINGUAL, "name")},
    "Commitment": {
        **_COMMON,
        "code": _f(Kind.STRING, "code"),
        "title": _f(Kind.BILINGUAL, "title"),
        "description": _f(Kind.BILINGUAL, "description"),
        "milestoneCount": _count("COUNT { ({v})-[:HAS_MILESTONE]->(:Milestone) }"),
    },
    "Milestone": {
        **_COMMON,
        "code": _f(Kind.STRING, "code"),
        "title": _f(Kind.BILINGUAL, "title"),
        "fullText": _f(Kind.BILINGUAL, "fullText"),
        "indicatorCount": _count("COUNT { ({v})-[:HAS_INDICATOR]->(:Indicator) }"),
    },
    "Indicator": {
        **_COMMON,
        "code": _f(Kind.STRING, "code"),
        "title": _f(Kind.BILINGUAL, "title"),
        "fullText": _f(Kind.BILINGUAL, "fullText"),
        "dueDate": _f(Kind.STRING, "dueDate"),
        "deadline": _f(Kind.BILINGUAL, "deadline"),
        "updateCount": _count("COUNT { ({v})-[:HAS_UPDATE]->(:ProgressUpdate) }"),
    },
    "Department": {
        **_COMMON,
        "code": _f(Kind.STRING, "code"),
        "abbreviation": _f(Kind.BILINGUAL, "abbreviation"),
        "name": _f(Kind.BILINGUAL, "name"),
        "milestoneCount": _count("COUNT { ({v})<-[:LED_BY]-(:Milestone) }"),
        "indicatorCount": _count("COUNT { ({v})<-[:LED_BY]-(:Indicator) }"),
    },
    "Status": {
        **_COMMON,
        "code": _f(Kind.STRING, "code"),
        "label": _f(Kind.BILINGUAL, "label"),
        "rank": _f(Kind.INT, "rank"),
    },
    "ReportingPeriod": {**_COMMON, "period": _f(Kind.STRING, "period")},
    "ProgressUpdate": {
        **_COMMON,
        "period": _f(Kind.STRING, "period"),
        "progress": _f(Kind.BILINGUAL, "progress"),
        "evidence": _f(Kind.BILINGUAL, "evidence"),
        "challenges": _f(Kind.BILINGUAL, "challenges"),
    },
    "Report": {
        **_COMMON,
        "kind": _f(Kind.ENUM, "kind"),
        "title": _f(Kind.BILINGUAL, "title"),
        "description": _f(Kind.BILINGUAL, "description"),
        "published": _f(Kind.STRING, "published"),
    },
    "Event": {
        **_COMMON,
        "name": _f(Kind.BILINGUAL, "name"),
        "city": _f(Kind.BILINGUAL, "city"),
        "startDate": _f(Kind.STRING, "startDate"),
        "description": _f(Kind.BILINGUAL, "description"),
    },
    "Initiative": {
        **_COMMON,
        "kind": _f(Kind.ENUM, "kind"),
        "name": _f(Kind.BILINGUAL, "name"),
        "description": _f(Kind.BILINGUAL, "description"),
    },
}


def _out(rel: str, target: str, many: bool = True) -> Link:
    return Link(rel, "out", target, many)


def _in(rel: str, target: str, many: bool = True) -> Link:
    return Link(rel, "in", target, many)


LINKS: dict[str, dict[str, Link]] = {
    "Partnership": {
        "members": _in("MEMBER_OF", "Country"),
        "coChairTerms": _out("HAS_TERM", "CoChairTerm"),
        "events": _in("ORGANISED_BY", "Event"),
    },
    "Country": {
        "partnership": _out("MEMBER_OF", "Partnership", many=False),
        "plans": _out("HAS_PLAN", "Plan"),
        "hostedEvents": _in("HOSTED_BY", "Event"),
        "coChairs": _in("REPRESENTS", "CoChair"),
    },
    "Person": {"coChairs": _in("HELD_BY", "CoChair")},
    "CoChairTerm": {
        "chairs": _out("HAS_CHAIR", "CoChair"),
        "partnership": _in("HAS_TERM", "Partnership", many=False),
    },
    "CoChair": {
        "term": _in("HAS_CHAIR", "CoChairTerm", many=False),
        "country": _out("REPRESENTS", "Country", many=False),
        "person": _out("HELD_BY", "Person", many=False),
    },
    "Plan": {
        "country": _in("HAS_PLAN", "Country", many=False),
        "commitments": _out("HAS_COMMITMENT", "Commitment"),
        "reports": _in("ASSESSES", "Report"),
        "themes": _out("HAS_THEME", "Theme"),
        "initiatives": _out("ESTABLISHED", "Initiative"),
        "guidedBy": _in("GUIDED", "Initiative"),
        "statuses": _out("HAS_STATUS_LEVEL", "Status"),
        "reportingPeriods": _out("HAS_PERIOD", "ReportingPeriod"),
    },
    "Theme": {"plan": _in("HAS_THEME", "Plan", many=False)},
    "Commitment": {
        "plan": _in("HAS_COMMITMENT", "Plan", many=False),
        "milestones": _out("HAS_MILESTONE", "Milestone"),
    },
    "Milestone": {
        "commitment": _in("HAS_MILESTONE", "Commitment", many=False),
        "indicators": _out("HAS_INDICATOR", "Indicator"),
        "departments": _out("LED_BY", "Department"),
    },
    "Indicator": {
        "milestone": _in("HAS_INDICATOR", "Milestone", many=False),
        "departments": _out("LED_BY", "Department"),
        "updates": _out("HAS_UPDATE", "ProgressUpdate"),
    },
    "Department": {
        "milestones": _in("LED_BY", "Milestone"),
        "indicators": _in("LED_BY", "Indicator"),
    },
    "Status": {
        "plan": _in("HAS_STATUS_LEVEL", "Plan", many=False),
        "updates": _in("HAS_STATUS", "ProgressUpdate"),
    },
    "ReportingPeriod": {
        "plan": _in("HAS_PERIOD", "Plan", many=False),
        "updates": _in("IN_PERIOD", "ProgressUpdate"),
    },
    "ProgressUpdate": {
        "indicator": _in("HAS_UPDATE", "Indicator", many=False),
        "status": _out("HAS_STATUS", "Status", many=False),
        "reportingPeriod": _out("IN_PERIOD", "ReportingPeriod", many=False),
    },
    "Report": {"plan": _out("ASSESSES", "Plan", many=False)},
    "Event": {
        "host": _out("HOSTED_BY", "Country", many=False),
        "organiser": _out("ORGANISED_BY", "Partnership", many=False),
    },
    "Initiative": {
        "establishedBy": _in("ESTABLISHED", "Plan"),
        "guided": _out("GUIDED", "Plan"),
    },
}

#: the default order of each label's lists (then ``id``)
DEFAULT_SORT: dict[str, tuple[tuple[str, str], ...]] = {
    "Partnership": (("id", "ASC"),),
    "Country": (("code", "ASC"),),
    "Person": (("name", "ASC"),),
    "CoChairTerm": (("startYear", "DESC"),),
    "CoChair": (("role", "DESC"),),
    "Plan": (("startYear", "ASC"),),
    "Theme": (("id", "ASC"),),
    "Commitment": (("id", "ASC"),),
    "Milestone": (("id", "ASC"),),
    "Indicator": (("id", "ASC"),),
    "Department": (("code", "ASC"),),
    "Status": (("rank", "ASC"),),
    "ReportingPeriod": (("period", "ASC"),),
    "ProgressUpdate": (("period", "ASC"),),
    "Report": (("published", "ASC"),),
    "Event": (("startDate", "ASC"),),
    "Initiative": (("id", "ASC"),),
}
