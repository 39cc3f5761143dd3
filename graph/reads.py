"""Fixed read statements: plan neighbours, progress, catalogues of plans.

Their patterns are written from the declared links (:func:`graph.domain.path_pattern`),
so a renamed relationship type changes them too.
"""

from __future__ import annotations

from graph.domain import path_pattern
from graph.statements import statement

_COUNTRY = path_pattern("Plan", ("country",), "p", "c")
_COUNTRY_PLANS = path_pattern("Country", ("plans",), "c", "q")
_INDICATORS = ("commitments", "milestones", "indicators")
_PLAN_INDICATORS = path_pattern("Plan", _INDICATORS, "p", "i")
_UPDATES = path_pattern("Indicator", ("updates",), "i", "u")
_LATEST_STATUS = path_pattern("ProgressUpdate", ("status",), "latest", "s")

PLAN_NEIGHBOURS = statement(
    "reads.plan_neighbours",
    "MATCH (p:Plan) WHERE p.id IN $ids "
    f"OPTIONAL MATCH {_COUNTRY} "
    f"OPTIONAL MATCH {_COUNTRY_PLANS} WHERE q.id <> p.id "
    "WITH p, q ORDER BY q.startYear, q.id_sort "
    "WITH p, collect(q) AS others "
    "RETURN p.id AS id, "
    "[x IN others WHERE x.startYear < p.startYear | properties(x)] AS before, "
    "[x IN others WHERE x.startYear > p.startYear | properties(x)] AS after",
)

#: for each plan: how many of its indicators stand at each status in a period
#: (the latest update at or before it; ``$period`` null means the latest of all)
PLAN_PROGRESS = statement(
    "reads.plan_progress",
    "MATCH (p:Plan) WHERE p.id IN $ids "
    f"MATCH {_PLAN_INDICATORS} "
    f"OPTIONAL MATCH {_UPDATES} "
    "WHERE $period IS NULL OR u.period <= $period "
    "WITH p, i, u ORDER BY u.period DESC "
    "WITH p, i, collect(u)[0] AS latest "
    f"OPTIONAL MATCH {_LATEST_STATUS} "
    "RETURN p.id AS plan, s.id AS status, count(i) AS count",
)

PLAN_CATALOGUES = statement(
    "reads.plan_catalogues",
    f"MATCH (p:Plan) WHERE EXISTS {{ MATCH {path_pattern('Plan', ('reportingPeriods',), 'p', '')} }} "
    "RETURN p.id AS plan, "
    f"[{path_pattern('Plan', ('reportingPeriods',), 'p', 'r')} | r.period] AS periods, "
    f"[{path_pattern('Plan', ('statuses',), 'p', 's')} | s.code] AS statuses, "
    f"[{path_pattern('Plan', ('commitments',), 'p', 'c')}"
    f"{path_pattern('Commitment', ('milestones',), '', 'm')[2:]}"
    f"{path_pattern('Milestone', ('indicators',), '', 'i')[2:]} | [i.code, m.code, c.code]] "
    "AS indicators",
)

#: the same count for every reporting period of each plan at once, for charts over time
PLAN_PROGRESS_BY_PERIOD = statement(
    "reads.plan_progress_by_period",
    "MATCH (p:Plan) WHERE p.id IN $ids "
    f"MATCH {path_pattern('Plan', ('reportingPeriods',), 'p', 'r')} "
    f"MATCH {_PLAN_INDICATORS} "
    f"OPTIONAL MATCH {_UPDATES} WHERE u.period <= r.period "
    "WITH p, r, i, u ORDER BY u.period DESC "
    "WITH p, r, i, collect(u)[0] AS latest "
    f"OPTIONAL MATCH {_LATEST_STATUS} "
    "RETURN p.id AS plan, r.period AS period, s.id AS status, count(i) AS count",
)
