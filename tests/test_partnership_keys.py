"""The rules that make sources merge: plan keys, country names, institutions, dates."""

from __future__ import annotations

import pytest
import yaml

from loaders.country_names import UnknownCountry, country_code, country_names
from loaders.institutions import canada_institutions, canada_matcher, split_institutions
from loaders.partial_dates import parse_partial_date
from loaders.plan_keys import LEGACY_PLAN_KEYS, ogp_plan_id, parse_ogp_plan_id, plan_key
from loaders.seed_dataset import bundled_dataset_path
from tests.partnership_data import ROOT

NAP_DIR = ROOT.parent / "shared" / "data" / "canada-nap"


def test_plan_keys_keep_canadas_existing_nodes() -> None:
    assert plan_key("ALB", 1) == "AP_ALB01" == ogp_plan_id("ALB", 1)
    assert plan_key("ESMD", 2) == "AP_ESMD02"
    assert (
        parse_ogp_plan_id("AP_ESMD02") == ("ESMD", 2) and parse_ogp_plan_id("CAN-2018-2020") is None
    )
    assert plan_key("CAN", 4) == "CAN-2018-2020" and plan_key("CAN", 7) == "AP_CAN07"
    # the table agrees with the bundled dataset's plans (country, ordinal, key)
    seed = yaml.safe_load(bundled_dataset_path().read_text(encoding="utf-8"))
    for plan in seed["plans"]:
        assert LEGACY_PLAN_KEYS[(plan["country"], plan["ordinal"])] == plan["key"]
    # and with the tracker definitions' years
    for number, name in ((4, "nap4-2018-2020"), (5, "nap5-2022-2024"), (6, "nap6-2025-2029")):
        assert (NAP_DIR / f"{name}.yaml").exists()
        assert plan_key("CAN", number) == "CAN-" + name.split("-", 1)[1]


def test_old_and_new_country_names() -> None:
    for name, code in {
        "UK": "GBR",
        "USA": "USA",
        "Macedonia": "MKD",
        "South Korea": "KOR",
        "Republic of Korea": "KOR",
        "Slovakia": "SVK",
        "Slovak Republic": "SVK",
        "Kyrgyz Republic": "KGZ",
        "Turkey": "TUR",
        "Kosovo": "XKX",
        "Cabo Verde": "CPV",
        "Tanzania": "TZA",
    }.items():
        assert country_code(name) == code, name
    assert country_names("KOR") == ("Republic of Korea", "République de Corée")
    assert country_names("XKX") == ("Kosovo", "Kosovo")
    with pytest.raises(UnknownCountry, match="'Atlantis'"):
        country_code("Atlantis")


def test_institution_cells_are_split_carefully() -> None:
    assert split_institutions("NA") == [] and split_institutions("Unclear") == []
    assert split_institutions("Ministry of Trade, Tourism and Telecommunications") == [
        "Ministry of Trade, Tourism and Telecommunications"
    ]
    assert split_institutions("Department of Treasury, Department of Justice") == [
        "Department of Treasury",
        "Department of Justice",
    ]
    assert split_institutions("Agency A\nMinistry of Finance; Central Bank") == [
        "Agency A",
        "Ministry of Finance",
        "Central Bank",
    ]
    assert split_institutions("Executive Office of the President <br> Office of Science") == [
        "Executive Office of the President",
        "Office of Science",
    ]


def test_canadian_institutions_match_departments_in_either_language() -> None:
    matcher = canada_matcher()
    assert canada_institutions("Natural Resources Canada", matcher) == (["nrcan-rncan"], [])
    assert canada_institutions("Secrétariat du Conseil du Trésor du Canada", matcher) == (
        ["tbs-sct"],
        [],
    )
    assert canada_institutions("SCT", matcher) == (["tbs-sct"], [])
    assert canada_institutions("Treasury Board Secretariat", matcher) == (["tbs-sct"], [])
    assert canada_institutions("Justice Canada and the Privy Council Office", matcher) == (
        ["jus", "pco-bcp"],
        [],
    )
    assert canada_institutions("Citizenship and Immigration Canada", matcher) == (
        [],
        ["Citizenship and Immigration Canada"],
    )


def test_dates_as_the_files_write_them() -> None:
    assert parse_partial_date("9/1/2018") == "2018-09-01"
    assert parse_partial_date("31/12/2014") == "2014-12-31"
    assert parse_partial_date("6/30/20") == "2020-06-30"
    assert parse_partial_date("July 2014") == "2014-07"
    assert parse_partial_date("2012") == "2012"
    assert parse_partial_date("Underway") is None and parse_partial_date("43525") is None
