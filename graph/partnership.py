"""Statements of the partnership's merge rule: OGP's current data wins over the 2016 Explorer.

A plan that OGP's current commitment data describes takes its commitments from there
only, whatever the order of loading (docs/partnership-model.md, "Merge rules"): the
Explorer's rows for it are skipped when the store already holds current data for it,
and loading current data removes the Explorer's commitments of the plans it describes.
"""

from __future__ import annotations

from graph.statements import statement

#: ``origin`` of commitments from OGP's current data and from the 2016 Explorer
CURRENT = "OGP_COMMITMENT_DATA"
EXPLORER = "OGP_EXPLORER_2016"

#: plans (ids) that have commitments of ``$origin``
PLANS_WITH_ORIGIN = statement(
    "partnership.plans_with_origin",
    "MATCH (p:Plan)-[:HAS_COMMITMENT]->(c:Commitment) WHERE c.origin = $origin "
    "RETURN DISTINCT p.id AS plan",
)

#: remove the commitments of ``$origin`` of the plans ``$plans``; ``n``: how many, ``gone``:
#: what the search index held of them (see graph.writer.Removal)
DROP_COMMITMENTS = statement(
    "partnership.drop_commitments",
    "UNWIND $plans AS pid MATCH (:Plan {id: pid})-[:HAS_COMMITMENT]->(c:Commitment) "
    "WHERE c.origin = $origin WITH collect(DISTINCT c) AS found "
    "WITH found, [c IN found WHERE c.searchDoc IS NOT NULL | [c.searchDoc, c.searchIndexed]] "
    "AS gone FOREACH (c IN found | DETACH DELETE c) RETURN size(found) AS n, gone",
)
