"""Search through the API, as a user meets it: the issue's examples, highlights, pages, counts."""

from __future__ import annotations

import pytest

from graph.writer import WriteReport
from tests.conftest import GraphQLClient

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store

SEARCH = """query ($q: String!, $lang: Lang, $types: [EntityType!], $first: Int, $after: String) {
  search(query: $q, lang: $lang, types: $types, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { score entity { __typename id } matches { field lang snippet } } } } }"""


def _search(gql: GraphQLClient, q: str, **variables: object) -> dict:
    return gql.data(SEARCH, {"q": q, "first": 10, **variables})["search"]


def _ids(result: dict) -> list[str]:
    return [e["node"]["entity"]["id"] for e in result["edges"]]


def test_small_words_no_longer_match_nearly_everything(gql: GraphQLClient) -> None:
    everything = gql.data("{ commitmentsAggregate { count } milestonesAggregate { count } }")
    result = _search(gql, "accès à l'information")
    assert 0 < result["totalCount"] < everything["milestonesAggregate"]["count"] // 3
    assert _ids(result)[0] == "Commitment:CAN-2018-2020:C07"
    # not "Nor-the-rn"; OGP's data names one Serbian institution "the": a whole-name match
    assert set(_ids(_search(gql, "the"))) <= {"Department:SRB:the"}
    assert _search(gql, "l'")["totalCount"] == 0


def test_abbreviations_and_codes_find_their_entity_first(gql: GraphQLClient) -> None:
    tbs = _search(gql, "TBS")
    assert _ids(tbs)[0] == "Department:tbs-sct"
    assert tbs["edges"][0]["node"]["score"] == 1.0 > tbs["edges"][1]["node"]["score"]
    code = _ids(_search(gql, "C01.1.1"))
    assert code[0].startswith("Indicator:") and code[0].endswith(":C01.1.1")
    assert all(i.endswith(":C01.1.1") for i in code)  # no substring matches of C01.1.10...


def test_both_languages_accents_and_plurals_meet(gql: GraphQLClient) -> None:
    counts = {q: _search(gql, q)["totalCount"] for q in ("reconciliation", "réconciliation")}
    assert counts["reconciliation"] == counts["réconciliation"] > 0
    assert _search(gql, "donnée")["totalCount"] == _search(gql, "données")["totalCount"] > 0
    only_fr = _search(gql, "gouvernement", lang="FR")["totalCount"]
    only_en = _search(gql, "gouvernement", lang="EN")["totalCount"]
    assert only_fr > only_en


def test_phrases_rank_above_scattered_words(gql: GraphQLClient) -> None:
    ids = _ids(_search(gql, "open data", types=["MILESTONE"]))
    hits = _search(gql, "open data", types=["MILESTONE"])["edges"]
    first = hits[0]["node"]["matches"][0]["snippet"]
    assert "<mark>open</mark> <mark>data</mark>" in first.lower(), (ids, first)


def test_hits_say_which_field_matched_with_marked_words(gql: GraphQLClient) -> None:
    hit = _search(gql, "TBS")["edges"][0]["node"]
    assert {"field": "abbreviation", "lang": "EN", "snippet": "<mark>TBS</mark>"} in hit["matches"]
    french = _search(gql, "accès à l'information", lang="FR")["edges"][0]["node"]
    assert french["matches"][0] == {
        "field": "title",
        "lang": "FR",
        "snippet": "<mark>Accès</mark> à l’<mark>information</mark>",
    }


def test_types_and_pages_are_consistent(gql: GraphQLClient) -> None:
    plans = _search(gql, "open government", types=["PLAN"])
    assert plans["totalCount"] >= 4
    assert {e["node"]["entity"]["__typename"] for e in plans["edges"]} == {"Plan"}
    # a word with a few hundred matches, with or without the partnership loaded
    seen, after = [], None
    while True:
        page = _search(gql, "gouvernement", lang="FR", first=7, after=after)
        seen += _ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    whole = _search(gql, "gouvernement", lang="FR", first=500)
    assert seen == _ids(whole) and len(seen) == len(set(seen)) == whole["totalCount"] > 7


def test_names_rank_first_and_empty_queries_are_refused(gql: GraphQLClient) -> None:
    hits = _search(gql, "Nathaniel Heller")["edges"]
    assert hits[0]["node"]["entity"]["id"] in (
        "Person:nathaniel-heller",
        "CoChair:2018-2019:CIVIL_SOCIETY",
    )
    assert hits[0]["node"]["score"] == 1.0
    assert "at least one word" in gql.error('{ search(query: "  ") { totalCount } }')


def test_counts_are_entities_that_exist_after_the_explorer_is_replaced(
    gql: GraphQLClient, partnership_loaded: list[WriteReport]
) -> None:
    # loading OGP's current data removes the 2016 Explorer's commitments of the plans it
    # describes: they leave the search index in the same transaction
    removed = sum(sum(report.removed.values()) for report in partnership_loaded)
    assert removed > 0
    for query in ("Albania", "open contracting", "access to information"):
        result = _search(gql, query, first=500)
        assert result["totalCount"] == len(result["edges"]) > 0, query
