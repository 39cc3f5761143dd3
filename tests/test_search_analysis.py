"""The analyser and the ranking without a store: words, not substrings, the same on write and query."""

from __future__ import annotations

from pathlib import Path

from graph.analysis import Language, exact_key, query_words, tokens
from graph.highlight import highlights
from graph.search_index import Postings, document_keys, read_bucket

ROOT = Path(__file__).resolve().parents[1]
OGP_SUBSET = (
    ROOT.parent / "shared" / "data" / "ogp" / "commitments-2024" / "ogp-commitments-2024-subset.csv"
)


def _terms(text: str, lang: str) -> list[str]:
    return [t.term for t in tokens(text, lang) if t.primary]  # type: ignore[arg-type]


def test_case_accents_elisions_and_stop_words_fold_away() -> None:
    assert _terms("Accès à l'information", "fr") == _terms("acces a l information", "fr")
    assert _terms("l'information", "fr") == ["inform"]
    assert _terms("Canada's data", "en") == ["canada", "data"]
    assert _terms("the Northern", "en") == ["northern"]
    assert query_words("the", ["en", "fr"]) == []  # a stop word in either language is dropped
    assert query_words("de la", ["en", "fr"]) == []


def test_light_stemming_meets_plurals_and_misspelt_accents() -> None:
    assert _terms("données", "fr") == _terms("donnée", "fr") == _terms("donnees", "fr")
    assert _terms("commitments", "en") == _terms("commitment", "en")
    assert _terms("réconciliation", "fr") == _terms("reconciliation", "fr")


def test_codes_and_numbers_stay_whole() -> None:
    assert _terms("C01.1.1 AP_ALB01 US0113 2018-2020", "en") == [
        "c01.1.1",
        "ap_alb01",
        "us0113",
        "2018-2020",
    ]
    found = {t.term for t in tokens("tbs-sct", "en")}
    assert {"tbs", "sct", "tbs-sct"} <= found
    assert {t.term for t in tokens("2018-2020", "en")} >= {"2018", "2020"}


def test_exact_keys_ignore_case_accents_and_elisions() -> None:
    assert exact_key("Accès à l'information") == exact_key("ACCES A L INFORMATION")
    keys = document_keys({"id": "Department:tbs-sct", "abbreviation_en": "TBS", "code": "tbs-sct"})
    assert "en=tbs" in keys and "fr=tbs-sct" in keys and "en=department tbs-sct" in keys


def test_titles_weigh_more_than_full_text() -> None:
    keys = document_keys(
        {"id": "Commitment:X:C01", "title_en": "Open data", "description_en": "Open"}
    )
    other = document_keys({"id": "Commitment:X:C02", "description_en": "Open data"})
    assert keys["en:data"] > other["en:data"]
    assert "en:open data" in keys  # adjacent words, for phrases


def test_postings_round_trip_through_a_bucket() -> None:
    postings = Postings.from_dict({7: 120, 3: 45})
    text = f"\nen:data\t{postings.encode()}\nen:open\t{postings.encode()}"
    found = read_bucket(text, ["en:data", "en:nope"])
    assert list(found) == ["en:data"] and found["en:data"].as_dict() == {3: 45, 7: 120}


def test_highlights_mark_the_words_in_the_language_asked() -> None:
    props = {
        "title_en": "Access to information & privacy",
        "title_fr": "Accès à l'information",
        "description_en": "x " * 200 + "more information here " + "y " * 200,
    }
    terms: dict[Language, set[str]] = {"en": {"inform", "access"}, "fr": {"inform", "acce"}}
    french = highlights(props, terms, ["fr", "en"])
    assert french[0].field == "title" and french[0].lang == "fr"
    assert french[0].snippet == "<mark>Accès</mark> à l'<mark>information</mark>"
    english = highlights(props, terms, ["en", "fr"])
    assert english[0].snippet == "<mark>Access</mark> to <mark>information</mark> &amp; privacy"
    long = next(m for m in english if m.field == "description")
    assert long.snippet.startswith("…") and "<mark>information</mark>" in long.snippet
    assert len(long.snippet) < 260


def test_the_c_stemmers_stem_as_snowballs_own_python() -> None:
    """PyStemmer (C) makes the stems; snowballstemmer's Python classes, the same Snowball
    release, are the reference: every word of the bundled datasets and of OGP's commitment
    subset stems the same in both languages (a store indexed by either is read by the other)."""
    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer
    from snowballstemmer.french_stemmer import FrenchStemmer

    from graph.analysis import _stemmer, index_words

    assert isinstance(_stemmer("en"), Stemmer.Stemmer)
    sources = [*(ROOT / "loaders" / "datasets").glob("*.yaml"), OGP_SUBSET]
    vocabulary = sorted(
        {word for path in sources for word in index_words(path.read_text()) if word.isalpha()}
    )
    assert len(vocabulary) > 5000
    for lang, reference in (("en", EnglishStemmer()), ("fr", FrenchStemmer())):
        made = _stemmer(lang).stemWords(vocabulary)
        assert made == [reference.stemWord(word) for word in vocabulary], lang
