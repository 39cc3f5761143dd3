"""Search across the titles and texts of every entity, in one or both languages.

Neither the embedded store nor a plain Neo4j 5 can be asked for accent-folding
full-text search without an index or a plug-in the other lacks, so search runs
on what the writer stores on every node: ``searchText`` (all its text, both
languages, lower-cased and without accents), ``searchText_en`` and
``searchText_fr``. The query is folded the same way and split into words; a
node matches when its text contains at least one word, and is ranked by

    score = 0.6 * (words found / words asked)
          + 0.3 * (words found in its title or name / words asked)
          + 0.1 * (the whole query found as one phrase)

so 1.0 is every word in the title and the exact phrase. Ties go to the id.
The same statement runs on both stores; it scans the entity labels, which is
fast for the graph's size (thousands of nodes, not millions).
"""

from __future__ import annotations

from graph.model import ENTITY_LABELS
from graph.normalize import fold
from graph.statements import statement

_LABELS = " OR ".join(f"n:{label}" for label in ENTITY_LABELS)

SEARCH = statement(
    "search.entities",
    f"MATCH (n) WHERE ({_LABELS}) AND labels(n)[0] IN $types "
    "WITH n, CASE $lang WHEN 'en' THEN n.searchText_en WHEN 'fr' THEN n.searchText_fr "
    "ELSE n.searchText END AS text "
    "WHERE text IS NOT NULL "
    "WITH n, text, [t IN $words WHERE text CONTAINS t] AS found "
    "WHERE size(found) > 0 "
    "WITH n, text, found, "
    "coalesce(n.title_norm, []) + coalesce(n.name_norm, []) + coalesce(n.label_norm, []) AS heads "
    "WITH n, 0.6 * size(found) / size($words) "
    "+ 0.3 * size([t IN found WHERE any(h IN heads WHERE h CONTAINS t)]) / size($words) "
    "+ CASE WHEN text CONTAINS $phrase THEN 0.1 ELSE 0.0 END AS score "
    "ORDER BY score DESC, n.id_sort ASC "
    "WITH collect({score: score, node: properties(n)}) AS hits "
    "RETURN size(hits) AS total, hits[$skip..($skip + $limit)] AS page",
)

MAX_WORDS = 12


def search_words(query: str) -> list[str]:
    """The folded, distinct words of a query (at most :data:`MAX_WORDS`)."""
    words = [w.strip(".,;:!?()[]{}\"'«»") for w in fold(query).split()]
    return list(dict.fromkeys(w for w in words if w))[:MAX_WORDS]
