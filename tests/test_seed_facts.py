"""Every fact of the source document (../shared/seed), asked of the API as a user would."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.store  # the embedded store (a JVM) and the app


def test_canada_joined_the_partnership_in_september_2011(gql: GraphQLClient) -> None:
    data = gql.data('{ country(code: "CAN") { code name nameFr: name(lang: FR) memberSince } }')
    assert data["country"] == {
        "code": "CAN",
        "name": "Canada",
        "nameFr": "Canada",
        "memberSince": "2011-09",
    }


def test_the_partnership_had_79_member_countries_in_2018(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ partnership { id name abbreviation frName: name(lang: FR) frAbbr: abbreviation(lang: FR)"
        " memberCount memberCountYear members(first: 200) { edges { node { code } } } } }"
    )
    ogp = data["partnership"]
    assert ogp["id"] == "Partnership:OGP"
    assert ogp["name"] == "Open Government Partnership"
    assert ogp["frName"] == "Partenariat pour un gouvernement ouvert"
    assert (ogp["abbreviation"], ogp["frAbbr"]) == ("OGP", "PGO")
    assert (ogp["memberCount"], ogp["memberCountYear"]) == (79, 2018)
    assert {e["node"]["code"] for e in ogp["members"]["edges"]} >= {"CAN", "GEO"}


CO_CHAIRS = """
{ coChairTerms(where: { startYear: { in: [2017, 2018] } }) { totalCount edges { node {
    startYear endYear
    chairs {
      role position name nameFr: name(lang: FR) country { code name(lang: FR) } person { name }
    }
} } } }
"""


def _lead_terms(gql: GraphQLClient) -> list[dict]:
    """The seed's two terms with their lead seats (the partnership dataset adds support seats)."""
    terms = [e["node"] for e in gql.data(CO_CHAIRS)["coChairTerms"]["edges"]]
    for term in terms:
        term["chairs"] = [c for c in term["chairs"] if c.pop("position") in (None, "LEAD")]
    return terms


def test_co_chairs_2018_2019_are_canada_and_nathaniel_heller(gql: GraphQLClient) -> None:
    terms = _lead_terms(gql)
    assert [(t["startYear"], t["endYear"]) for t in terms] == [(2018, 2019), (2017, 2018)]
    government, civil_society = terms[0]["chairs"]
    assert government["role"] == "GOVERNMENT"
    assert government["name"] == "Government of Canada"
    assert government["nameFr"] == "Gouvernement du Canada"
    assert government["country"] == {"code": "CAN", "name": "Canada"}
    assert government["person"] is None  # the document names no representative
    assert civil_society["role"] == "CIVIL_SOCIETY"
    assert civil_society["person"] == {"name": "Nathaniel Heller"}
    assert civil_society["country"] is None


def test_outgoing_co_chairs_are_georgia_with_thea_tsulukiani_and_mukelani_dimba(
    gql: GraphQLClient,
) -> None:
    terms = _lead_terms(gql)
    government, civil_society = terms[1]["chairs"]
    assert government["role"] == "GOVERNMENT"
    assert government["country"] == {"code": "GEO", "name": "Géorgie"}
    assert government["person"] == {"name": "Thea Tsulukiani"}
    assert civil_society == {
        "role": "CIVIL_SOCIETY",
        "name": "Mukelani Dimba",
        "nameFr": "Mukelani Dimba",
        "country": None,
        "person": {"name": "Mukelani Dimba"},
    }


def test_canada_hosts_the_global_summit_in_ottawa_in_may_2019(gql: GraphQLClient) -> None:
    data = gql.data(
        '{ events(where: { host: { code: { eq: "CAN" } } }) { totalCount edges { node {'
        " name nameFr: name(lang: FR) city startDate host { code } organizer { id } } } } }"
    )
    assert data["events"]["totalCount"] == 1
    summit = data["events"]["edges"][0]["node"]
    assert "Summit" in summit["name"] and "Sommet" in summit["nameFr"]
    assert summit["city"] == "Ottawa"
    assert summit["startDate"] == "2019-05"
    assert summit["host"] == {"code": "CAN"}
    assert summit["organizer"] == {"id": "Partnership:OGP"}


PLANS = """
{ country(code: "CAN") { plans(first: 10) { totalCount edges { node {
    id title titleFr: title(lang: FR) startYear endYear ordinal declaredCommitmentCount
    description descriptionFr: description(lang: FR)
    country { code }
    themes { kind name nameFr: name(lang: FR) }
    previous { id } next { id }
    initiatives { edges { node { name } } }
    guidedBy { edges { node { name } } }
} } } } }
"""


