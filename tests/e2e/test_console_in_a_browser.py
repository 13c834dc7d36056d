"""The console in a real browser (Chromium, driven by Playwright) against a whole stack: an operator signs in,
finds an order parked for an unknown SKU, creates the SKU in Tryton, replays from the console and watches it
post, bulk-replays 50 and watches them post, accepts a change made after the cut-off, reads the audit, sees the
workers' Shopify API use charted; a viewer cannot act; bad input is refused and recorded."""

from __future__ import annotations

import dataclasses
import re
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.e2e.conftest import StackFactory
from tests.e2e.orders import place_custom_order
from tests.e2e.post_purchase import a_stocked_sku, move, pick
from tests.support.browser import browser, chromium_or_skip, screenshot
from trueup.adapters.passwords import Argon2Hasher
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.bootstrap import SystemClock
from trueup.domain.catalogue import CatalogueItem
from trueup.domain.errors import Cause
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.domain.people import Role
from trueup.local_stack.stack import LocalStack
from trueup.local_stack.tryton_catalogue import ensure_products
from trueup.service_layer.people import add_user

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"
BULK = 50  # orders parked for one unknown SKU, replayed at once


def _entries(stack: LocalStack, order_ids: list[str]) -> list[LedgerEntry | None]:
    store = stack.store()
    try:
        return [store.ledger_entry(stack.shop_domain, o) for o in order_ids]
    finally:
        store.close()


def _states(stack: LocalStack, order_ids: list[str]) -> list[OrderState | None]:
    return [e.state if e else None for e in _entries(stack, order_ids)]


def _changed_after_the_cut_off(stack: LocalStack) -> tuple[str, int]:
    """An order posted, its shipment picked in Tryton, then moved to another address in Shopify: parked for a
    person as a change after the cut-off. Its id and its ERP sale."""
    sku, price = a_stocked_sku(stack)
    order = place_custom_order(stack, sku, price)
    _wait(lambda: _states(stack, [order]) == [OrderState.POSTED], "the order to post", timeout=120.0)
    (entry,) = _entries(stack, [order])
    assert entry is not None
    assert entry.erp_sale_id is not None
    pick(stack, int(entry.erp_sale_id))
    move(stack, order)
    _wait(
        lambda: [e.cause if e else None for e in _entries(stack, [order])] == [Cause.CHANGED_AFTER_CUT_OFF],
        "the change after the cut-off to park the order",
    )
    return order, int(entry.erp_sale_id)


def _sale_city(stack: LocalStack, sale_id: int) -> str:
    with stack.tryton_client() as client:
        (sale,) = client.call("sale.sale", "read", [sale_id], ["shipment_address.city"])
    return str(sale["shipment_address."]["city"])


