"""Search quality measured on a judged set (tests/search_judgements.yaml): MRR and recall@5,
on the test store with the whole partnership loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.writer import WriteReport
from tests.conftest import GraphQLClient

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store

JUDGEMENTS = Path(__file__).with_name("search_judgements.yaml")
MIN_MRR = 0.9
MIN_RECALL_AT_5 = 0.95
#: queries about the whole partnership (members, institutions, policy areas, OGP ids...)
MIN_PARTNERSHIP_QUERIES = 15

_QUERY = """query ($q: String!, $lang: Lang, $types: [EntityType!]) {
  search(query: $q, lang: $lang, types: $types, first: 10) { edges { node { entity { id } } } } }"""


def _judgements() -> list[dict[str, Any]]:
    return yaml.safe_load(JUDGEMENTS.read_text(encoding="utf-8"))


def test_the_judged_set_is_large_and_bilingual() -> None:
    cases = _judgements()
    assert len(cases) >= 40
    assert all(case["first"] for case in cases)
    assert sum(case.get("set") == "partnership" for case in cases) >= MIN_PARTNERSHIP_QUERIES
    languages = {case.get("lang") for case in cases}
    assert {None, "FR"} <= languages


def test_search_ranks_the_judged_entities_first(
    gql: GraphQLClient, partnership_loaded: list[WriteReport]
) -> None:
    reciprocal, recall, misses = [], [], []
    for case in _judgements():
        variables = {"q": case["query"], "lang": case.get("lang"), "types": case.get("types")}
        edges = gql.data(_QUERY, variables)["search"]["edges"]
        ids = [e["node"]["entity"]["id"] for e in edges]
        wanted = set(case["first"])
        rank = next((i + 1 for i, node_id in enumerate(ids) if node_id in wanted), None)
        reciprocal.append(1 / rank if rank else 0.0)
        recall.append(len(wanted & set(ids[:5])) / min(len(wanted), 5))
        if rank != 1 or recall[-1] < 1:
            misses.append(f"{case['query']!r}: got {ids[:5]}")
    mrr = sum(reciprocal) / len(reciprocal)
    recall_at_5 = sum(recall) / len(recall)
    print(
        f"\nsearch quality on {len(recall)} judged queries: MRR {mrr:.3f}, recall@5 {recall_at_5:.3f}"
    )
    for miss in misses:
        print("  not first:", miss)
    assert mrr >= MIN_MRR and recall_at_5 >= MIN_RECALL_AT_5, "\n".join(misses)
