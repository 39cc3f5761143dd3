"""The response media type, chosen from the request's ``Accept`` header."""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    """(media range, quality, position) of each entry of an ``Accept`` header."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, position))
    return ranges


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer in, or ``None`` when the client accepts neither.

    No ``Accept`` header, ``*/*`` and ``application/*`` get the legacy
    ``application/json`` (what curl and older clients expect); a client naming
    ``application/graphql-response+json`` gets it, unless it prefers
    ``application/json`` by a higher quality.
    """
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for media, quality, position in _ranges(accept):
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            candidate, rank = GRAPHQL_RESPONSE, 2
        elif media == JSON:
            candidate, rank = JSON, 1
        elif media in ("*/*", "application/*"):
            candidate, rank = JSON, 0
        else:
            continue
        key = (quality, rank, -position)
        if best is None or key > best:
            best, chosen = key, candidate
    return chosen


def accepts_html(accept: str | None) -> bool:
    """True for a browser asking for a page (GraphiQL) rather than a JSON answer."""
    return bool(accept) and "text/html" in (accept or "").lower()
