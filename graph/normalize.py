"""Text folded for matching: lower case, no accents, plain apostrophes.

The writer stores folded copies of every text property and the query builder
folds every search value the same way, so ``réconciliation``, ``Reconciliation``
and ``RECONCILIATION`` all meet, on Neo4j and on the embedded store alike
(neither needs a full-text index or a plug-in for it).
"""

from __future__ import annotations

import unicodedata

_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "–": "-", "—": "-"})


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
