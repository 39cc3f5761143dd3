"""Fixed read statements: plan neighbours, progress, catalogues of plans."""

from __future__ import annotations

from graph.statements import statement

PLAN_NEIGHBOURS = statement(
    "reads.plan_neighbours",
    "MATCH (p:Plan) WHERE p.id IN $ids "
    "OPTIONAL MATCH (p)<-[:HAS_PLAN]-(c:Country) "
    "OPTIONAL MATCH (c)-[:HAS_PLAN]->(q:Plan) WHERE q.id <> p.id "
    "WITH p, q ORDER BY q.startYear "
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
    "MATCH (p)-[:HAS_COMMITMENT]->(:Commitment)-[:HAS_MILESTONE]->(:Milestone)"
    "-[:HAS_INDICATOR]->(i:Indicator) "
    "OPTIONAL MATCH (i)-[:HAS_UPDATE]->(u:ProgressUpdate) "
    "WHERE $period IS NULL OR u.period <= $period "
    "WITH p, i, u ORDER BY u.period DESC "
    "WITH p, i, collect(u)[0] AS latest "
    "OPTIONAL MATCH (latest)-[:HAS_STATUS]->(s:Status) "
    "RETURN p.id AS plan, s.id AS status, count(i) AS count",
)

PLAN_CATALOGUES = statement(
    "reads.plan_catalogues",
    "MATCH (p:Plan) WHERE EXISTS { MATCH (p)-[:HAS_PERIOD]->(:ReportingPeriod) } "
    "RETURN p.id AS plan, "
    "[(p)-[:HAS_PERIOD]->(r:ReportingPeriod) | r.period] AS periods, "
    "[(p)-[:HAS_STATUS_LEVEL]->(s:Status) | s.code] AS statuses, "
    "[(p)-[:HAS_COMMITMENT]->(c:Commitment)-[:HAS_MILESTONE]->(m:Milestone)"
    "-[:HAS_INDICATOR]->(i:Indicator) | [i.code, m.code, c.code]] AS indicators",
)

#: the same count for every reporting period of each plan at once, for charts over time
PLAN_PROGRESS_BY_PERIOD = statement(
    "reads.plan_progress_by_period",
    "MATCH (p:Plan) WHERE p.id IN $ids "
    "MATCH (p)-[:HAS_PERIOD]->(r:ReportingPeriod) "
    "MATCH (p)-[:HAS_COMMITMENT]->(:Commitment)-[:HAS_MILESTONE]->(:Milestone)"
    "-[:HAS_INDICATOR]->(i:Indicator) "
    "OPTIONAL MATCH (i)-[:HAS_UPDATE]->(u:ProgressUpdate) WHERE u.period <= r.period "
    "WITH p, r, i, u ORDER BY u.period DESC "
    "WITH p, r, i, collect(u)[0] AS latest "
    "OPTIONAL MATCH (latest)-[:HAS_STATUS]->(s:Status) "
    "RETURN p.id AS plan, r.period AS period, s.id AS status, count(i) AS count",
)
