"""The bundled partnership dataset agrees with the facts tables and keeps the seed's facts."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from graph.document import GraphDocument
from loaders.country_names import country_code
from loaders.errors import SourceError
from loaders.facts import (
    co_chair_term_years,
    looks_like_co_chairs,
    looks_like_membership_events,
    looks_like_summits,
    read_co_chairs,
    read_membership_events,
    read_summits,
)
from loaders.partnership_dataset import (
    PartnershipDataset,
    bundled_partnership_document,
    bundled_partnership_path,
    read_bundled_partnership_dataset,
    read_partnership_dataset,
    seat_key,
)
from tests.partnership_data import FACTS_DIR, text_of

CO_CHAIRS = FACTS_DIR / "co-chairs.csv"
SUMMITS = FACTS_DIR / "global-summits.csv"
EVENTS = FACTS_DIR / "membership-events.csv"


@cache
def dataset() -> PartnershipDataset:
    return read_bundled_partnership_dataset()


@cache
def document() -> GraphDocument:
    return bundled_partnership_document()


def props(node_id: str) -> tuple[dict, dict]:
    found = [n for n in document().nodes if n.id == node_id]
    assert len(found) == 1, node_id
    return found[0].properties, found[0].defaults


def test_facts_tables_are_read_and_recognised() -> None:
    assert len(read_co_chairs(text_of(CO_CHAIRS), "co-chairs.csv")) == 45
    assert len(read_summits(text_of(SUMMITS), "global-summits.csv")) == 9
    assert len(read_membership_events(text_of(EVENTS), "membership-events.csv")) == 74
    assert looks_like_co_chairs(text_of(CO_CHAIRS)) and not looks_like_co_chairs(text_of(SUMMITS))
    assert looks_like_summits(text_of(SUMMITS)) and looks_like_membership_events(text_of(EVENTS))


def test_every_co_chair_row_is_a_seat_of_its_term() -> None:
    terms = {t.key: t for t in dataset().co_chair_terms}
    assert sorted(terms) == [f"{y}-{y + 1}" for y in range(2011, 2026)]
    for _, row in read_co_chairs(text_of(CO_CHAIRS), "co-chairs.csv"):
        start, end = co_chair_term_years(row)
        term = terms[f"{start}-{end}"]
        matching = [
            s
            for s in term.seats
            if s.start_date == row.term_start
            and s.end_date == row.term_end
            and (
                s.country == country_code(row.holder)
                if row.sector == "government"
                else s.name.en == row.holder and s.organization == row.organization
            )
        ]
        assert len(matching) == 1, row
        seat = matching[0]
        assert (
            seat.position
            == {"founding co-chair": "FOUNDING", "lead": "LEAD", "support": "SUPPORT"}[row.position]
        )
        assert seat.source == row.source_url
    assert sum(len(t.seats) for t in terms.values()) == 45


def test_seat_keys_follow_the_seed() -> None:
    keys = {n.id for n in document().nodes if n.label == "CoChair"}
    assert {"CoChair:2018-2019:GOVERNMENT", "CoChair:2018-2019:CIVIL_SOCIETY"} <= keys
    assert "CoChair:2017-2018:GOVERNMENT:SUPPORT" in keys
    assert {
        "CoChair:2011-2012:GOVERNMENT:FOUNDING:USA",
        "CoChair:2011-2012:GOVERNMENT:FOUNDING:BRA",
    } <= keys
    term = next(t for t in dataset().co_chair_terms if t.key == "2012-2013")
    assert sorted(seat_key(term.key, s) for s in term.seats) == [
        "2012-2013:CIVIL_SOCIETY",
        "2012-2013:GOVERNMENT",
        "2012-2013:GOVERNMENT:SUPPORT",
    ]


def test_seed_facts_keep_holding() -> None:
    # 2018-2019: the Government of Canada and Nathaniel Heller, the seed's wording first
    gov, gov_defaults = props("CoChair:2018-2019:GOVERNMENT")
    assert "name_en" not in gov and gov_defaults["name_en"] == "Government of Canada"
    assert gov["position"] == "LEAD" and gov["startDate"] == "2018-10-01"
    rels = {(r.type, r.start_id, r.end_id) for r in document().relationships}
    assert ("REPRESENTS", "CoChair:2018-2019:GOVERNMENT", "Country:CAN") in rels
    assert ("HELD_BY", "CoChair:2018-2019:CIVIL_SOCIETY", "Person:nathaniel-heller") in rels
    # the Ottawa summit stays "May 2019" as the seed says; the end date is added
    summit, summit_defaults = props("Event:ogp-global-summit-2019")
    assert "startDate" not in summit and summit_defaults["startDate"] == "2019-05-29"
    assert summit["endDate"] == "2019-05-31" and summit["ordinal"] == 6
    assert ("HOSTED_BY", "Event:ogp-global-summit-2019", "Country:CAN") in rels
    canada, canada_defaults = props("Country:CAN")
    assert canada_defaults["memberSince"] == "2011-09" and canada["membershipStatus"] == "ACTIVE"


def test_all_nine_summits() -> None:
    summits = {s.ordinal: s for s in dataset().summits}
    assert sorted(summits) == list(range(1, 10))
    for _, row in read_summits(text_of(SUMMITS), "global-summits.csv"):
        summit = summits[row.ordinal]
        assert summit.city.en == row.city
        assert (summit.start_date, summit.end_date) == (row.start_date, row.end_date)
        assert summit.host == country_code(row.host_government)
        assert summit.key == f"ogp-global-summit-{(row.start_date or '')[:4]}"
    assert summits[7].city.fr == "Séoul" and summits[9].host == "ESP"


def test_membership_history_from_the_events() -> None:
    members = {m.code: m for m in dataset().members}
    rows = [row for _, row in read_membership_events(text_of(EVENTS), "membership-events.csv")]
    national = [row for row in rows if not row.member.endswith("(local)")]
    assert len(national) == 73  # Mexico City has no OGP code in these sources
    for row in national:
        member = members[country_code(row.member)]
        assert any(
            h.date == (row.date or None) and h.source == row.source_url for h in member.history
        ), row
    assert sum(len(m.history) for m in members.values()) == 73
    assert members["HUN"].status == "WITHDRAWN" and members["TUR"].status == "WITHDRAWN"
    assert members["TZA"].status == "WITHDRAWN"
    assert members["AZE"].status == "REMOVED"
    assert members["RUS"].status == "NOT_A_MEMBER" and members["IND"].status == "NOT_A_MEMBER"
    assert members["BRA"].history[0].kind == "FOUNDING_MEMBER"
    assert members["TLS"].member_since == "2023"
    assert members["USA"].member_since == "2011-09"
    tanzania = [h for h in members["TZA"].history if h.kind == "WITHDREW"]
    assert tanzania[0].date is None  # the sources give no date: null, not guessed
    member_of = {r.start_id for r in document().relationships if r.type == "MEMBER_OF"}
    assert "Country:RUS" not in member_of and "Country:HUN" in member_of


def test_members_regions_and_local_governments() -> None:
    members = {m.code: m for m in dataset().members}
    assert Counter(m.kind for m in members.values()) == {"COUNTRY": 82, "LOCAL_GOVERNMENT": 6}
    assert members["GBSC"].country == "GBR" and members["GBSC"].name.fr == "Écosse"
    assert members["ARM"].region == "asia-and-the-pacific"
    assert members["MEX"].region is None  # not in OGP's data here: not guessed
    assert {r.key for r in dataset().regions} == {
        "africa-and-the-middle-east",
        "americas",
        "asia-and-the-pacific",
        "europe",
    }


def test_bad_dataset_lists_every_problem() -> None:
    text = bundled_partnership_path().read_text(encoding="utf-8")
    text = text.replace("region: europe", "region: oceania", 1).replace(
        'startDate: "2012-04-17"', 'startDate: "17 April 2012"'
    )
    with pytest.raises(SourceError) as caught:
        read_partnership_dataset(text, "bad.yaml")
    messages = str(caught.value)
    assert "summits[0].startDate" in messages and "unknown region 'oceania'" not in messages
    fixed = text.replace('startDate: "17 April 2012"', 'startDate: "2012-04-17"')
    with pytest.raises(SourceError, match=r"members\[\d+\]\.region: unknown region 'oceania'"):
        read_partnership_dataset(fixed, "bad.yaml")


def test_bad_facts_rows_name_line_column_and_value() -> None:
    text = text_of(CO_CHAIRS).replace(",lead,government,Indonesia,", ",chief,government,Indonesia,")
    with pytest.raises(SourceError) as caught:
        read_co_chairs(text, "co-chairs.csv")
    assert "co-chairs.csv: line 7, column 'position'" in str(caught.value)
    assert "'chief'" in str(caught.value)
