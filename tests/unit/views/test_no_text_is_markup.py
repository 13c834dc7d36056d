"""No text, from outside or trueup's own, is read as Rich markup by any view: brackets and colons show as they are.

Each view is fed strings that Rich would take as markup (a closing tag with nothing open crashes it, a tag-like
`[xl]` vanishes, `:smile:` becomes an emoji) and must print them literally, whatever console it is given.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rich.console import Console
from structlog.testing import capture_logs
from typer.testing import CliRunner

from tests.unit.inventory.stock_harness import Stock
from trueup.entrypoints import inventory_cli, terminal
from trueup.entrypoints.demo import print_report
from trueup.entrypoints.fulfilment_view import render_unfulfilled
from trueup.entrypoints.inventory_cli import inventory_app
from trueup.entrypoints.inventory_view import render_stock
from trueup.entrypoints.post_purchase_view import render_post_purchase
from trueup.entrypoints.refunds_view import render_refunds
from trueup.entrypoints.status_view import render_status
from trueup.service_layer.status import ExceptionGroup, StatusReport, StuckItem

CRASHES = "x[/nope]"
VANISHES = "SHIRT[xl]"
EMPTY_CLOSE = "CAP[/]"
EMOJI = "TEA:smile:"
HINT = "Map it in the configuration ([shops.locations])."
NASTY = (CRASHES, VANISHES, EMPTY_CLOSE, EMOJI, HINT)


def shown(render: Callable[[Console], None]) -> str:
    """What `render(console)` prints on a default console, which reads markup: the views must not rely on
    being given one of trueup's own consoles."""
    console = Console(record=True, width=400)
    render(console)
    return console.export_text()


def assert_all_shown(text: str, *expected: str) -> None:
    for value in expected or NASTY:
        assert value in text, f"{value!r} not shown as it is in:\n{text}"


def group(cause: str, detail: str) -> dict[str, object]:
    return {"cause": cause, "count": 1, "what_to_do": HINT, "examples": [detail]}


def test_status_shows_every_field_literally() -> None:
    report = StatusReport(
        generated_at="2026-12-07T10:00:00+00:00",
        orders_by_state={VANISHES: 1},
        exceptions=[ExceptionGroup(EMPTY_CLOSE, 1, HINT, [{"order": CRASHES, "detail": f"{VANISHES} {EMOJI}"}])],
        oldest_stuck=StuckItem(f"#1001 {CRASHES}", "exception", 30.0),
        seconds_since_last_webhook=5.0,
        pending_jobs=0,
        deliveries=1,
        duplicate_deliveries=0,
        unknown_topics={CRASHES: 1},
        total_mismatches=[{"order": EMPTY_CLOSE, "shopify": "1 EUR", "erp": "2 EUR"}],
        kept_not_understood=[{"problem": f"unknown_topic:{CRASHES}", "count": 1, "what_to_do": HINT}],
        refused_requests={VANISHES: 2},
    )
    text = shown(lambda console: render_status(report, console))
    assert_all_shown(text)
    assert f"unknown_topic:{CRASHES}" in text
    assert f"Requests refused at the webhook endpoint: {VANISHES} 2" in text


def test_unfulfilled_shipments_stock_and_refunds_show_their_text_literally() -> None:
    example = {"shipment": EMPTY_CLOSE, "order": CRASHES, "detail": f"{VANISHES} {EMOJI}"}
    stock = {"issues": [{"cause": "sku_not_in_shopify", "count": 1, "what_to_do": HINT, "examples": [example]}]}
    refunds = {
        "by_state": {"exception": 1},
        "credited": {},
        "exceptions": [group("unmapped_tax", f"refund 1 on order {CRASHES}: {VANISHES} {EMOJI}")],
        "waiting": [f"refund 2 on order {EMPTY_CLOSE}"],
        "latest": [],
    }

    unfulfilled = shown(lambda c: render_unfulfilled([{**group("unmapped_location", ""), "examples": [example]}], c))
    stock_text = shown(lambda c: render_stock(stock, c))
    refunds_text = shown(lambda c: render_refunds(refunds, c))

    assert_all_shown(unfulfilled)
    assert_all_shown(stock_text, VANISHES, EMOJI, HINT)
    assert_all_shown(refunds_text)


def test_held_and_cancelled_orders_show_their_names_literally() -> None:
    held = [
        {"order": CRASHES, "held_until": "10:00", "overdue": True, "seconds_left": 0},
        {"order": VANISHES, "held_until": "10:05", "overdue": False, "seconds_left": 300},
    ]
    cancelled = [{"order": EMPTY_CLOSE, "erp_number": EMOJI}]
    text = shown(lambda c: render_post_purchase(held, cancelled, c))
    assert_all_shown(text, CRASHES, VANISHES, EMPTY_CLOSE, EMOJI)


def test_the_demo_report_shows_order_names_and_details_literally() -> None:
    report = {
        "shopify": {"orders": 1, "postable_orders": 1, "postable_total": "1", "currency": "EUR"},
        "erp": {"sales": 1, "total": "1"},
        "traded": {},
        "post_purchase": {
            "edits_applied": 0,
            "sales_amended": 0,
            "credit_notes_posted": 0,
            "credited_total": "0",
            "refunds_covered_by_cancellation": 0,
            "per_order_mismatches": [{"order": EMPTY_CLOSE, "erp": "1", "shopify": "2"}],
            "orders_accounted": 1,
            "erp_less_credit_notes": "1",
            "shopify_current_total": "1",
        },
        "ledger": {"exception": 1},
        "exceptions": [
            {"count": 1, "cause": CRASHES, "what_to_do": HINT, "examples": [{"order": VANISHES, "detail": EMOJI}]}
        ],
        "total_mismatches": [],
        "settled": False,
    }
    assert_all_shown(shown(lambda c: print_report(report, c)))


def test_the_consoles_trueup_makes_read_no_markup_either() -> None:
    console = terminal.console()
    with console.capture() as capture:
        console.print(f"{CRASHES} {VANISHES} {EMOJI}")  # a plain str, not through `say`
    assert capture.get().strip() == f"{CRASHES} {VANISHES} {EMOJI}"


@pytest.fixture
def odd_skus(monkeypatch: pytest.MonkeyPatch) -> Stock:
    stock = Stock()
    for sku in (EMPTY_CLOSE, VANISHES, CRASHES):
        stock.stock(sku, 10, shopify=11)
    monkeypatch.setattr(inventory_cli, "_contexts", lambda config, shop: {stock.shopify.shop: stock.ctx})
    monkeypatch.setattr(inventory_cli, "_configure_logging", lambda: None)
    return stock


@pytest.mark.parametrize("args", [("reconcile", "--dry-run"), ("show", EMPTY_CLOSE), ("show", VANISHES)])
def test_inventory_reconcile_and_show_print_skus_literally(odd_skus: Stock, args: tuple[str, ...]) -> None:
    with capture_logs():
        result = CliRunner().invoke(inventory_app, list(args), env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    expected = (EMPTY_CLOSE, VANISHES, CRASHES) if args[0] == "reconcile" else (f"{args[1]} in ",)
    assert_all_shown(result.stdout, *expected)
