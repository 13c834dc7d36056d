"""API faults through FaultsMiddleware, and the knobs' control endpoint."""

import asyncio
import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from typer.testing import CliRunner

from shopify_sandbox.cli import sandbox_app
from shopify_sandbox.faults import FaultInjector, Faults, FaultsMiddleware, InvalidFaults, faults_routes
from shopify_sandbox.live_server import running_server


class Client:
    """Calls an ASGI app in process (httpx's ASGI transport)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(send())

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)


def make_app(faults: Faults, slept: list[float] | None = None) -> tuple[Client, FaultInjector]:
    async def graphql(_request):
        return JSONResponse({"data": {"shop": {"name": "x"}}})

    async def record_sleep(seconds: float) -> None:
        if slept is not None:
            slept.append(seconds)

    injector = FaultInjector(faults)
    app = Starlette(
        routes=[Route("/admin/api/2026-10/graphql.json", graphql, methods=["POST"]), *faults_routes(injector)]
    )
    app.add_middleware(FaultsMiddleware, injector=injector, sleep=record_sleep)
    return Client(app), injector


def call(client: Client):
    return client.post("/admin/api/2026-10/graphql.json", json={"query": "{ shop { name } }"})


def test_5xx_at_rate_one_fails_every_request_with_a_shopify_like_body():
    client, _ = make_app(Faults(api_5xx_rate=1.0))
    for _ in range(10):
        response = call(client)
        assert response.status_code in (502, 503)
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert error["extensions"]["requestId"] == response.headers["x-request-id"]


def test_rate_zero_lets_every_request_through():
    slept: list[float] = []
    client, _ = make_app(
        Faults(api_5xx_rate=0.0, api_timeout_rate=0.0, api_latency_rate=0.0, api_latency_ms=500), slept
    )
    assert all(call(client).status_code == 200 for _ in range(20))
    assert slept == []


def test_a_timeout_hangs_for_its_bound_then_answers_504():
    slept: list[float] = []
    client, _ = make_app(Faults(api_timeout_rate=1.0, api_timeout_seconds=12), slept)
    response = call(client)
    assert slept == [12]
    assert response.status_code == 504


def test_latency_is_added_before_the_real_answer():
    slept: list[float] = []
    client, _ = make_app(Faults(api_latency_rate=1.0, api_latency_ms=250), slept)
    response = call(client)
    assert response.status_code == 200
    assert slept == [0.25]


def test_the_controls_are_never_faulted():
    client, _ = make_app(Faults(api_5xx_rate=1.0))
    assert client.get("/sandbox/faults").status_code == 200


def test_a_seeded_5xx_rate_fails_the_same_requests_each_run():
    def failures(seed: int) -> list[int]:
        client, _ = make_app(Faults(seed=seed, api_5xx_rate=0.3))
        return [n for n in range(100) if call(client).status_code != 200]

    assert failures(11) == failures(11)
    assert 15 < len(failures(11)) < 45


def test_knobs_are_set_at_run_time_over_http():
    client, injector = make_app(Faults())
    response = client.post("/sandbox/faults", json={"api_5xx_rate": 1, "webhook_late_seconds": 60})
    assert response.status_code == 200
    assert response.json()["api_5xx_rate"] == 1.0
    assert injector.faults.webhook_late_seconds == 60.0
    assert call(client).status_code in (502, 503)
    client.post("/sandbox/faults", json={"api_5xx_rate": 0})
    assert call(client).status_code == 200
    assert client.get("/sandbox/faults").json()["webhook_late_seconds"] == 60.0


@pytest.mark.parametrize(
    "body",
    [{"api_5xx_rate": 1.5}, {"no_such_knob": 1}, {"api_5xx_rate": "high"}, [1, 2], {"api_timeout_seconds": 10_000}],
)
def test_bad_knobs_are_refused_with_400_and_change_nothing(body):
    client, injector = make_app(Faults())
    response = client.post("/sandbox/faults", json=body)
    assert response.status_code == 400
    assert "errors" in response.json()
    assert injector.faults == Faults()


def test_a_bad_rate_cannot_be_constructed():
    with pytest.raises(InvalidFaults):
        Faults(webhook_drop_rate=-0.1)


def test_every_injected_api_fault_is_counted_by_kind_and_the_counts_survive_new_knobs():
    client, _ = make_app(Faults(seed=5, api_5xx_rate=0.5, api_latency_rate=0.5, api_latency_ms=10))
    statuses = [call(client).status_code for _ in range(40)]
    counts = client.get("/sandbox/faults/injected").json()
    assert counts["api_5xx"] == sum(status in (502, 503) for status in statuses) > 0
    assert 0 < counts["api_latency"] < 40
    assert counts["api_timeout"] == 0
    client.post("/sandbox/faults", json={"api_5xx_rate": 0, "api_timeout_rate": 1, "api_timeout_seconds": 1})
    assert call(client).status_code == 504
    again = client.get("/sandbox/faults/injected").json()
    assert (again["api_5xx"], again["api_timeout"]) == (counts["api_5xx"], 1)


def test_the_injected_counts_name_every_kind_even_at_zero():
    client, _ = make_app(Faults())
    call(client)
    assert client.get("/sandbox/faults/injected").json() == {
        "webhook_dropped": 0,
        "webhook_duplicated": 0,
        "webhook_reordered": 0,
        "webhook_late": 0,
        "api_5xx": 0,
        "api_timeout": 0,
        "api_latency": 0,
    }


def test_the_sandbox_faults_command_shows_the_knobs_and_the_counts():
    client, _ = make_app(Faults(seed=3, api_5xx_rate=1.0))
    for _ in range(3):
        call(client)
    with running_server(client.app) as url:
        shown = CliRunner().invoke(sandbox_app, ["faults", "--url", url])
        as_json = CliRunner().invoke(sandbox_app, ["faults", "--url", url, "--json"])
    assert shown.exit_code == 0, shown.output
    assert "api_5xx" in shown.output
    assert "knobs in force: api_5xx_rate 1.0" in shown.output
    body = json.loads(as_json.stdout)
    assert body["injected"]["api_5xx"] == 3
    assert body["knobs"]["api_5xx_rate"] == 1.0
