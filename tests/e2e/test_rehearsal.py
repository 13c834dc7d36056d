"""`trueup rehearse` at small scale: a Black Friday profile with webhook and API faults and an ERP outage,
then nothing lost, nothing duplicated, nothing oversold, not a cent of difference. Never a timing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import TRYTON_CACHE, StackFactory
from trueup.config import SecretRef, write_secret_file
from trueup.entrypoints.rehearsal import Rehearsal, html_chart, run
from trueup.local_stack.embedded_tryton import ADMIN_PASSWORD, TrytonServer, ensure_database
from trueup.local_stack.processes import free_port

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


def test_two_rehearsals_with_follow_ups_against_an_existing_erp_each_count_their_own_documents(
    start_stack: StackFactory, tmp_path: Path
):
    ensure_database(TRYTON_CACHE, tmp_path / "staging", "staging")  # stands for a brand's staging copy
    password = tmp_path / "erp-password"
    write_secret_file(password, ADMIN_PASSWORD)
    with TrytonServer(tmp_path / "staging", free_port(), databases=("staging",)) as staging:
        reports = []
        for run_number, seed in ((1, 33), (2, 35)):  # each with a refund among its follow-ups
            stack = start_stack(
                erp="external",
                erp_url=staging.url,
                erp_database="staging",
                erp_password=SecretRef(file=password),
                shop_domain=f"rehearsal-{run_number}.myshopify.com",
            )
            assert stack.tryton is None, "no Tryton of the stack's own"
            reports.append(run(stack, Rehearsal(orders=4, seed=seed, speed=0.0, follow_ups=True)))
            stack.stop()
        held = len(stack.erp_sales())

    for report in reports:
        assert report["settled"]
        assert report["follow_ups"] > 0
        assert (report["lost"], report["duplicated"], report["money_difference"]) == (0, 0, "0.00")
        assert report["erp_sales"] == report["paid_orders"] > 0, "only this run's sales are counted"
    assert held == sum(r["erp_sales"] for r in reports), "the ERP holds both runs' sales"
