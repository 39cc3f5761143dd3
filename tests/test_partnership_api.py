"""The whole partnership through the API, loaded from the real files of ../shared/data/ogp.

The module loads the 2016 Explorer first, then the whole folder (OGP's current data, the
Explorer again, the process data, the US tracker, the facts tables) into the session
store, so the merge rules are checked in the order that tests them: current data loaded
after the Explorer removes the Explorer's commitments of the plans it describes, and the
Explorer loaded again skips (and counts) its rows of those plans.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from graph.store import BoltEndpoint
from graph.writer import WriteReport
from loaders.errors import SourceError
from loaders.facts import read_co_chairs, read_summits
from loaders.ogp_commitments import read_ogp_commitments
from tests.conftest import GraphQLClient, load_sources
from tests.partnership_data import (
    COMMITMENTS_CSV,
    EXPLORER_CSV,
    FACTS_DIR,
    US_TRACKER_DIR,
    csv_rows,
    csv_text,
    text_of,
)

pytestmark = pytest.mark.store


@pytest.fixture(scope="module")
def reports(partnership_loaded: list[WriteReport]) -> dict[str, WriteReport]:
    """Every report of the second load, by document name prefix."""
    return {r.document.split(":", 1)[0]: r for r in partnership_loaded}


@pytest.fixture(scope="module")
def ogp_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text_of(COMMITMENTS_CSV), newline="")))


def test_the_folder_loads_every_format(reports: dict[str, WriteReport]) -> None:
    assert set(reports) == {
        "ogp-commitments",
        "ogp-explorer-2016",
        "ogp-process-2016",
        "us-tracker",
    }
    removed = reports["ogp-commitments"].removed
    assert sum(removed.values()) > 0  # the Explorer's commitments of the plans it describes
    skipped = reports["ogp-explorer-2016"].skipped
    assert skipped == {"plan described by OGP's current commitment data": 1119}
    assert "skipped 1119 rows" in reports["ogp-explorer-2016"].summary()


def test_commitment_counts_per_plan(
    reports: dict[str, WriteReport], gql: GraphQLClient, ogp_rows: list[dict[str, str]]
) -> None:
    per_plan = Counter(row["Action Plan ID"] for row in ogp_rows)
    for plan_id in sorted(per_plan)[::12]:
        data = gql.data(
            "query($id: String!) { plans(where: {ogpId: {eq: $id}}) { totalCount edges { node {"
            " ogpId commitmentCount commitmentsAggregate(where: {origin: {eq: OGP_EXPLORER_2016}})"
            " { count } } } } }",
            {"id": plan_id},
        )["plans"]
        assert data["totalCount"] == 1, plan_id
        node = data["edges"][0]["node"]
        assert node["ogpId"] == plan_id
        assert node["commitmentsAggregate"]["count"] == 0, plan_id  # current data wins
        ogp_count = node["commitmentCount"]
        assert ogp_count >= per_plan[plan_id], plan_id


def test_counts_per_member(
    reports: dict[str, WriteReport], gql: GraphQLClient, ogp_rows: list[dict[str, str]]
) -> None:
    per_member = Counter(row["Code"] for row in ogp_rows)
    for code in ("ALB", "ARBA", "CAN", "USA", "GBSC"):
        where = {"origin": {"eq": "OGP_COMMITMENT_DATA"}}
        data = gql.data(
            "query($code: String!, $where: CommitmentWhere) { member(code: $code) {"
            " ... on Country { code plans { edges { node { commitmentsAggregate(where: $where)"
            " { count } } } } }"
            " ... on LocalGovernment { code plans { edges { node { commitmentsAggregate("
            "where: $where) { count } } } } } } }",
            {"code": code, "where": where},
        )["member"]
        assert data is not None and data["plans"] is not None, (code, data)
        total = sum(e["node"]["commitmentsAggregate"]["count"] for e in data["plans"]["edges"])
        assert (data["code"], total) == (code, per_member[code])


def test_ratings_and_tags_of_sampled_commitments(
    reports: dict[str, WriteReport], gql: GraphQLClient
) -> None:
    parsed = read_ogp_commitments(text_of(COMMITMENTS_CSV), COMMITMENTS_CSV.name)
    by_member: dict[str, list] = {}
    for item in parsed.commitments:
        by_member.setdefault(item.row.code, []).append(item)
    sampled = [
        items[0]
        for code, items in sorted(by_member.items())
        if code in ("ALB", "CAN", "ESMD", "MEX", "USA", "PHSC", "XKX")
    ]
    assert len(sampled) >= 4
    for item in sampled:
        row = item.row
        data = gql.data(
            "query($id: String!) { commitment(ogpId: $id) { ogpId potentialImpact"
            " potentialImpactReason specificity specificityReason completionEndOfTerm starred"
            " policyAreas { name } plan { ogpId } } }",
            {"id": row.ogp_id},
        )["commitment"]
        assert data["ogpId"] == row.ogp_id
        assert data["plan"]["ogpId"] == row.plan_id
        for field, rated in (
            ("potentialImpact", row.potential_impact),
            ("specificity", row.specificity),
        ):
            value = rated.value.value if rated.value is not None else None
            reason = rated.reason.value if rated.reason is not None else None
            assert (data[field], data[f"{field}Reason"]) == (value, reason), (row.ogp_id, field)
        assert sorted(a["name"] for a in data["policyAreas"]) == sorted(item.tags)


def test_codes_are_not_ratings(reports: dict[str, WriteReport], gql: GraphQLClient) -> None:
    data = gql.data(
        "{ commitmentsAggregate(where: {specificityReason: {eq: NO_DATA},"
        " origin: {eq: OGP_COMMITMENT_DATA}}) { count }"
        " rated: commitmentsAggregate(where: {specificityReason: {eq: NO_DATA},"
        " specificity: {in: [NONE, LOW, MEDIUM, HIGH]}}) { count } }"
    )
    assert data["commitmentsAggregate"]["count"] == 264  # NDs of the current data
    assert data["rated"]["count"] == 0


def test_local_members(
    reports: dict[str, WriteReport], gql: GraphQLClient, ogp_rows: list[dict[str, str]]
) -> None:
    local = {
        row["Code"] for row in ogp_rows if row["National Or Local"].strip().lower() != "national"
    }
    data = gql.data(
        "{ localGovernments(first: 100) { edges { node { code name memberCategory"
        " country { code } region { code } } } } }"
    )
    nodes = {e["node"]["code"]: e["node"] for e in data["localGovernments"]["edges"]}
    assert set(nodes) >= local
    for code in local:
        assert nodes[code]["country"] is not None and nodes[code]["region"] is not None
        assert nodes[code]["memberCategory"] in ("LOCAL", "LEGACY_LOCAL")


def test_canada_plans_are_single_nodes(reports: dict[str, WriteReport], gql: GraphQLClient) -> None:
    data = gql.data(
        '{ country(code: "CAN") { plans(first: 50) { edges { node { id ogpId ordinal } } } } }'
    )
    plans = [e["node"] for e in data["country"]["plans"]["edges"]]
    ordinals = [p["ordinal"] for p in plans if p["ordinal"] is not None]
    assert len(ordinals) == len(set(ordinals))
    assert all(p["id"].startswith("Plan:CAN-") for p in plans), plans
    by_ogp = {p["ogpId"]: p["id"] for p in plans}
    assert by_ogp["AP_CAN04"] == "Plan:CAN-2018-2020"


def test_us_tracker_statuses(reports: dict[str, WriteReport], gql: GraphQLClient) -> None:
    pages = sorted((US_TRACKER_DIR / "_subcommitments").glob("*.md"))
    expected: Counter[str] = Counter()
    for page in pages:
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("commitment_status:"):
                expected[line.split(":", 1)[1].strip().strip("\"'")] += 1
    data = gql.data(
        '{ plans(where: {ogpId: {eq: "AP_USA05"}}) { edges { node { statuses { code label'
        " updatesAggregate { count } } } } } }"
    )
    statuses = data["plans"]["edges"][0]["node"]["statuses"]
    got = {s["label"]: s["updatesAggregate"]["count"] for s in statuses}
    assert sum(got.values()) == len(pages) == sum(expected.values())
    assert {k.lower() for k, v in got.items() if v} == {k.lower() for k in expected}


def test_every_co_chair_term_and_summit(
    reports: dict[str, WriteReport], gql: GraphQLClient
) -> None:
    seats = read_co_chairs(text_of(FACTS_DIR / "co-chairs.csv"), "co-chairs.csv")
    years = {row.term_start[:4] for _, row in seats if row.term_start}
    data = gql.data(
        "{ coChairTerms(first: 50) { totalCount edges { node { startYear endYear chairs {"
        " role position } } } } }"
    )
    assert data["coChairTerms"]["totalCount"] == 15
    starts = [e["node"]["startYear"] for e in data["coChairTerms"]["edges"]]
    assert sorted(starts) == list(range(2011, 2026))
    assert {str(year) for year in starts} >= years - {"2026"}
    summits = read_summits(text_of(FACTS_DIR / "global-summits.csv"), "global-summits.csv")
    events = gql.data(
        "{ events(where: {kind: {eq: GLOBAL_SUMMIT}}, first: 20) { edges { node {"
        " ordinal startDate endDate city host { code } } } } }"
    )["events"]["edges"]
    got = {e["node"]["ordinal"]: e["node"] for e in events}
    assert sorted(got) == list(range(1, 10))
    for _, row in summits:
        assert got[row.ordinal]["city"] == row.city
        # the seed's facts win where it states them (2019: `2019-05`)
        assert row.start_date is not None and row.start_date.startswith(
            got[row.ordinal]["startDate"]
        )
        assert got[row.ordinal]["endDate"] == row.end_date


def test_dashboard_groupings(reports: dict[str, WriteReport], gql: GraphQLClient) -> None:
    data = gql.data(
        "{ byRegion: commitmentsAggregate { groupedBy(by: [REGION, POLICY_AREA]) { keys count } }"
        " byImpact: commitmentsAggregate { groupedBy(by: [POTENTIAL_IMPACT, COMPLETION]) { keys"
        " count } } starred: commitmentsAggregate { groupedBy(by: [MEMBER, STARRED]) { keys"
        " count } } years: commitmentsAggregate { groupedBy(by: [SUBMISSION_YEAR]) { keys count } }"
        " americas: commitmentsAggregate(where: {starred: {eq: true}, plan: {country: {region:"
        ' {code: {eq: "americas"}}}}, policyAreas: {some: {name: {eq: "Right To Information"}}}})'
        " { count } transformative: commitmentsAggregate(where: {potentialImpact: {eq:"
        " TRANSFORMATIVE}}) { count } }"
    )
    assert any(g["keys"][0] == "Region:americas" for g in data["byRegion"]["groupedBy"])
    assert any(g["keys"] == ["TRANSFORMATIVE", "COMPLETE"] for g in data["byImpact"]["groupedBy"])
    assert any(g["keys"][1] == "true" for g in data["starred"]["groupedBy"])
    assert any(g["keys"] == ["2012"] for g in data["years"]["groupedBy"])
    assert data["americas"]["count"] > 0 and data["transformative"]["count"] > 0


def test_policy_areas_tree(reports: dict[str, WriteReport], gql: GraphQLClient) -> None:
    data = gql.data(
        "{ policyAreas(where: {isFamily: {eq: true}}, first: 50) { edges { node { name"
        " areas { name family { name } } } } } }"
    )
    families = {e["node"]["name"]: e["node"]["areas"] for e in data["policyAreas"]["edges"]}
    anti = families["Anti-Corruption and Integrity"]
    assert "Beneficial Ownership" in {a["name"] for a in anti}
    assert all(a["family"]["name"] == "Anti-Corruption and Integrity" for a in anti)


def test_bad_rows_are_refused_and_nothing_written(
    reports: dict[str, WriteReport],
    gql: GraphQLClient,
    store_endpoint: BoltEndpoint,
    tmp_path: Path,
) -> None:
    rows = csv_rows(COMMITMENTS_CSV)
    header, body = rows[0], [list(r) for r in rows[1:4]]
    body[1][header.index("Potential Impact")] = "Enormous"
    body[2][header.index("Commitment Unique Identifier")] = "ZZ9999"
    path = tmp_path / "bad.csv"
    path.write_text(csv_text([header, *body]), encoding="utf-8")
    before = gql.data("{ commitmentsAggregate { count } }")
    with pytest.raises(SourceError) as raised:
        load_sources(store_endpoint, path)
    text = str(raised.value)
    assert "bad.csv" in text and "line 3" in text and "Potential Impact" in text
    assert gql.data("{ commitmentsAggregate { count } }") == before


def test_unknown_country_names_are_listed(
    reports: dict[str, WriteReport], store_endpoint: BoltEndpoint, tmp_path: Path
) -> None:
    rows = csv_rows(EXPLORER_CSV)
    header_at = 1
    country = rows[header_at].index("Country")
    rows[header_at + 1][country] = "Atlantis"
    path = tmp_path / "explorer.csv"
    path.write_text(csv_text(rows[: header_at + 4]), encoding="utf-8")
    with pytest.raises(SourceError, match="unknown country name 'Atlantis'"):
        load_sources(store_endpoint, path)
