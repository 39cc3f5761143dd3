"""GraphQL over HTTP, in-process (no socket, no store): what a client sees for each request.

The app is built as in production; its store endpoint points nowhere, which is
fine for every request here: none reaches a resolver that reads the store.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from graph.store import BoltEndpoint
from schema.app import create_app
from schema.settings import ApiSettings

NOWHERE = BoltEndpoint("bolt://127.0.0.1:9", "user", "password", "ogp")
GQL = "application/graphql-response+json"
JSON_TYPE = "application/json"


@asynccontextmanager
async def client_for(
    settings: ApiSettings | None = None, root_path: str = ""
) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    app = create_app(NOWHERE, api_settings=settings or ApiSettings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app


def send(
    settings: ApiSettings | None = None, root_path: str = "", **request: Any
) -> httpx.Response:
    """One request to a fresh app."""

    async def go() -> httpx.Response:
        async with client_for(settings, root_path) as (client, _):
            method = request.pop("method", "POST")
            url = request.pop("url", "/graphql")
            return await client.request(method, url, **request)

    return asyncio.run(go())


def json_body(content: bytes, **headers: str) -> dict[str, Any]:
    return {"content": content, "headers": {"content-type": "application/json", **headers}}


def where(n: int, *, literal: bool = False) -> str:
    """A ``PlanWhere`` nesting ``AND`` ``n`` levels deep, as JSON or as a GraphQL literal."""
    key = "AND" if literal else '"AND"'
    inner = '{ id: { eq: "x" } }' if literal else '{"id": {"eq": "x"}}'
    return ("{" + key + ": [") * n + inner + "]}" * n


def where_variable(n: int) -> bytes:
    return (
        '{"query": "query ($w: PlanWhere) { plans(where: $w) { totalCount } }", '
        '"variables": {"w": ' + where(n) + "}}"
    ).encode()


DEEP_LITERAL = "{ plans(where: " + where(900, literal=True) + ") { totalCount } }"


# --- malformed requests: a JSON GraphQL error with the right status, never a 500 -------

MALFORMED: list[tuple[str, dict[str, Any], int, str]] = [
    ("null body", json_body(b"null"), 400, "is null"),
    ("number body", json_body(b"12"), 400, "is a number"),
    ("string body", json_body(b'"x"'), 400, "is a string"),
    ("empty body", json_body(b""), 400, "empty"),
    ("not UTF-8", json_body(b'{"query": "\xff\xfe"}'), 400, "not UTF-8"),
    ("bad JSON", json_body(b'{"query": '), 400, "not valid JSON"),
    ("JSON nested too deeply", json_body(b"[" * 100_000), 400, "JSON"),
    ("no query", {"json": {"variables": {}}}, 400, "No GraphQL document"),
    ("query not a string", {"json": {"query": 12}}, 400, "`query`"),
    (
        "variables not an object",
        {"json": {"query": "{ __typename }", "variables": [1]}},
        400,
        "`variables`",
    ),
    (
        "operationName not a string",
        {"json": {"query": "{ __typename }", "operationName": 1}},
        400,
        "`operationName`",
    ),
    (
        "extensions not an object",
        {"json": {"query": "{ __typename }", "extensions": "x"}},
        400,
        "`extensions`",
    ),
    (
        "wrong content type",
        {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}},
        415,
        "application/json",
    ),
    ("no content type", {"content": b'{"query": "{ __typename }"}'}, 415, "application/json"),
    (
        "other charset",
        json_body(b"{}", **{"content-type": "application/json; charset=latin-1"}),
        415,
        "UTF-8",
    ),
    ("syntax error", {"json": {"query": "{ plans "}}, 400, "Syntax Error"),
    ("validation error", {"json": {"query": "{ nope }"}}, 400, "Cannot query field 'nope'"),
    (
        "two operations, no name",
        {"json": {"query": "query A { __typename } query B { __typename }"}},
        400,
        "operationName",
    ),
    (
        "unknown operation name",
        {"json": {"query": "query A { __typename }", "operationName": "B"}},
        400,
        "Unknown operation",
    ),
    ("no operation", {"json": {"query": "fragment F on Query { __typename }"}}, 400, ""),
    (
        "Int variable out of range",
        {
            "json": {
                "query": "query ($n: Int) { plans(first: $n) { totalCount } }",
                "variables": {"n": 2**40},
            }
        },
        400,
        "Int cannot represent",
    ),
    (
        "huge Int variable",
        {
            "json": {
                "query": "query ($n: Int) { plans(first: $n) { totalCount } }",
                "variables": {"n": 2**70},
            }
        },
        400,
        "Int cannot represent",
    ),
    (
        "lone surrogate in a variable",
        json_body(
            b'{"query": "query ($s: String!) { search(text: $s) { totalCount } }", "variables": {"s": "\\ud800"}}'
        ),
        400,
        "not valid Unicode",
    ),
    (
        "lone surrogate in the document",
        json_body(b'{"query": "{ search(text: \\"\\ud800\\") { totalCount } }"}'),
        400,
        "not valid Unicode",
    ),
    (
        "long string variable",
        {
            "json": {
                "query": "query ($s: String!) { search(text: $s) { totalCount } }",
                "variables": {"s": "x" * 20_000},
            }
        },
        400,
        "a string may be at most 1,000",
    ),
    ("where variable 900 levels deep", json_body(where_variable(900)), 400, "too deeply"),
    ("where variable 100 levels deep", json_body(where_variable(100)), 400, "levels deep"),
    ("where literal 900 levels deep", {"json": {"query": DEEP_LITERAL}}, 400, "nested too deeply"),
    (
        "400 chained fragments",
        {
            "json": {
                "query": "query { ...F0 }\n"
                + "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(400))
                + "\nfragment F400 on Query { __typename }"
            }
        },
        400,
        "more than 20 levels deep",
    ),
    (
        "unknown persisted query",
        {"json": {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "a" * 64}}}},
        400,
        "PersistedQueryNotFound",
    ),
    (
        "persisted hash mismatch",
        {
            "json": {
                "query": "{ __typename }",
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "b" * 64}},
            }
        },
        400,
        "does not match",
    ),
    (
        "persisted hash not hex",
        {"json": {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "zz"}}}},
        400,
        "64 hexadecimal",
    ),
    ("empty batch", {"json": []}, 400, "no operation"),
    ("batch too large", {"json": [{"query": "{ __typename }"}] * 11}, 400, "at most 10"),
    ("batch of a number", {"json": [1]}, 400, "is a number"),
    ("GET mutation", {"method": "GET", "params": {"query": "mutation { x }"}}, 405, "POST"),
    (
        "GET without query",
        {"method": "GET", "headers": {"accept": "application/json"}},
        400,
        "No GraphQL document",
    ),
    (
        "GET bad variables",
        {"method": "GET", "params": {"query": "{ __typename }", "variables": "{"}},
        400,
        "not valid JSON",
    ),
    ("PUT", {"method": "PUT", "json": {"query": "{ __typename }"}}, 405, "GET or POST"),
    (
        "not acceptable",
        {"json": {"query": "{ __typename }"}, "headers": {"accept": "text/csv"}},
        406,
        "Accept",
    ),
]


@pytest.mark.parametrize(
    ("request_", "status", "message"),
    [pytest.param(r, s, m, id=name) for name, r, s, m in MALFORMED],
)
def test_malformed_requests_get_a_json_graphql_error(
    request_: dict[str, Any], status: int, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    request_ = json.loads(json.dumps(request_)) if "content" not in request_ else dict(request_)
    headers = dict(request_.pop("headers", {}))
    accept = headers.setdefault("accept", GQL)
    with caplog.at_level(logging.INFO):
        response = send(headers=headers, **request_)
    assert response.status_code == status, response.text
    media = GQL if accept == GQL else JSON_TYPE
    assert response.headers["content-type"] == media
    body = response.json()
    assert isinstance(body["errors"], list) and body["errors"], body
    assert "data" not in body
    assert message in body["errors"][0]["message"]
    text = response.text
    for leak in ("Traceback", 'File "', "Exception", "java.", "RecursionError", "<class", " at 0x"):
        assert leak not in text, text
    # a client's mistake is one INFO line, never a logged traceback
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


def test_request_errors_answer_200_in_legacy_json() -> None:
    """Under application/json a well-formed request whose document fails still answers 200."""
    for headers in ({"accept": "application/json"}, {}, {"accept": "*/*"}):
        response = send(json={"query": "{ nope }"}, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == JSON_TYPE
        assert "data" not in response.json() and response.json()["errors"]
    # a malformed HTTP request keeps its 4xx whatever is accepted
    assert send(**json_body(b"null")).status_code == 400


def test_media_type_follows_accept() -> None:
    query = {"query": "{ __typename }"}
    cases = {
        GQL: GQL,
        "application/json": JSON_TYPE,
        f"{GQL}, application/json;q=0.9": GQL,
        f"application/json, {GQL};q=0.5": JSON_TYPE,
        "*/*": JSON_TYPE,
        "text/html, */*;q=0.8": JSON_TYPE,
    }
    for accept, media in cases.items():
        response = send(json=query, headers={"accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == media
        assert response.json()["data"] == {"__typename": "Query"}


def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    settings = ApiSettings(max_body_bytes=4096)
    chunks_read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        yield b'{"query": "{ __typename }", "x": "'
        for _ in range(10_000):
            chunks_read += 1
            yield b"x" * 1024

    response = send(settings, content=endless(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "larger than 4096 bytes" in response.json()["errors"][0]["message"]
    assert chunks_read < 10
    declared = send(settings, content=b"x" * 5000, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and declared.json()["errors"]


def test_two_operations_run_the_named_one() -> None:
    document = "query A { a: __typename } query B { b: __typename }"
    response = send(json={"query": document, "operationName": "B"})
    assert response.json()["data"] == {"b": "Query"}


# --- GET: queries only, cacheable ---------------------------------------------------


def test_get_answers_queries_with_cache_headers_and_304() -> None:
    async def go() -> None:
        async with client_for() as (client, _):
            params = {"query": "query Q($x: Boolean!) { __typename @include(if: $x) }"}
            params["variables"] = json.dumps({"x": True})
            first = await client.get("/graphql", params=params)
            assert first.status_code == 200 and first.json()["data"] == {"__typename": "Query"}
            etag = first.headers["etag"]
            assert etag.startswith('W/"')
            assert "max-age=60" in first.headers["cache-control"]
            assert "Accept" in first.headers["vary"]
            again = await client.get("/graphql", params=params, headers={"if-none-match": etag})
            assert again.status_code == 304 and again.content == b""
            assert again.headers["etag"] == etag
            other = await client.get(
                "/graphql",
                params={**params, "variables": '{"x": false}'},
                headers={"if-none-match": etag},
            )
            assert other.status_code == 200 and other.headers["etag"] != etag
            failed = await client.get("/graphql", params={"query": "{ nope }"})
            assert failed.headers["cache-control"] == "no-store" and "etag" not in failed.headers
            mutation = await client.get("/graphql", params={"query": "mutation M { x }"})
            assert mutation.status_code == 405 and mutation.headers["allow"] == "POST"

    asyncio.run(go())


def test_large_answers_are_gzipped() -> None:
    # an introspection answer is far above the 1 KiB threshold
    query = "{ __schema { types { name description fields { name description } } } }"
    response = send(json={"query": query}, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["data"]["__schema"]["types"]
    small = send(json={"query": "{ __typename }"}, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers
    raw = send(json={"query": query}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content) / 4


# --- CORS ---------------------------------------------------------------------------

ORIGIN = "http://localhost:5173"


def test_cors_lets_any_origin_read_by_default() -> None:
    preflight = send(
        method="OPTIONS",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, apollographql-client-name",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    allowed_headers = preflight.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed_headers and "apollographql-client-name" in allowed_headers
    post = send(json={"query": "{ __typename }"}, headers={"origin": ORIGIN})
    assert post.headers["access-control-allow-origin"] == "*"
    assert "etag" in post.headers["access-control-expose-headers"].lower()
    get = send(method="GET", params={"query": "{ __typename }"}, headers={"origin": ORIGIN})
    assert get.headers["access-control-allow-origin"] == "*"
    refused = send(**json_body(b"null", origin=ORIGIN))
    assert refused.status_code == 400 and refused.headers["access-control-allow-origin"] == "*"


def test_cors_origins_can_be_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGP_GRAPH_CORS_ORIGINS", "https://app.example.org, http://localhost:5173/")
    settings = ApiSettings()
    assert settings.cors_origins == ["https://app.example.org", ORIGIN]
    allowed = send(settings, json={"query": "{ __typename }"}, headers={"origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    other = send(
        settings, json={"query": "{ __typename }"}, headers={"origin": "https://evil.test"}
    )
    assert "access-control-allow-origin" not in other.headers
    preflight = send(
        settings,
        method="OPTIONS",
        headers={"origin": "https://evil.test", "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 400
    monkeypatch.setenv("OGP_GRAPH_CORS_ORIGINS", "")
    off = send(ApiSettings(), json={"query": "{ __typename }"}, headers={"origin": ORIGIN})
    assert "access-control-allow-origin" not in off.headers


def test_options_without_preflight_lists_the_methods() -> None:
    response = send(method="OPTIONS")
    assert response.status_code == 204 and "POST" in response.headers["allow"]


# --- batching, persisted queries, the document cache --------------------------------


def test_a_batch_answers_each_operation_in_order() -> None:
    batch = [
        {"query": "{ a: __typename }"},
        {"query": "{ nope }"},
        {"query": "query B { b: __typename }", "operationName": "B"},
    ]
    response = send(json=batch, headers={"accept": GQL})
    assert response.status_code == 200
    first, second, third = response.json()
    assert first["data"] == {"a": "Query"}
    assert "Cannot query field" in second["errors"][0]["message"] and "data" not in second
    assert third["data"] == {"b": "Query"}
    off = send(ApiSettings(max_batch_operations=0), json=batch)
    assert off.status_code == 400 and "turned off" in off.json()["errors"][0]["message"]


def test_automatic_persisted_queries() -> None:
    query = "query Persisted { __typename }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}

    async def go() -> None:
        async with client_for() as (client, app):
            counters = app.state.documents.counters
            unknown = await client.post("/graphql", json={"extensions": persisted})
            assert unknown.status_code == 200
            error = unknown.json()["errors"][0]
            assert error["message"] == "PersistedQueryNotFound"
            assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
            sent = await client.post("/graphql", json={"query": query, "extensions": persisted})
            assert sent.json()["data"] == {"__typename": "Query"}
            by_hash = await client.post("/graphql", json={"extensions": persisted})
            assert by_hash.json()["data"] == {"__typename": "Query"}
            params = {"extensions": json.dumps(persisted)}
            get = await client.get("/graphql", params=params)
            assert get.json()["data"] == {"__typename": "Query"} and "etag" in get.headers
            assert counters.persisted_misses == 1 and counters.persisted_hits == 2

    asyncio.run(go())


def test_a_repeated_document_is_parsed_and_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import schema.document_cache as cache_module

    parsed: list[str] = []
    validated: list[object] = []
    real_parse, real_validate = cache_module.parse, cache_module.validate_document

    def counting_parse(text: str, **options: Any) -> Any:
        parsed.append(text)
        return real_parse(text, **options)

    def counting_validate(*args: Any) -> Any:
        validated.append(args[1])
        return real_validate(*args)

    monkeypatch.setattr(cache_module, "parse", counting_parse)
    monkeypatch.setattr(cache_module, "validate_document", counting_validate)

    async def go() -> None:
        async with client_for() as (client, app):
            counters = app.state.documents.counters
            for _ in range(3):
                response = await client.post("/graphql", json={"query": "{ __typename }"})
                assert response.json()["data"] == {"__typename": "Query"}
            for _ in range(2):
                response = await client.post("/graphql", json={"query": "{ nope }"})
                assert response.json()["errors"]
            assert len(parsed) == 2 and len(validated) == 2
            assert (counters.hits, counters.misses) == (3, 2)

    asyncio.run(go())


def test_the_document_cache_is_bounded() -> None:
    from schema.document_cache import DocumentCache

    cache = DocumentCache(max_entries=3, max_chars=100, max_tokens=None)
    for i in range(5):
        cache.prepare(f"{{ a{i}: __typename }}")
    assert len(cache) == 3 and cache.counters.evictions == 2
    cache.prepare("{ " + "x " * 60 + "}")  # larger than the whole budget: not kept
    assert len(cache) == 3
    small = DocumentCache(max_entries=100, max_chars=60, max_tokens=None)
    for i in range(5):
        small.prepare(f"{{ a{i}: __typename }}")
    assert sum(len(t) for t in (small.persisted(k) or "" for k in small)) <= 60


# --- behind a reverse proxy under a prefix ------------------------------------------


def test_under_a_root_path_links_stay_under_the_prefix() -> None:
    async def go() -> None:
        async with client_for(root_path="/ogp") as (client, _):
            home = await client.get("/ogp/")
            assert home.status_code in (302, 307)
            assert home.headers["location"] == "/ogp/graphql"
            page = await client.get("/ogp/graphql", headers={"accept": "text/html"})
            assert page.status_code == 200 and "graphiql" in page.text.lower()
            answer = await client.post("/ogp/graphql", json={"query": "{ __typename }"})
            assert answer.json()["data"] == {"__typename": "Query"}

    asyncio.run(go())


def test_a_long_document_is_prepared_off_the_event_loop() -> None:
    """Parsing and validating ~5,000 tokens takes long; other requests are served meanwhile."""
    long_document = "{ " + " ".join(f"a{i}: __typename" for i in range(1600)) + " }"

    async def go() -> int:
        async with client_for() as (client, _):
            gaps: list[float] = []
            done = asyncio.Event()

            async def ticker() -> None:
                loop = asyncio.get_running_loop()
                last = loop.time()
                while not done.is_set():
                    await asyncio.sleep(0.005)
                    now = loop.time()
                    gaps.append(now - last)
                    last = now

            async def long_request() -> None:
                response = await client.post("/graphql", json={"query": long_document})
                assert "aliases" in response.json()["errors"][0]["message"].lower()
                done.set()

            await asyncio.gather(long_request(), ticker())
            return len(gaps)

    # not a timing bound (the machines are shared): the loop must have turned meanwhile
    ticks = asyncio.run(go())
    assert ticks >= 3, ticks


def test_a_fault_of_the_service_is_a_json_500(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from schema.transport import endpoint

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(endpoint, "document_text", broken)
    with caplog.at_level(logging.ERROR):
        response = send(json={"query": "{ __typename }"})
    assert response.status_code == 500
    assert response.headers["content-type"] == JSON_TYPE
    assert "internal detail" not in response.text and response.json()["errors"]
    assert any(record.exc_info for record in caplog.records)
