"""The benchmark's hand-written statements answer what ogp-graph answers (bench/queries.py).

Their p50 is the floor ogp-graph's latency is measured against, so each must answer the
same question: the same nodes, in the order the question asks, not the store's order.
"""

from __future__ import annotations

from bench.compare import hand_answer
from bench.queries import cases
from graph.store import BoltEndpoint
from tests.conftest import GraphQLClient, run


def test_every_hand_written_statement_answers_as_ogp_graph(
    gql: GraphQLClient, store_endpoint: BoltEndpoint
) -> None:
    checked = [case for case in cases() if case.cypher_shape is not None]
    assert len(checked) == len(cases()) - 1  # search: BM25 ranks in Python, not in a statement
    for case in checked:
        ours = case.ours_shape(gql.data(case.ours))
        assert run(hand_answer(store_endpoint, case)) == ours, case.name
