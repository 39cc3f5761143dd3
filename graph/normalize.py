"""Text folded for matching: lower case, no accents, plain apostrophes.

The writer stores folded copies of every text property and the query builder
folds every search value the same way, so ``réconciliation``, ``Reconciliation``
and ``RECONCILIATION`` all meet, on Neo4j and on the embedded store alike
(neither needs a full-text index or a plug-in for it).
"""

from __future__ import annotations

import re
import unicodedata

#: typographic punctuation and its plain form (all ASCII, none of it replaced again)
_PUNCTUATION = {"’": "'", "‘": "'", "«": '"', "»": '"', "–": "-", "—": "-"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents.

    Characters are replaced with ``str.replace``, once per distinct character: the same as
    ``str.translate``, which looks every character of a long text up in a dictionary.
    """
    if not text.isascii():
        for ch, plain in _PUNCTUATION.items():
            if ch in text:
                text = text.replace(ch, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        for ch in set(_NON_ASCII.findall(decomposed)):
            if unicodedata.combining(ch):
                decomposed = decomposed.replace(ch, "")
    return " ".join(decomposed.casefold().split())
