"""`trueup sandbox payouts` and `serve --clock manual --start`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from shopify_sandbox.cli import sandbox_app
from shopify_sandbox.live_server import running_server
from tests.sandbox.payments.factories import MONDAY, at, buy, us_sandbox


def test_payouts_lists_each_payout_with_its_transactions_and_the_balance():
    client, _ = us_sandbox()
    buy(client, "100.00")
    at(client, MONDAY.replace(day=4))
    buy(client, "20.00")
    with running_server(client.app) as url:
        shown = CliRunner().invoke(sandbox_app, ["payouts", "--url", url, "--transactions"])
        as_json = CliRunner().invoke(sandbox_app, ["payouts", "--url", url, "--json", "--status", "scheduled"])
    assert shown.exit_code == 0, shown.output
    assert "98.25 USD" in shown.output
    assert "CHARGE" in shown.output
    assert "balance not yet paid out: 19.45 USD" in shown.output
    body = json.loads(as_json.stdout)
    assert [p["net"] for p in body["payouts"]] == ["98.25"]
    assert body["account"]["balance"] == {"USD": "19.45"}


def test_payouts_says_when_the_sandbox_cannot_be_reached():
    result = CliRunner().invoke(sandbox_app, ["payouts", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "cannot be reached" in result.output


def test_serve_refuses_a_start_without_a_manual_clock_or_that_is_not_an_instant():
    runner = CliRunner()
    refused = runner.invoke(sandbox_app, ["serve", "--start", "2026-11-02T08:00:00Z"])
    assert refused.exit_code == 2
    assert "--clock manual" in refused.output
    garbled = runner.invoke(sandbox_app, ["serve", "--clock", "manual", "--start", "Monday"])
    assert garbled.exit_code == 2
    assert "ISO 8601" in garbled.output


def test_the_start_instant_is_read_as_utc():
    from shopify_sandbox.cli import _start

    assert _start("2026-11-02T08:00:00") == datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert _start(None) is None
