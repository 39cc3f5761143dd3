"""Text folded for matching: lower case, no accents, plain apostrophes.

The writer stores folded copies of every text property and the query builder
folds every search value the same way, so ``réconciliation``, ``Reconciliation``
and ``RECONCILIATION`` all meet, on Neo4j and on the embedded store alike
(neither needs a full-text index or a plug-in for it).
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache

_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "–": "-", "—": "-"})


@cache
def _no_combining() -> dict[int, None]:
    """A translation table that deletes every combining character (built once)."""
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))}


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION))
    if not decomposed.isascii():
        decomposed = decomposed.translate(_no_combining())
    return " ".join(decomposed.casefold().split())
