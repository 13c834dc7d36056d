"""The rehearsal's report pieces that need no stack: percentiles and the self-contained HTML chart."""

from __future__ import annotations

from trueup.entrypoints.rehearsal import html_chart, percentiles


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
