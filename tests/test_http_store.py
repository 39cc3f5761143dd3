"""GraphQL over HTTP on the real store, in-process: caching, gzip and refusals with real data."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import pytest

from graph.store import BoltEndpoint
from schema.app import create_app
from schema.settings import ApiSettings

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store

PLANS = """query Plans($first: Int!) {
  plans(first: $first) { totalCount edges { node { id title description startYear endYear
    commitments(first: 50) { edges { node { code title description } } } } } }
}"""


def exchange(endpoint: BoltEndpoint, *requests: dict[str, Any]) -> list[httpx.Response]:
    """Send requests in order to one app on the session store; their responses."""

    async def go() -> list[httpx.Response]:
        app = create_app(endpoint, api_settings=ApiSettings())
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                responses = []
                for request in requests:
                    request = dict(request)
                    responses.append(
                        await client.request(request.pop("method", "POST"), "/graphql", **request)
                    )
                return responses

    return asyncio.run(go())


def test_a_large_answer_is_gzipped_and_a_get_is_revalidated(store_endpoint: BoltEndpoint) -> None:
    params = {"query": PLANS, "variables": '{"first": 50}'}
    (first,) = exchange(
        store_endpoint, {"method": "GET", "params": params, "headers": {"accept-encoding": "gzip"}}
    )
    assert first.status_code == 200, first.text
    assert first.headers["content-encoding"] == "gzip"
    data = first.json()["data"]
    assert data["plans"]["totalCount"] > 0
    etag = first.headers["etag"]
    # the same question on another app instance gives the same validator: 304, no body
    again, post = exchange(
        store_endpoint,
        {"method": "GET", "params": params, "headers": {"if-none-match": etag}},
        {"json": {"query": PLANS, "variables": {"first": 50}}},
    )
    assert again.status_code == 304 and again.content == b""
    assert post.json()["data"] == data and "etag" not in post.headers


def test_persisted_queries_and_batches_answer_with_data(store_endpoint: BoltEndpoint) -> None:
    query = '{ country(code: "CAN") { name } }'
    persisted = {
        "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}
    }
    missing, sent, by_hash, batch = exchange(
        store_endpoint,
        {"json": {"extensions": persisted}},
        {"json": {"query": query, "extensions": persisted}},
        {"json": {"extensions": persisted}},
        {"json": [{"extensions": persisted}, {"query": PLANS, "variables": {"first": 1}}]},
    )
    assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert sent.json()["data"] == by_hash.json()["data"] == {"country": {"name": "Canada"}}
    first, second = batch.json()
    assert first["data"] == {"country": {"name": "Canada"}}
    assert len(second["data"]["plans"]["edges"]) == 1
    # each operation of a batch has its own statement count
    assert first["extensions"]["cypher"]["statements"] >= 1


def test_client_mistakes_on_real_fields_are_graphql_errors(store_endpoint: BoltEndpoint) -> None:
    search = "query ($text: String!) { search(text: $text) { totalCount } }"
    gql = {"accept": "application/graphql-response+json"}
    surrogate, huge, out_of_range = exchange(
        store_endpoint,
        {
            "content": b'{"query": "'
            + search.replace('"', '\\"').encode()
            + b'", "variables": {"text": "\\udc00"}}',
            "headers": {"content-type": "application/json", **gql},
        },
        {"json": {"query": search, "variables": {"text": "x" * 50_000}}, "headers": gql},
        {"json": {"query": PLANS, "variables": {"first": 2**31}}, "headers": gql},
    )
    for response in (surrogate, huge, out_of_range):
        assert response.status_code == 400, response.text
        body = response.json()
        assert "data" not in body and body["errors"][0]["message"]
        assert "Unexpected error" not in response.text