def _plans(gql: GraphQLClient) -> dict[str, dict]:
    edges = gql.data(PLANS)["country"]["plans"]["edges"]
    return {e["node"]["id"]: e["node"] for e in edges}


def test_canada_has_four_plans_in_the_document_in_order(gql: GraphQLClient) -> None:
    plans = _plans(gql)
    seed = ["Plan:CAN-2012-2014", "Plan:CAN-2014-2016", "Plan:CAN-2016-2018", "Plan:CAN-2018-2020"]
    assert list(plans)[:4] == seed
    for index, plan_id in enumerate(seed):
        plan = plans[plan_id]
        assert plan["ordinal"] == index + 1
        assert plan["country"] == {"code": "CAN"}
        assert plan["title"] and plan["titleFr"] and plan["title"] != plan["titleFr"]
        assert plan["description"] and plan["descriptionFr"]
    assert plans["Plan:CAN-2012-2014"]["previous"] is None
    assert plans["Plan:CAN-2014-2016"]["previous"] == {"id": "Plan:CAN-2012-2014"}
    assert plans["Plan:CAN-2016-2018"]["next"] == {"id": "Plan:CAN-2018-2020"}
    assert plans["Plan:CAN-2018-2020"]["titleFr"] == (
        "Plan d'action du Canada pour un gouvernement ouvert 2018-2020"
    )


def test_first_plan_has_three_streams_and_made_the_portal_permanent(gql: GraphQLClient) -> None:
    plan = _plans(gql)["Plan:CAN-2012-2014"]
    assert {(t["kind"], t["name"]) for t in plan["themes"]} == {
        ("STREAM", "Open data"),
        ("STREAM", "Open information"),
        ("STREAM", "Open dialogue"),
    }
    assert {t["nameFr"] for t in plan["themes"]} == {
        "Données ouvertes",
        "Information ouverte",
        "Dialogue ouvert",
    }
    portal = [e["node"]["name"] for e in plan["initiatives"]["edges"]]
    assert any("portal" in name.lower() for name in portal)
    assert [e["node"]["name"] for e in plan["guidedBy"]["edges"]] == [
        "Advisory Panel on Open Government"
    ]


def test_second_plan_made_the_directive_and_the_open_data_collaborations(
    gql: GraphQLClient,
) -> None:
    plan = _plans(gql)["Plan:CAN-2014-2016"]
    made = {e["node"]["name"] for e in plan["initiatives"]["edges"]}
    assert {
        "Directive on Open Government",
        "Open Data Canada",
        "Open Data Exchange",
        "Open Data for Development",
    } <= made
    assert "Advisory Panel on Open Government" in {
        e["node"]["name"] for e in plan["guidedBy"]["edges"]
    }
    text = plan["description"].lower()
    assert "contracting" in text and "financial" in text


def test_third_plan_declares_22_commitments_in_four_priority_areas(gql: GraphQLClient) -> None:
    plan = _plans(gql)["Plan:CAN-2016-2018"]
    assert plan["declaredCommitmentCount"] == 22
    assert plan["startYear"] == 2016 and plan["endYear"] == 2018
    assert sorted(t["name"] for t in plan["themes"] if t["kind"] == "PRIORITY_AREA") == [
        "Engaging Canadians and the world",
        "Fiscal transparency",
        "Innovation, prosperity and sustainable development",
        "Open by default",
    ]
    forum = {e["node"]["name"] for e in plan["initiatives"]["edges"]}
    assert "Multi-Stakeholder Forum on Open Government" in forum


def test_fourth_plan_declares_10_commitments_on_inclusive_access(gql: GraphQLClient) -> None:
    plan = _plans(gql)["Plan:CAN-2018-2020"]
    assert plan["declaredCommitmentCount"] == 10
    assert [t["kind"] for t in plan["themes"]] == ["PRIORITY_AREA"]
    assert "inclusive" in plan["themes"][0]["name"].lower()


REPORTS = """
{ reports(first: 20, where: { NOT: { kind: { in: [IRM_PROGRESS_REPORT, IRM_END_OF_TERM_REPORT] } } })
  { totalCount edges { node {
    kind published title titleFr: title(lang: FR) plan { id }
} } } }
"""


