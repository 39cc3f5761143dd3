"""The attacks of issue 10 against the real server and store: each refused or answered within
budget, cheap requests answered meanwhile in under a second, memory bounded."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.store import BoltEndpoint
from tests.conftest import Server

#: these tests start the embedded store or a server of their own
pytestmark = pytest.mark.store


def rounds(first: int, hops: list[str], count: int) -> str:
    body = "id"
    for i in reversed(range(count)):
        body = f"{hops[i % len(hops)]}(first: {first}) {{ nodes {{ {body} }} }}"
    return "{ " + body + " }"


def nested_some(levels: int) -> dict[str, Any]:
    condition: dict[str, Any] = {"code": {"eq": "x"}}
    for i in reversed(range(levels)):
        condition = {("indicators", "departments")[i % 2]: {"some": condition}}
    return condition


WHERE_QUERY = "query($w: DepartmentWhere) { departments(where: $w) { totalCount } }"
OR_QUERY = "query($w: IndicatorWhere) { indicators(where: $w) { totalCount } }"

#: (name, query, variables, the code of the refusal)
ATTACKS: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("4 rounds of 500", rounds(500, ["indicators", "departments"], 4), None, "COST_LIMIT"),
    ("3 rounds of 500", rounds(500, ["indicators", "departments"], 3), None, "COST_LIMIT"),
    (
        "progress update rounds",
        "{ progressUpdates(first: 500) { nodes { indicator { updates(first: 500) { nodes { "
        "indicator { updates(first: 500) { nodes { id } } } } } } } } }",
        None,
        "COST_LIMIT",
    ),
    ("milestone rounds", rounds(500, ["milestones", "departments"], 3), None, "COST_LIMIT"),
    (
        "100,000 ids",
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [f"Indicator:CAN-2022-2024:C01.1.{i}" for i in range(100_000)]},
        "INPUT_LIMIT",
    ),
    ("8 nested some", WHERE_QUERY, {"w": nested_some(8)}, "COST_LIMIT"),
    (
        "OR of 1,000",
        OR_QUERY,
        {"w": {"OR": [{"code": {"eq": f"C{i}"}} for i in range(1000)]}},
        "INPUT_LIMIT",
    ),
    (
        "OR of 400",
        OR_QUERY,
        {"w": {"OR": [{"code": {"eq": f"C{i}"}} for i in range(400)]}},
        "COST_LIMIT",
    ),
    (
        "1 MB search string",
        "query($q: String!) { search(query: $q) { totalCount } }",
        {"q": "données ouvertes " * 60_000},
        "INPUT_LIMIT",
    ),
]

CHEAP = '{ partnership { name } plan(id: "Plan:CAN-2022-2024") { title } }'


def post(url: str, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
    )


@pytest.mark.parametrize("attack", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_each_attack_is_refused_quickly_with_a_clear_error(
    server: Server, attack: tuple[str, str, dict[str, Any] | None, str]
) -> None:
    _, query, variables, code = attack
    started = time.monotonic()
    response = post(server.url, query, variables)
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 400, 413), response.text[:300]
    body = response.json()
    assert body.get("data") is None and body["errors"]
    if response.status_code == 413:  # a body over the size limit is refused before it is read
        assert "larger than" in body["errors"][0]["message"]
    else:
        assert body["errors"][0]["extensions"]["code"] == code
    assert "Traceback" not in response.text
    assert elapsed < 3, f"refusing took {elapsed:.1f} s"


HEAVY = [
    # just under the budget: 200 milestones x their departments x their indicators
    "{ milestones(first: 200) { nodes { code departments { nodes { code indicators { "
    "nodes { code title } } } } } } }",
    "{ indicators(first: 500) { nodes { code title departments { nodes { code } } } } }",
    '{ neighborhood(id: "Country:CAN", depth: 3) { nodes { id label } edges { type } } }',
]

#: Measures the app's Python memory in a process of its own, with no JVM in it: stopping
#: tracemalloc while the JVM's native threads allocate through Python crashes CPython 3.11
#: (a race fixed in later CPython releases), so the pytest process, which holds the
#: embedded store, never traces.
MEASURER = """
import gc, json, sys, tracemalloc
from graph.settings import StoreSettings
from graph.store import BoltEndpoint
from schema.app import create_app
from schema.settings import ApiSettings
from tests.conftest import GraphQLClient, in_process
endpoint, heavy = BoltEndpoint(**json.loads(sys.argv[1])), json.loads(sys.argv[2])
app = create_app(endpoint, StoreSettings(statement_timeout=10.0), ApiSettings())
with in_process(app) as send:
    gql = GraphQLClient(send=send)
    warm = [gql.post(query) for query in heavy]  # the first run fills caches that stay
    gc.collect()
    tracemalloc.start()
    baseline, _ = tracemalloc.get_traced_memory()
    answers = [gql.post(query) for query in heavy]
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
print(json.dumps({"warm": warm, "answers": answers, "grown": current - baseline,
                  "peak": peak - baseline}))
"""


def test_the_heaviest_accepted_requests_answer_with_bounded_memory(
    store_endpoint: BoltEndpoint,
) -> None:
    endpoint = json.dumps(dataclasses.asdict(store_endpoint))
    run = subprocess.run(
        [sys.executable, "-c", MEASURER, endpoint, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert run.returncode == 0, run.stderr
    measured = json.loads(run.stdout.splitlines()[-1])
    for body in measured["warm"]:
        assert "errors" not in body, body["errors"]
        assert body["extensions"]["cost"]["estimate"] <= body["extensions"]["cost"]["budget"]
    assert all("errors" not in body for body in measured["answers"])
    peak, grown = measured["peak"], measured["grown"]
    assert peak < 300 * 2**20, f"peak grew by {peak / 2**20:.0f} MiB"
    assert grown < 30 * 2**20, f"kept {grown / 2**20:.0f} MiB"


ATTACKER = """
import sys, httpx
url, bodies = sys.argv[1], [open(p, "rb").read() for p in sys.argv[2:]]
with httpx.Client(timeout=60) as client:
    i = 0
    while True:
        r = client.post(url, content=bodies[i % len(bodies)],
                        headers={"content-type": "application/json"})
        print(r.status_code, flush=True)
        i += 1
"""


def test_cheap_requests_are_answered_in_under_a_second_during_an_attack(
    server: Server, tmp_path: Path
) -> None:
    """Attackers in other processes (so they take no time from the server's interpreter)."""
    paths = []
    for i, (_, query, variables, _) in enumerate(ATTACKS):
        path = tmp_path / f"attack{i}.json"
        path.write_bytes(json.dumps({"query": query, "variables": variables or {}}).encode())
        paths.append(str(path))
    attackers = [
        subprocess.Popen(
            [sys.executable, "-c", ATTACKER, f"{server.url}/graphql", *paths[i:], *paths[:i]],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    latencies = []
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            time.sleep(1.0)
            for _ in range(20):
                started = time.monotonic()
                response = client.post("/graphql", json={"query": CHEAP})
                latencies.append(time.monotonic() - started)
                assert response.status_code == 200 and "errors" not in response.json()
                time.sleep(0.05)
    finally:
        for attacker in attackers:
            attacker.kill()
    statuses = [int(line) for a in attackers for line in a.communicate()[0].split()]
    assert len(statuses) > 10 and all(status < 500 for status in statuses)
    latencies.sort()
    # the machine running the tests may be shared: the median must be well under a second
    # and no cheap request may wait behind an attack for long
    assert latencies[len(latencies) // 2] < 1.0, latencies
    assert latencies[-1] < 2.5, latencies
