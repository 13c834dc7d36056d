"""The rehearsal's report pieces that need no stack: percentiles and the self-contained HTML chart."""

from __future__ import annotations

from datetime import UTC, datetime

from trueup.domain.api_usage import ApiUsage
from trueup.entrypoints.rehearsal import api_budget, html_chart, intake_times, percentiles


def a_report(**changes: object) -> dict[str, object]:
    report: dict[str, object] = {
        "profile": "black_friday",
        "paid_orders": 3,
        "erp_sales": 3,
        "lost": 0,
        "duplicated": 0,
        "oversold": 0,
        "money_difference": "0.00",
        "latency_seconds": {"p50": 1.0, "p95": 2.0, "p99": 2.0},
        "peak_backlog": 4,
        "backlog": [[0.0, 0, 0], [1.0, 4, 1], [2.0, 0, 3]],
    }
    return {**report, **changes}


def test_percentiles_of_latencies_and_of_too_few_to_tell():
    assert percentiles([float(n) for n in range(1, 101)]) == {"p50": 50.5, "p95": 95.05, "p99": 99.01}
    assert percentiles([3.0]) == {"p50": 3.0, "p95": 3.0, "p99": 3.0}
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None}


def test_the_chart_is_one_page_with_both_lines_and_nothing_loaded_from_elsewhere():
    page = html_chart(a_report())
    assert page.count("<polyline") == 2
    assert "src=" not in page
    assert "href=" not in page
    assert "0,240.0" in page  # the first sample at the bottom left


def test_the_chart_escapes_what_it_shows():
    page = html_chart(a_report(profile="<script>alert(1)</script>"))
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def a_minute(minute: int, **changes: object) -> ApiUsage:
    fields: dict[str, object] = {
        "calls": 10,
        "requested_cost": 120,
        "actual_cost": 80,
        "lowest_available": 3900.0,
        "maximum_available": 4000.0,
        "restore_rate": 200.0,
    }
    return ApiUsage("shop.myshopify.com", datetime(2026, 11, 27, 9, minute, tzinfo=UTC), **{**fields, **changes})  # type: ignore[arg-type]


def test_the_api_budget_sums_the_minutes_and_keeps_the_lowest_bucket_level_seen():
    usage = [a_minute(1), a_minute(0, lowest_available=1000.0, throttled=2), a_minute(2, lowest_available=None)]

    budget = api_budget(usage)

    assert {k: v for k, v in budget.items() if k != "per_minute"} == {
        "minutes": 3,
        "calls": 30,
        "cost_used": 240,
        "cost_requested": 360,
        "throttled": 2,
        "lowest_available": 1000.0,
        "maximum_available": 4000.0,
        "peak_used_percent": 75,
    }
    assert [m["minute"][11:16] for m in budget["per_minute"]] == ["09:00", "09:01", "09:02"]


def test_no_stored_minute_is_no_budget_reading_and_no_budget_chart():
    budget = api_budget([])

    assert (budget["calls"], budget["throttled"], budget["lowest_available"], budget["peak_used_percent"]) == (
        0,
        0,
        None,
        None,
    )
    assert "API cost used per minute" not in html_chart(a_report(api=budget))


def test_the_chart_marks_the_minutes_shopify_answered_throttled():
    budget = api_budget([a_minute(0), a_minute(1, throttled=3)])

    page = html_chart(a_report(api=budget))

    assert page.count("<rect") == 2
    assert page.count('fill="#c0392b"') == 1
    assert "THROTTLED: 3" in page


def test_intake_times_are_the_answered_attempts_in_milliseconds():
    deliveries = [
        {"attempts": [{"status_code": 200, "seconds": 0.004}, {"status_code": 503, "seconds": 0.002}]},
        {"attempts": [{"status_code": None, "seconds": 5.0}]},  # no answer: the sender's timeout, not intake's
        {"attempts": [{"status_code": 200, "seconds": None}]},  # not timed (an older sandbox)
        {"attempts": []},
    ]

    times = intake_times(deliveries)

    assert times == {"p50": 3.0, "p95": 3.9, "p99": 3.98, "max": 4.0, "answered": 2}
    assert intake_times([]) == {"p50": None, "p95": None, "p99": None, "max": None, "answered": 0}


def test_the_page_shows_each_process_at_its_peak_and_the_intake_times():
    page = html_chart(a_report(resident_mb_peak={"trueup worker 1": 182.5}, intake_ms={"p99": 12.5}))

    assert "resident MB at peak, trueup worker 1</th><td>182.5" in page
    assert "intake ms p99</th><td>12.5" in page
