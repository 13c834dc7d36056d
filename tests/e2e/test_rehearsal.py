"""`trueup rehearse` at small scale: a Black Friday profile with webhook and API faults and an ERP outage,
then nothing lost, nothing duplicated, nothing oversold, not a cent of difference. Never a timing."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import StackFactory
from trueup.entrypoints.rehearsal import Rehearsal, html_chart, run

pytestmark = [pytest.mark.slow, pytest.mark.tryton]


def test_a_rehearsal_with_faults_and_an_erp_outage_loses_duplicates_and_oversells_nothing(
    start_stack: StackFactory,
):
    stack = start_stack(worker_threads=2)
    asked = Rehearsal(orders=8, seed=21, profile="black_friday", speed=0.0, faults=True, erp_outage_seconds=3.0)

    report = run(stack, asked)

    assert report["settled"]
    assert report["paid_orders"] > 0
    assert (report["lost"], report["duplicated"], report["oversold"]) == (0, 0, 0)
    assert (report["money_difference"], report["money_differences"]) == ("0.00", [])
    assert report["erp_sales"] == report["paid_orders"]
    assert set(report["faults_injected"]) >= {"webhook_dropped", "webhook_duplicated", "api_5xx"}
    assert report["latency_seconds"]["p50"] is not None
    assert report["backlog"], "the backlog was sampled"
    api = report["api"]
    assert api["calls"] > 0, "the workers stored their API use, the last minute included"
    assert api["cost_used"] > 0
    assert 0 <= api["lowest_available"] <= api["maximum_available"]
    assert api["throttled"] >= 0
    assert api["throttled_answered"] == api["throttled"] + api["throttled_trading"] + api["throttled_checks"], (
        "every THROTTLED answer of the sandbox is counted by the workers, the trading or the rehearsal's checks"
    )
    assert set(report["resident_mb_peak"]) == {"trueup worker 1", "trueup serve"}
    assert all(mb > 0 for mb in report["resident_mb_peak"].values())
    assert report["intake_ms"]["answered"] > 0
    assert 0 < report["intake_ms"]["p50"] <= report["intake_ms"]["p99"] <= report["intake_ms"]["max"]
    page = html_chart(report)
    assert page.startswith("<!doctype html>")
    assert "<polyline" in page
    assert "Shopify API cost used per minute" in page
