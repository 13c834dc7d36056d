"""The `trade` command and its player against the real sandbox app, over HTTP on 127.0.0.1."""

import json

import typer
from typer.testing import CliRunner

from shopify_sandbox.clock import ManualClock
from shopify_sandbox.config import SandboxConfig
from shopify_sandbox.trading import generate_shop, generate_trading
from shopify_sandbox.trading.cli import register
from shopify_sandbox.trading.graphql_client import AdminGraphQL
from shopify_sandbox.trading.player import TradePlayer
from tests.sandbox.trading.live_sandbox import TOKEN, live_sandbox


def trade_cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """The command group `trade` is registered on."""

    return app


def test_trade_places_every_order_of_the_plan_and_prints_a_json_summary():
    seed, orders = 3, 60
    with live_sandbox(SandboxConfig(seed=seed, plan="plus", access_token=TOKEN)) as url:
        result = CliRunner().invoke(
            trade_cli(),
            ["trade", "--url", url, "--access-token", TOKEN, "--orders", str(orders), "--seed", str(seed), "--json"],
        )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    plan = generate_trading(seed, generate_shop(seed), orders=orders)
    assert summary["orders_placed"] == orders
    assert summary["orders_failed"] == 0
    assert summary["total_value"]["USD"] != "0"
    # Orders with native bundles may still differ by a cent while the sandbox spreads a bundle's money
    # over its components; every other order must total exactly what the plan balanced.
    with_bundles = {a.order_position for a in plan if a.order and any(line.is_bundle for line in a.order.lines)}
    assert set(summary["mismatched_orders"]) <= with_bundles
    assert not [e for e in summary["errors"] if e.startswith(("address_change", "order_cancel"))]


def test_a_wrong_token_stops_the_command_with_an_error():
    with live_sandbox(SandboxConfig(seed=1, access_token=TOKEN)) as url:
        result = CliRunner().invoke(trade_cli(), ["trade", "--url", url, "--access-token", "nope", "--orders", "1"])
    assert result.exit_code == 1
    assert "401" in result.output


EXPENSIVE = "{ productVariants(first: 250) { nodes { id sku title price } } }"


def test_the_player_backs_off_when_throttled_and_still_places_every_order():
    clock = ManualClock()
    seed = 4
    # The player waits on the sandbox's own (manual) clock: the bucket refills exactly as long as the
    # player chose to wait, and never by itself.
    with live_sandbox(SandboxConfig(seed=seed, plan="standard", access_token=TOKEN, clock=clock)) as url:
        client = AdminGraphQL(url, TOKEN, sleep=clock.advance)
        player = TradePlayer(client)
        player.load_ids()
        for _ in range(100):  # empty the standard plan's 2,000-point bucket
            client.execute(EXPENSIVE)
            if client.counters.throttled:
                break
        throttled_while_draining = client.counters.throttled
        plan = [a for a in generate_trading(seed, generate_shop(seed), orders=25) if a.kind == "order_create"]
        summary = player.play(plan)
        client.close()
    assert throttled_while_draining > 0
    assert summary.orders_placed == 25
    assert summary.throttled > throttled_while_draining
    assert summary.orders_failed == 0


def test_the_player_rides_out_injected_5xx_and_the_knobs_turn_at_run_time():
    import httpx

    from shopify_sandbox.faults import FaultInjector, Faults

    seed = 6
    injector = FaultInjector(Faults(seed=seed, api_5xx_rate=0.3))
    slept: list[float] = []
    with live_sandbox(SandboxConfig(seed=seed, plan="plus", access_token=TOKEN), faults=injector) as url:
        client = AdminGraphQL(url, TOKEN, sleep=slept.append)
        player = TradePlayer(client)
        player.load_ids()
        plan = [a for a in generate_trading(seed, generate_shop(seed), orders=20) if a.kind == "order_create"]
        summary = player.play(plan)
        client.close()
        turned_off = httpx.post(f"{url}/sandbox/faults", json={"api_5xx_rate": 0}).json()
    assert summary.orders_placed == 20
    assert summary.retried > 0
    assert slept
    assert turned_off["api_5xx_rate"] == 0.0
    assert injector.faults.api_5xx_rate == 0.0


def test_minutes_of_a_profile_place_the_orders_of_those_minutes():
    seed = 8
    expected = len(
        [
            a
            for a in generate_trading(seed, generate_shop(seed), minutes=1, profile="black_friday")
            if a.kind == "order_create"
        ]
    )
    with live_sandbox(SandboxConfig(seed=seed, plan="plus", access_token=TOKEN)) as url:
        result = CliRunner().invoke(
            trade_cli(),
            [
                "trade",
                "--url",
                url,
                "--access-token",
                TOKEN,
                "--minutes",
                "1",
                "--profile",
                "black_friday",
                "--seed",
                str(seed),
                "--json",
            ],
        )
    assert result.exit_code == 0, result.output
    assert expected > 0
    assert json.loads(result.stdout)["orders_placed"] == expected


def test_orders_and_minutes_together_are_refused():
    result = CliRunner().invoke(
        trade_cli(), ["trade", "--url", "http://127.0.0.1:9", "--access-token", "t", "--orders", "5", "--minutes", "1"]
    )
    assert result.exit_code == 2
    assert "not both" in result.output
