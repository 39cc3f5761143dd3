"""The text analyser of search: the same words on write and on query, per language.

A text becomes *words*: case and accents folded (as :func:`graph.normalize.fold`
does), French elisions (``l'``, ``d'``, ``qu'``...) and English possessives
(``'s``) split off. A word with a digit is a *code* and stays whole
(``C01.1.1``, ``US0113``, ``AP_ALB01``, ``2018-2020``); a word joined by ``-``,
``.``, ``_`` or ``/`` without digits (``tbs-sct``, ``open.canada.ca``) is a
*compound*: its parts are words of their own and its whole form is an extra
term. Each word then becomes a *term* of one language: dropped when it is a stop
word of that language or a single letter, otherwise stemmed by the Snowball
stemmer of that language (``données``/``donnée`` -> ``donne``,
``commitments``/``commitment`` -> ``commit``). Stemming runs on folded words, so a
query that misses an accent meets the same term.

Every word keeps its place in the original text, so that highlights can mark it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import snowballstemmer

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")

#: bumped when the analyser or the indexed fields change, so that the index is written
#: again (at the next start or load). 2: a co-chair's organisation is indexed.
VERSION = "2"

_STEMMERS = {"en": "english", "fr": "french"}


# Short lists of function words (articles, pronouns, prepositions, conjunctions,
# auxiliaries), folded. Library lists made for topic models also drop words people
# search for ("état", "first", "free", "personnes"); these only drop grammar.
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS: dict[Language, frozenset[str]] = {
    "en": _word_set(
        """a an and are as at be been being but by can could did do does for from had has
        have he her hers him his i if in into is it its itself me my no nor not of on or
        our ours she so such than that the their theirs them then there these they this
        those to too us was we were what when where which while who whom why will with
        would you your yours"""
    ),
    "fr": _word_set(
        """a ai au aux avec ce ces cet cette dans de des du elle elles en est et etaient
        etait etre eu eux il ils je la le les leur leurs lui ma mais me mes moi mon ne ni
        nos notre nous on ont ou par pas pour qu que qui sa sans se ses si son sont sur ta
        te tes toi ton tu un une vos votre vous y ca ici cela ceci dont"""
    ),
}

_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "–": "-", "—": "-", "‐": "-"})
_WORD = re.compile(r"[^\W_]+(?:[-'._/][^\W_]+)*")
#: the same words in a text that is all ASCII (the common case, three times faster)
_ASCII_WORD = re.compile(_WORD.pattern, re.ASCII)
_JOINERS = re.compile(r"[-._/]")
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)'")
_POSSESSIVE = re.compile(r"'s$")
_DIGIT = re.compile(r"[0-9]")
#: a word with no digit and no joiner: one term, its stem
_PLAIN = re.compile(r"[^0-9\-._/]+")


@dataclass(frozen=True)
class Word:
    """A word of a text: its folded form and where it stands in the original text."""

    text: str
    start: int
    end: int

    @property
    def is_code(self) -> bool:
        """True for numbers and codes (any word with a digit): kept whole, never stemmed."""
        return _DIGIT.search(self.text) is not None

    def parts(self) -> list[Word]:
        """The parts of a compound (``tbs-sct`` -> ``tbs``, ``sct``); itself for a plain word."""
        if self.is_code or not _JOINERS.search(self.text):
            return [self]
        found, offset = [], 0
        for piece in _JOINERS.split(self.text):
            found.append(Word(piece, self.start + offset, self.start + offset + len(piece)))
            offset += len(piece) + 1
        return found


@dataclass(frozen=True)
class Token:
    """A term of one language at a place in the text.

    ``primary`` tokens follow each other as in the text (phrases are made of them);
    the others (a compound's whole form, a year inside a code) are extra terms.
    """

    term: str
    start: int
    end: int
    primary: bool = True


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plain_punctuation(text: str) -> str:
    """``text.translate(_PUNCTUATION)``, faster on long texts outside ASCII (a few replaces)."""
    if text.isascii():
        return text
    for ch, plain in _PUNCTUATION.items():
        if chr(ch) in text:
            text = text.replace(chr(ch), str(plain))
    return text


def _replace_all(text: str, table: dict[str, str]) -> str:
    """``text`` with each character of ``table`` replaced at once, as ``str.translate`` does.

    Replaced one after the other (much faster than ``translate`` on long texts outside ASCII),
    which is the same unless a replacement is itself replaced: then ``translate`` is used.
    """
    changes = {ch: folded for ch, folded in table.items() if folded != ch}
    if any(folded in changes for folded in changes.values()):
        return text.translate({ord(ch): folded for ch, folded in changes.items()})
    for ch, folded in changes.items():
        text = text.replace(ch, folded)
    return text


@cache
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(p for p in decomposed if not unicodedata.combining(p)).casefold()


def fold_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """``text`` lower-cased without accents, and for each folded character its index in ``text``.

    The characters outside ASCII are folded one by one (once per process, cached); when
    each folds to one character, as accented letters do, the offsets are the identity.
    """
    text = _plain_punctuation(text)
    if text.isascii():
        return text.lower(), range(len(text))
    table = {ch: _fold_char(ch) for ch in set(_NON_ASCII.findall(text))}
    if all(len(folded) == 1 for folded in table.values()):
        return _replace_all(text, table).lower(), range(len(text))
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def _pieces(
    text: str, folded_text: tuple[str, Sequence[int]] | None = None
) -> Iterator[tuple[str, int, int]]:
    """(folded word, start, end) for each word of ``text``, offsets in the original ``text``."""
    folded, origin = folded_text or fold_with_offsets(text)
    for match in _WORD.finditer(folded):
        raw, start = match.group(), match.start()
        if "'" not in raw:  # the common case: no elision, possessive or inner apostrophe
            yield raw, origin[start], origin[start + len(raw) - 1] + 1
            continue
        elided = _ELISION.match(raw)
        if elided:
            raw, start = raw[elided.end() :], start + elided.end()
        raw = _POSSESSIVE.sub("", raw)
        offset = 0
        for piece in raw.split("'"):  # other apostrophes separate words (aujourd'hui)
            if piece:
                begin = start + offset
                yield piece, origin[begin], origin[begin + len(piece) - 1] + 1
            offset += len(piece) + 1


def words(text: str) -> list[Word]:
    """The words of ``text`` in order, elisions and possessives split off, in both languages' ways.

    Offsets are those of the original ``text``.
    """
    return [Word(piece, start, end) for piece, start, end in _pieces(text)]


@cache
def _stemmer(lang: Language) -> snowballstemmer.Stemmer:
    """The Snowball stemmer of ``lang``: PyStemmer's C one, which snowballstemmer hands out
    when it is installed (a dependency), else snowballstemmer's own Python, stem for stem the same."""
    return snowballstemmer.stemmer(_STEMMERS[lang])


@cache
def term(word: str, lang: Language) -> str | None:
    """The term a plain folded word stands for in ``lang``; ``None`` for stop words and letters."""
    if _DIGIT.search(word):
        return word
    if len(word) < 2 or word in STOP_WORDS[lang]:
        return None
    return str(_stemmer(lang).stemWord(word))


def _code_extras(word: Word) -> Iterator[Token]:
    """Years inside a code (``2018-2020`` -> ``2018``, ``2020``), found on their own too."""
    for piece in re.finditer(r"(?<![0-9])[0-9]{4}(?![0-9])", word.text):
        if piece.group() != word.text:
            yield Token(piece.group(), word.start, word.end, primary=False)


def _word_tokens(word: Word, lang: Language) -> list[Token]:
    if _PLAIN.fullmatch(word.text):  # the common case: no digit, not a compound
        stem = term(word.text, lang)
        return [] if stem is None else [Token(stem, word.start, word.end)]
    if word.is_code:
        return [Token(word.text, word.start, word.end), *_code_extras(word)]
    found: list[Token] = []
    parts = word.parts()
    for part in parts:
        stem = term(part.text, lang)
        if stem is not None:
            found.append(Token(stem, part.start, part.end))
    if len(parts) > 1 and found:
        found.append(Token(word.text, word.start, word.end, primary=False))
    return found


def index_words(text: str) -> list[str]:
    """The folded words of ``text`` as :func:`words` finds them, without their places.

    What the index needs of a text (:mod:`graph.search_index`): found once per text, then
    turned into each language's terms through :func:`term_tables`.
    """
    folded = fold_with_offsets(text)[0]
    found: list[str] = (_ASCII_WORD if folded.isascii() else _WORD).findall(folded)
    if "'" not in folded:
        return found
    return [piece for raw in found for piece in ((raw,) if "'" not in raw else _unquoted(raw))]


def _unquoted(raw: str) -> list[str]:
    """The words of a folded word with apostrophes: elision and possessive off, split."""
    elided = _ELISION.match(raw)
    if elided:
        raw = raw[elided.end() :]
    return [piece for piece in _POSSESSIVE.sub("", raw).split("'") if piece]


#: how many distinct words per language :func:`term_tables` keeps before starting afresh
_VOCABULARY_LIMIT = 400_000
_TERMS: dict[Language, dict[str, tuple[str, ...]]] = {"en": {}, "fr": {}}
_PRIMARY_TERMS: dict[Language, dict[str, tuple[str, ...]]] = {"en": {}, "fr": {}}


def term_tables(
    found: Iterable[str], lang: Language
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """For every folded word of ``found`` (and others): its terms in ``lang``, and its primary
    terms (see :class:`Token`), in the order :func:`tokens` gives them.

    Two plain dictionaries kept per process, so that the index turns a text's words into
    terms with lookups that run in C (``map(table.__getitem__, words)``).
    """
    terms, primary = _TERMS[lang], _PRIMARY_TERMS[lang]
    missing = set(found).difference(terms)
    if missing:
        if len(terms) + len(missing) > _VOCABULARY_LIMIT:
            terms.clear()
            primary.clear()
            missing = set(found)  # the words of ``found`` that were there are gone too
        for word in missing:
            made = _word_tokens(Word(word, 0, len(word)), lang)
            terms[word] = tuple(t.term for t in made)
            primary[word] = tuple(t.term for t in made if t.primary)
    return terms, primary


def exact_key_of(found: Iterable[str]) -> str:
    """:func:`exact_key` of a text whose :func:`index_words` are ``found``."""
    return " ".join(w for w in found if len(w) > 1 or _DIGIT.search(w))


def tokens(text: str, lang: Language) -> list[Token]:
    """The terms of ``text`` for the index of ``lang``, in order."""
    return [token for word in words(text) for token in _word_tokens(word, lang)]


def tokens_among(
    text: str, lang: Language, wanted: set[str], starts: Iterable[str] = ()
) -> list[Token]:
    """The tokens of ``text`` whose term is one of ``wanted``, in order.

    The same as filtering :func:`tokens`, without building the tokens of the other words
    (highlights look for a few terms in long texts). With ``starts``, a text whose folded
    form holds none of them is taken to hold no such token, without reading its words.
    """
    folded = fold_with_offsets(text)
    if starts and not any(start in folded[0] for start in starts):
        return []
    found: list[Token] = []
    for piece, start, end in _pieces(text, folded):
        if not _DIGIT.search(piece) and piece not in wanted:
            parts = _JOINERS.split(piece) if _JOINERS.search(piece) else (piece,)
            if not any(term(part, lang) in wanted for part in parts):
                continue
        found += [t for t in _word_tokens(Word(piece, start, end), lang) if t.term in wanted]
    return found


def exact_key(text: str) -> str:
    """The form under which a whole name, code or title is matched exactly.

    Folded words, stop words included, single letters left out (``l'``, ``à``), so
    ``Accès à l'information`` and ``acces a l information`` have the same key.
    """
    return " ".join(w.text for w in words(text) if len(w.text) > 1 or w.is_code)


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and its term in each language searched."""

    word: Word
    terms: dict[Language, str]
    #: False for a compound's whole form: it raises the score but is not required
    required: bool = True


def query_words(query: str, langs: Iterable[Language]) -> list[QueryWord]:
    """The words of a query with their terms in each of ``langs``.

    A word that is a stop word in any language searched is dropped in all of them, so
    that ``the`` or ``de`` never match through the other language's texts.
    """
    langs = tuple(langs)
    found: list[QueryWord] = []
    for word in words(query):
        if word.is_code:
            found.append(QueryWord(word, {lang: word.text for lang in langs}))
            continue
        parts = word.parts()
        kept = 0
        for part in parts:
            per_lang = {lang: term(part.text, lang) for lang in langs}
            if all(value is not None for value in per_lang.values()):
                found.append(QueryWord(part, {k: v for k, v in per_lang.items() if v}))
                kept += 1
        if len(parts) > 1 and kept:
            found.append(QueryWord(word, {lang: word.text for lang in langs}, required=False))
    return found