def test_the_six_reports_assess_their_plans_with_their_dates(gql: GraphQLClient) -> None:
    data = gql.data(REPORTS)["reports"]
    assert data["totalCount"] == 6
    found = {
        (e["node"]["plan"]["id"], e["node"]["kind"], e["node"]["published"]) for e in data["edges"]
    }
    assert found == {
        ("Plan:CAN-2016-2018", "END_OF_TERM_SELF_ASSESSMENT", "2018-11"),
        ("Plan:CAN-2016-2018", "MID_TERM_SELF_ASSESSMENT", "2017-11"),
        ("Plan:CAN-2016-2018", "PROGRESS_TRACKER", None),
        ("Plan:CAN-2014-2016", "END_OF_TERM_SELF_ASSESSMENT", "2017-01"),
        ("Plan:CAN-2014-2016", "MID_TERM_SELF_ASSESSMENT", "2016-01"),
        ("Plan:CAN-2012-2014", "MID_TERM_SELF_ASSESSMENT", None),
    }
    for edge in data["edges"]:
        assert edge["node"]["title"] and edge["node"]["titleFr"]


def test_the_tracker_gives_quarterly_updates(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ reports(where: { kind: { eq: PROGRESS_TRACKER } }) "
        "{ edges { node { description descriptionFr: description(lang: FR) } } } }"
    )
    report = data["reports"]["edges"][0]["node"]
    assert "quarter" in report["description"].lower()
    assert "trimestre" in report["descriptionFr"].lower()


def test_the_bodies_are_described_in_both_languages(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ initiatives(first: 50) { edges { node { kind name nameFr: name(lang: FR) "
        "description establishedBy { edges { node { id } } } } } } }"
    )
    by_name = {e["node"]["name"]: e["node"] for e in data["initiatives"]["edges"]}
    panel = by_name["Advisory Panel on Open Government"]
    assert panel["kind"] == "ADVISORY_BODY"
    assert panel["nameFr"] == "Comité consultatif sur le gouvernement ouvert"
    assert "expert" in panel["description"].lower()
    forum = by_name["Multi-Stakeholder Forum on Open Government"]
    assert forum["kind"] == "FORUM"
    assert forum["nameFr"] == "Forum multi-intervenants sur le gouvernement ouvert"
    assert by_name["Directive on Open Government"]["kind"] == "POLICY"
    for name in ("Open Data Canada", "Open Data Exchange", "Open Data for Development"):
        assert by_name[name]["kind"] == "PROGRAM"
        assert by_name[name]["establishedBy"]["edges"] == [{"node": {"id": "Plan:CAN-2014-2016"}}]


def test_every_entity_says_where_it_comes_from_and_when_it_was_loaded(gql: GraphQLClient) -> None:
    data = gql.data('{ node(id: "Plan:CAN-2018-2020") { id sources loadedAt } }')
    node = data["node"]
    assert any(s.startswith("ogp_seed.yaml#plans/CAN-2018-2020") for s in node["sources"])
    assert any(s.startswith("nap4-2018-2020.yaml#") for s in node["sources"])
    assert node["loadedAt"].startswith("20")


def test_the_descriptions_keep_the_documents_details(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ initiatives(first: 50) { edges { node { id description fr: description(lang: FR) } } } "
        '  firstEnd: node(id: "Report:CAN-2014-2016:END_OF_TERM_SELF_ASSESSMENT") { ... on Report { description } } '
        '  third: plan(id: "Plan:CAN-2016-2018") { description } '
        '  first: plan(id: "Plan:CAN-2012-2014") { description } '
        '  heller: node(id: "Person:nathaniel-heller") { ... on Person { description } } '
        '  tsulukiani: node(id: "Person:thea-tsulukiani") { ... on Person { description } } }'
    )
    text = {
        e["node"]["id"].split(":")[1]: e["node"]["description"].lower()
        for e in data["initiatives"]["edges"]
    }
    assert "as much of their data and information" in text["directive-on-open-government"]
    assert "provinces, territories and municipalities" in text["open-data-canada"]
    assert "private sector" in text["open-data-exchange"]
    assert "international" in text["open-data-for-development"]
    assert "civil society" in text["multi-stakeholder-forum-on-open-government"]
    assert "pilot" in text["open-data-portal"] and "permanent" in text["open-data-portal"]
    assert all(e["node"]["fr"] for e in data["initiatives"]["edges"])
    assert "first end-of-term" in data["firstEnd"]["description"].lower()
    assert "culture" in data["third"]["description"].lower()
    assert "2011" in data["first"]["description"] and "data.gc.ca" in data["first"]["description"]
    assert "co-chair" in data["heller"]["description"].lower()
    assert "georgia" in data["tsulukiani"]["description"].lower()
