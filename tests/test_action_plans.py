"""Canada's 2018-2020, 2022-2024 and 2025-2029 plans, loaded from the portal's real
tracker definitions (../shared/data/canada-nap) and a tracker records CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import BoltEndpoint, Store
from ogp_graph.loading import load_locations
from tests.conftest import TRACKER_CSV, GraphQLClient, run

pytestmark = pytest.mark.store  # the embedded store (a JVM) and the app

#: plan -> (commitments, milestones, indicators, departments), counted in the files
COUNTS = {
    "Plan:CAN-2018-2020": (10, 56, 135, 18),
    "Plan:CAN-2022-2024": (5, 19, 106, 16),
    "Plan:CAN-2025-2029": (4, 19, 65, 9),
}

PLAN_COUNTS = """query ($plan: ID!) {
  plan(id: $plan) { startYear endYear declaredCommitmentCount commitmentsAggregate { count } }
  milestonesAggregate(where: { commitment: { plan: { id: { eq: $plan } } } }) { count }
  indicatorsAggregate(where: { milestone: { commitment: { plan: { id: { eq: $plan } } } } }) { count }
  departmentsAggregate(where: { OR: [
    { milestones: { some: { commitment: { plan: { id: { eq: $plan } } } } } }
    { indicators: { some: { milestone: { commitment: { plan: { id: { eq: $plan } } } } } } }
  ] }) { count }
}"""


@pytest.mark.parametrize("plan_id", list(COUNTS))
def test_each_plan_has_exactly_the_files_counts(gql: GraphQLClient, plan_id: str) -> None:
    data = gql.data(PLAN_COUNTS, {"plan": plan_id})
    commitments, milestones, indicators, departments = COUNTS[plan_id]
    assert data["plan"]["commitmentsAggregate"]["count"] == commitments
    assert data["plan"]["declaredCommitmentCount"] == commitments
    assert data["milestonesAggregate"]["count"] == milestones
    assert data["indicatorsAggregate"]["count"] == indicators
    assert data["departmentsAggregate"]["count"] == departments
    start, end = plan_id.split("-")[1:]
    assert (data["plan"]["startYear"], data["plan"]["endYear"]) == (int(start), int(end))


def test_the_same_department_across_plans_is_one_node(gql: GraphQLClient) -> None:
    data = gql.data(
        '{ departmentsAggregate { count } department(code: "TBS") { id code abbreviation '
        "fr: abbreviation(lang: FR) name frName: name(lang: FR) milestones(first: 500) { edges "
        "{ node { commitment { plan { id } } } } } indicators(first: 500) { edges { node "
        "{ milestone { commitment { plan { id } } } } } } } }"
    )
    assert data["departmentsAggregate"]["count"] == 24
    tbs = data["department"]
    assert tbs["id"] == "Department:tbs-sct" and tbs["code"] == "tbs-sct"
    assert (tbs["abbreviation"], tbs["fr"]) == ("TBS", "SCT")
    assert tbs["name"] == "Treasury Board of Canada Secretariat"
    assert tbs["frName"] == "Secrétariat du Conseil du Trésor du Canada"
    plans = {e["node"]["commitment"]["plan"]["id"] for e in tbs["milestones"]["edges"]}
    plans |= {
        e["node"]["milestone"]["commitment"]["plan"]["id"] for e in tbs["indicators"]["edges"]
    }
    assert plans == set(COUNTS)
    # found by its French abbreviation too
    assert gql.data('{ department(code: "sct") { code } }')["department"] == {"code": "tbs-sct"}


def test_2018_departments_come_from_the_last_parentheses_in_both_languages(
    gql: GraphQLClient,
) -> None:
    data = gql.data(
        '{ a: node(id: "Milestone:CAN-2018-2020:C01.1") { ...M } '
        '  b: node(id: "Milestone:CAN-2018-2020:C01.2") { ...M } '
        '  c: node(id: "Milestone:CAN-2018-2020:C06.2") { ...M } }'
        " fragment M on Milestone { code title fr: title(lang: FR) fullText "
        " departments { edges { node { code abbreviation fr: abbreviation(lang: FR) } } } }"
    )
    first = data["a"]
    assert first["title"] == "Make improvements to open.canada.ca"
    assert first["fr"] == "Apporter des améliorations au site ouvert.canada.ca"
    assert [e["node"]["code"] for e in first["departments"]["edges"]] == ["tbs-sct"]
    second = {e["node"]["abbreviation"]: e["node"]["fr"] for e in data["b"]["departments"]["edges"]}
    assert second == {"CSPS": "EFPC", "TBS": "SCT"}
    # "(RRM)" names a mechanism, not a department: it stays in the title
    rrm = data["c"]
    assert "(RRM)" in rrm["title"]
    assert [e["node"]["code"] for e in rrm["departments"]["edges"]] == ["dfatd-maecd"]


def test_indicators_carry_dates_deadlines_and_lead_departments(gql: GraphQLClient) -> None:
    data = gql.data(
        '{ a: node(id: "Indicator:CAN-2022-2024:C01.1.1") { ...I } '
        '  b: node(id: "Indicator:CAN-2025-2029:C01.1.1") { ...I } '
        '  c: node(id: "Indicator:CAN-2018-2020:C01.1.1") { ...I } }'
        " fragment I on Indicator { code title fr: title(lang: FR) dueDate deadline "
        " deadlineFr: deadline(lang: FR) milestone { code commitment { code } } "
        " departments { edges { node { code } } } }"
    )
    nap5, nap6, nap4 = data["a"], data["b"], data["c"]
    assert nap5["dueDate"] == "2023-12"
    assert (nap5["deadline"], nap5["deadlineFr"]) == ("By 2023", "D'ici 2023")
    assert [e["node"]["code"] for e in nap5["departments"]["edges"]] == ["nrcan-rncan"]
    assert nap5["title"].startswith("Add content and features to the Open Science")
    assert nap5["fr"].startswith("Ajouter du contenu")
    assert nap5["milestone"] == {"code": "C01.1", "commitment": {"code": "C01"}}
    assert nap6["dueDate"] is None
    assert (nap6["deadline"], nap6["deadlineFr"]) == ("Fall 2027", "Automne 2027")
    assert [e["node"]["code"] for e in nap6["departments"]["edges"]] == ["rcmp-grc"]
    assert nap4["code"] == "C01.1.1" and nap4["dueDate"]


def test_plans_carry_their_periods_and_status_scale(gql: GraphQLClient) -> None:
    data = gql.data(
        '{ plan(id: "Plan:CAN-2025-2029") { reportingPeriods { period } '
        "statuses { code label fr: label(lang: FR) rank } previous { id } } }"
    )
    plan = data["plan"]
    assert [p["period"] for p in plan["reportingPeriods"]][:2] == ["2025-12", "2026-06"]
    assert len(plan["reportingPeriods"]) == 9
    assert [s["code"] for s in plan["statuses"]] == ["NS", "LP", "SP", "C"]
    assert all(s["label"] and s["fr"] and s["label"] != s["fr"] for s in plan["statuses"])
    assert plan["previous"] == {"id": "Plan:CAN-2022-2024"}


def test_the_2018_plan_is_one_node_for_the_document_and_the_tracker(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ plansAggregate(where: { startYear: { eq: 2018 } }) { count } "
        ' plan(id: "Plan:CAN-2018-2020") { title ordinal themes { kind } reports { totalCount } '
        " commitments(first: 1) { edges { node { code title fr: title(lang: FR) url } } } } }"
    )
    assert data["plansAggregate"]["count"] == 1
    plan = data["plan"]
    assert plan["title"] == "Canada's 2018-2020 National Action Plan on Open Government"
    assert plan["ordinal"] == 4 and plan["themes"] == [{"kind": "PRIORITY_AREA"}]
    first = plan["commitments"]["edges"][0]["node"]
    assert first == {
        "code": "C01",
        "title": "User-friendly open government",
        "fr": "Gouvernement ouvert facile à comprendre",
        "url": "https://open.canada.ca/en/content/canadas-2018-2020-national-action-plan-open-government#toc4",
    }


PROGRESS = """query ($period: String) { plan(id: "Plan:CAN-2022-2024") {
    progress(period: $period) { status { code label(lang: FR) } count } } }"""


def _progress(gql: GraphQLClient, period: str | None) -> dict[str | None, int]:
    rows = gql.data(PROGRESS, {"period": period})["plan"]["progress"]
    return {(r["status"] or {}).get("code"): r["count"] for r in rows}


def test_progress_counts_the_latest_status_at_a_period(gql: GraphQLClient) -> None:
    assert _progress(gql, "2022-12") == {"NS": 0, "LP": 1, "SP": 0, "C": 0, None: 105}
    assert _progress(gql, "2023-06") == {"NS": 0, "LP": 0, "SP": 1, "C": 1, None: 104}
    assert _progress(gql, None) == _progress(gql, "2024-12") == _progress(gql, "2023-06")
    assert _progress(gql, "2020-01") == {"NS": 0, "LP": 0, "SP": 0, "C": 0, None: 106}


def test_updates_keep_their_text_in_both_languages(gql: GraphQLClient) -> None:
    data = gql.data(
        '{ node(id: "Indicator:CAN-2022-2024:C01.1.2") { ... on Indicator { updates { edges '
        "{ node { period status { code label } progress fr: progress(lang: FR) challenges "
        "challengesFr: challenges(lang: FR) } } } } } }"
    )
    (update,) = [e["node"] for e in data["node"]["updates"]["edges"]]
    assert update["period"] == "2023-06"
    assert update["status"] == {"code": "C", "label": "Complete"}
    assert update["progress"] == "Done.\nAll of it."  # a quoted field with a line break
    assert update["fr"] == "Fini."
    assert (update["challenges"], update["challengesFr"]) == ("Delays", "Retards")


def test_a_new_record_replaces_the_earlier_one_for_the_same_period(
    store_endpoint: BoltEndpoint, gql: GraphQLClient, tmp_path: Path, tracker_csv: Path
) -> None:
    changed = tmp_path / "later.csv"
    changed.write_text(
        TRACKER_CSV.replace("SP: Substantial progress,More done", "C,All done"), encoding="utf-8"
    )

    async def load(path: Path) -> None:
        store = Store.connect(store_endpoint, 30)
        try:
            await load_locations(store, [str(path)])
        finally:
            await store.close()

    query = (
        '{ node(id: "Indicator:CAN-2022-2024:C01.1.1") { ... on Indicator { updatesAggregate '
        "{ count } updates { edges { node { period status { code } progress } } } } } }"
    )
    try:
        run(load(changed))
        indicator = gql.data(query)["node"]
        assert indicator["updatesAggregate"]["count"] == 2
        june = [e["node"] for e in indicator["updates"]["edges"]][1]
        assert june == {"period": "2023-06", "status": {"code": "C"}, "progress": "All done"}
    finally:
        run(load(tracker_csv))
    june = [e["node"] for e in gql.data(query)["node"]["updates"]["edges"]][1]
    assert june["status"] == {"code": "SP"}