def _wait(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _create_skus(stack: LocalStack, *skus: str) -> None:
    with stack.tryton_client() as client:
        ensure_products(client, [CatalogueItem(s, s, Money(Decimal("19.00"), "USD"), f"gid://x/{s}") for s in skus])


def _sign_in(page: Any, console: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{console}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def _audit(stack: LocalStack) -> list[tuple[str, str, str]]:
    records = SqlConsoleStore(stack.storage_url)
    try:
        return [(r.username, str(r.action), r.outcome) for r in records.audit_records(limit=200)]
    finally:
        records.close()


def test_an_operator_fixes_and_replays_parked_orders_from_the_console(start_stack: StackFactory) -> None:
    chromium_or_skip()
    # Only the console replays here; two threads post the bulk replay's sales to Tryton in batches.
    stack = start_stack(console=True, replay_interval_seconds=3600.0, worker_threads=2)
    records = SqlConsoleStore(stack.storage_url)
    for name, role in (("olga", Role.OPERATOR), ("vic", Role.VIEWER)):
        add_user(records, Argon2Hasher(time_cost=1, memory_cost=1024), SystemClock(), name, role, PASSWORD)
    records.close()
    changed, changed_sale = _changed_after_the_cut_off(stack)
    cap = place_custom_order(stack, "NEW-CAP", "19.00")
    bags = [place_custom_order(stack, "NEW-BAG", "19.00") for _ in range(BULK)]
    parked = [cap, *bags]
    _wait(lambda: _states(stack, parked) == [OrderState.EXCEPTION] * len(parked), "the orders to be parked", 300.0)
    console = stack.console_url

    with browser() as chromium:
        operator = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
        page = operator.new_page()
        _sign_in(page, console, "olga", "not the password")
        assert page.locator("[role=alert]").inner_text() == "Wrong name or password."
        screenshot(page, "01-wrong-password")
        _sign_in(page, console, "olga")
        page.click("text=Exceptions")
        assert page.locator("#exceptions-total").inner_text() == str(BULK + 2)
        assert "Create the product with this SKU" in page.content()
        screenshot(page, "02-exceptions")

        page.click("text=Orders")
        page.fill("#q", "NEW-CAP")
        page.click("button:has-text('Find')")
        page.click("table a")
        assert page.locator("#order-state").inner_text() == "exception"
        screenshot(page, "03-order-parked")
        order_page = page.url
        _create_skus(stack, "NEW-CAP")
        page.click("button:has-text('Replay…')")
        assert "Confirm: replay 1 order(s)" in page.content()
        page.click("#confirm")
        assert "1 order(s)" in page.locator("#outcome").inner_text()
        _wait(lambda: _states(stack, [cap]) == [OrderState.POSTED], "the replayed order to post")
        page.goto(order_page)
        assert page.locator("#order-state").inner_text() == "posted"
        screenshot(page, "04-order-posted")

        _create_skus(stack, "NEW-BAG")
        page.goto(f"{console}/exceptions?sku=NEW-BAG")
        page.click("button:has-text('Replay all matching')")
        assert f"Confirm: replay {BULK} order(s)" in page.content()
        assert page.locator("input[name=key]").count() == BULK
        screenshot(page, "05-bulk-preview")
        page.click("#confirm")
        assert page.locator("#outcome").inner_text().startswith(f"{BULK} order(s): ")
        _wait(lambda: _states(stack, bags) == [OrderState.POSTED] * BULK, "the bulk-replayed orders to post", 600.0)
        posted = _entries(stack, bags)
        assert all(e is not None and e.erp_number and e.erp_total == e.shopify_total for e in posted)
        page.goto(f"{console}/exceptions")
        assert page.locator("#exceptions-total").inner_text() == "1"  # the change after the cut-off is left

        page.goto(f"{console}/order?{urlencode({'shop': stack.shop_domain, 'id': changed})}")
        assert page.locator("#order-state").inner_text() == "exception"
        assert "shipping address changed" in page.content()
        screenshot(page, "06-changed-after-cut-off")
        page.click("button:has-text('Accept the change…')")
        assert "Confirm: accept 1 order(s)" in page.content()
        page.click("#confirm")
        assert "1 order(s)" in page.locator("#outcome").inner_text()
        _wait(lambda: _states(stack, [changed]) == [OrderState.POSTED], "the accepted order to be posted again")
        (accepted,) = _entries(stack, [changed])
        assert accepted is not None
        assert accepted.accepted_changes is not None
        assert _sale_city(stack, changed_sale) == "Austin"  # accepted as it stands: the picked parcel goes there
        page.goto(f"{console}/order?{urlencode({'shop': stack.shop_domain, 'id': changed})}")
        assert page.locator("#order-state").inner_text() == "posted"

        page.click("text=Audit")
        assert page.locator("#audit tr:has-text('replay')").count() == 2
        assert page.locator(f"#audit tr:has-text('accept'):has-text('{accepted.name}')").count() == 1
        screenshot(page, "07-audit")

        page.click("text=Activity")  # the workers store each finished minute of their Shopify calls
        _wait(lambda: _api_points_charted(page) > 0, "the workers' Shopify API use to be charted", 120.0)
        assert page.locator("svg.chart.throttled").count() == 1
        assert page.locator("svg.chart.budget").count() == 1
        screenshot(page, "08-activity")

        forged = page.request.post(f"{console}/actions/preview", form={"action": "replay"})
        wrong = page.request.post(f"{console}/actions/preview", form={"action": "replay", "csrf": "forged"})
        assert (forged.status, wrong.status) == (403, 403)

        viewer = chromium.new_context().new_page()
        _sign_in(viewer, console, "vic")
        viewer.goto(f"{console}/exceptions")
        assert viewer.locator("button:has-text('Replay all matching')").count() == 0
        csrf = viewer.locator("input[name=csrf]").first.get_attribute("value")
        refused = viewer.request.post(f"{console}/actions/preview", form={"action": "replay", "csrf": csrf})
        assert refused.status == 403
        screenshot(viewer, "09-viewer")

        _expire_sessions(stack, "vic")
        viewer.goto(f"{console}/exceptions")
        assert viewer.url.startswith(f"{console}/login")
        screenshot(viewer, "10-expired")

    audit = _audit(stack)
    assert ("olga", "login_refused", "refused: wrong name or password") in audit
    assert ("olga", "refused", "refused: missing CSRF token") in audit
    assert ("olga", "refused", "refused: wrong CSRF token") in audit
    assert ("vic", "refused", "refused: a viewer may not replay") in audit
    assert ("-", "refused", "refused: session expired or unknown") in audit
    assert [o for (u, a, o) in audit if (u, a) == ("olga", "replay")] == ["done", "done"]
    assert [o for (u, a, o) in audit if (u, a) == ("olga", "accept")] == ["done"]
    replayed = _replayed_orders(stack)
    assert sorted(replayed[0]) == sorted(e.name for e in posted if e is not None)  # the bulk one, newest first


def _api_points_charted(page: Any) -> int:
    page.reload()
    found = re.search(r"Cost points Shopify charged: (\d+)", page.content())
    return int(found.group(1)) if found else 0


def _replayed_orders(stack: LocalStack) -> list[list[str]]:
    records = SqlConsoleStore(stack.storage_url)
    try:
        return [r.orders for r in records.audit_records(limit=200) if str(r.action) == "replay"]
    finally:
        records.close()


def _expire_sessions(stack: LocalStack, username: str) -> None:
    """Move a user's sessions past their lifetime, as time would."""
    import sqlalchemy as sa

    from trueup.adapters.storage.tables import console_sessions

    records = SqlConsoleStore(stack.storage_url)
    engine = sa.create_engine(stack.storage_url)
    try:
        with engine.connect() as connection:
            query = sa.select(console_sessions.c.token_hash).where(console_sessions.c.username == username)
            hashes = list(connection.execute(query).scalars())
        for token_hash in hashes:
            session = records.console_session(token_hash)
            assert session is not None
            records.save_session(dataclasses.replace(session, expires_at=session.created_at))
    finally:
        engine.dispose()
        records.close()
