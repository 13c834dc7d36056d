"""`trueup status` on orders held, cancelled after posting, and changed after the cut-off."""

import io
import json
from datetime import timedelta

from rich.console import Console
from tests.fakes.store import InMemoryStore
from tests.support.deliveries import T0, make_entry
from tests.unit.engine.harness import MovableClock

from trueup.domain.errors import WHAT_TO_DO, Cause
from trueup.domain.ledger import OrderState
from trueup.entrypoints.status_view import render_status
from trueup.service_layer.status import build_status


def a_store() -> InMemoryStore:
    store = InMemoryStore(clock=lambda: T0)
    store.save_ledger_entry(make_entry(order_number=1, state=OrderState.HELD, held_until=T0 + timedelta(minutes=20)))
    store.save_ledger_entry(make_entry(order_number=2, state=OrderState.HELD, held_until=T0 - timedelta(minutes=5)))
    store.save_ledger_entry(make_entry(order_number=3, state=OrderState.CANCELLED, erp_sale_id="3", erp_number="SO3"))
    changed = make_entry(order_number=4, erp_sale_id="4", erp_number="SO4")
    store.save_ledger_entry(
        changed.moved_to(
            OrderState.EXCEPTION,
            T0,
            cause=Cause.CHANGED_AFTER_CUT_OFF,
            detail="#1004 cancelled in Shopify after the cut-off (picked): shipment CS4 of SO4 is picked. "
            "Stop the parcel.",
            needs={"changes": ["order cancelled"]},
        )
    )
    return store


def test_status_shows_held_orders_first_to_post_first_and_the_overdue_one():
    report = build_status(a_store(), MovableClock(T0))

    assert report.orders_by_state == {"held": 2, "cancelled": 1, "exception": 1}
    assert [(h["order"], h["overdue"], h["seconds_left"]) for h in report.held_orders] == [
        ("#1002", True, 0.0),
        ("#1001", False, 1200.0),
    ]
    assert report.cancelled_orders == [{"order": "#1003", "shop": "alpha.myshopify.com", "erp_number": "SO3"}]
    assert report.oldest_stuck is not None
    assert report.oldest_stuck.order == "#1004", "held is not stuck"


def test_a_change_after_the_cut_off_is_an_exception_with_what_to_do():
    report = build_status(a_store(), MovableClock(T0))

    (group,) = report.exceptions
    assert (group.cause, group.what_to_do) == ("changed_after_cut_off", WHAT_TO_DO[Cause.CHANGED_AFTER_CUT_OFF])
    assert "Stop the parcel" in group.examples[0]["detail"]
    assert json.loads(json.dumps(report.to_json()))["held_orders"][1]["order"] == "#1001"


def test_status_for_people_says_when_held_orders_post_and_which_sales_were_cancelled():
    out = io.StringIO()
    render_status(build_status(a_store(), MovableClock(T0)), Console(file=out, width=200))

    text = out.getvalue()
    assert "Held #1001 (alpha.myshopify.com): posts in 20 min" in text
    assert "Held #1002 (alpha.myshopify.com): its window ended" in text
    assert "Cancelled #1003 (alpha.myshopify.com): ERP sale SO3 cancelled" in text
