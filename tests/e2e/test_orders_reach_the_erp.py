"""Sandbox → signed webhooks → trueup → a real Tryton: every paid order becomes exactly one ERP sale."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections import Counter
from decimal import Decimal

import psycopg
import pytest

from tests.e2e.conftest import StackFactory
from tests.e2e.erp_proxy import KillingProxy
from tests.e2e.orders import place_custom_order
from trueup.domain.catalogue import CatalogueItem
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.local_stack.embedded_tryton import TrytonServer
from trueup.local_stack.postgres_tryton import PostgresTryton, database_exists
from trueup.local_stack.stack import EPOCH, LocalStack
from trueup.local_stack.tryton_catalogue import ensure_products

pytestmark = [pytest.mark.slow, pytest.mark.tryton]
SETTLE = 300.0


def assert_one_sale_per_paid_order(stack: LocalStack) -> None:
    summaries = list(stack.shopify().order_summaries_since(EPOCH))
    paid = {s.order_id: s for s in summaries if s.postable}
    sales = stack.erp_sales()
    references = Counter(sale["reference"] for sale in sales)
    assert [ref for ref, count in references.items() if count > 1] == []
    store = stack.store()
    try:
        posted = {order_id: store.ledger_entry(stack.shop_domain, order_id) for order_id in paid}
    finally:
        store.close()
    assert {oid: e.state if e else None for oid, e in posted.items()} == dict.fromkeys(paid, OrderState.POSTED)
    assert len(sales) == len(paid)
    by_number = {sale["reference"].rsplit(":", 1)[-1]: sale for sale in sales}
    booked = stack.erp_booked_totals()  # the sale's invoices: they carry Shopify's tax
    credited = credited_by_order(stack)
    for order_id, summary in paid.items():
        sale = by_number[order_id.rsplit("/", 1)[-1]]
        # The sale is the order as sold; Shopify's current total is after refunds, each one a credit note.
        erp = booked[sale["reference"]] - credited.get(order_id, Decimal(0))
        assert erp == summary.total.amount, summary.name


def credited_by_order(stack: LocalStack) -> dict[str, Decimal]:
    """What the ERP's credit notes credit, by Shopify order id (each note found through its refund's record)."""
    store = stack.store()
    try:
        order_of = {r.refund_id.rsplit("/", 1)[-1]: r.order_id for r in store.refund_records(shop=stack.shop_domain)}
    finally:
        store.close()
    credited: dict[str, Decimal] = {}
    for note in stack.erp_credit_notes():
        order_id = order_of[note["reference"].rsplit(":", 1)[-1]]  # a note for no refund trueup knows fails here
        credited[order_id] = credited.get(order_id, Decimal(0)) - Decimal(str(note["total_amount"]))
    return credited


def retrying_jobs(stack: LocalStack) -> int:
    store = stack.store()
    try:
        return store.retrying_jobs()
    finally:
        store.close()


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def ledger_state(stack: LocalStack, order_id: str):  # type: ignore[no-untyped-def]
    store = stack.store()
    try:
        return store.ledger_entry(stack.shop_domain, order_id)
    finally:
        store.close()


def test_traded_orders_post_once_each_despite_duplicated_and_reordered_webhooks(start_stack: StackFactory):
    stack = start_stack()
    stack.set_faults(webhook_duplicate_rate=0.5, webhook_reorder_rate=0.3)
    traded = stack.trade(orders=8, seed=3)
    assert traded
    assert stack.wait_settled(SETTLE)
    assert_one_sale_per_paid_order(stack)
    store = stack.store()
    try:
        assert store.intake_stats().duplicates > 0  # the fault really duplicated deliveries
    finally:
        store.close()


def test_dropped_webhooks_are_caught_by_the_reconciliation_poll(start_stack: StackFactory):
    stack = start_stack()
    stack.set_faults(webhook_drop_rate=1.0)
    stack.trade(orders=3, seed=5)
    assert stack.wait_settled(SETTLE)
    store = stack.store()
    try:
        assert store.intake_stats().deliveries == 0  # nothing came by webhook: the poll found them all
    finally:
        store.close()
    assert_one_sale_per_paid_order(stack)


def test_an_unknown_sku_parks_that_order_and_it_posts_itself_once_the_sku_exists(start_stack: StackFactory):
    stack = start_stack()
    order_id = place_custom_order(stack, "NEW-HAT", "24.00")
    wait_for(
        lambda: (e := ledger_state(stack, order_id)) is not None and e.state == OrderState.EXCEPTION,
        60,
        "the order to be parked",
    )
    entry = ledger_state(stack, order_id)
    assert (entry.cause, entry.needs) == (Cause.SKU_NOT_IN_ITEM_MASTER, {"skus": ["NEW-HAT"]})
    assert stack.erp_sales() == []
    with stack.tryton_client() as client:
        ensure_products(client, [CatalogueItem("NEW-HAT", "New hat", Money(Decimal("24.00"), "USD"), "gid://x/1")])
    wait_for(lambda: ledger_state(stack, order_id).state == OrderState.POSTED, 60, "the order to replay by itself")
    assert len(stack.erp_sales()) == 1


def test_an_erp_down_for_a_while_loses_nothing(start_stack: StackFactory):
    stack = start_stack()
    assert stack.tryton is not None
    stack.tryton.stop()
    stack.trade(orders=3, seed=7)
    # The workers meet a dead ERP and store their retries: fails if no worker ran a sync.
    wait_for(lambda: retrying_jobs(stack) > 0, 60, "a worker to meet the dead ERP and store its retry")
    store = stack.store()
    try:
        assert store.ledger_entries(OrderState.POSTED) == []
    finally:
        store.close()
    stack.tryton.start()
    assert stack.wait_settled(SETTLE)
    assert_one_sale_per_paid_order(stack)


def test_a_worker_killed_mid_order_loses_nothing_and_duplicates_nothing(start_stack: StackFactory):
    stack = start_stack()
    stack.trade(orders=6, seed=11)
    wait_for(lambda: len(stack.erp_sales()) >= 1, 120, "a first sale")
    stack.workers[0].kill()  # SIGKILL: whatever it held is left as it was
    stack.add_worker()
    assert stack.wait_settled(SETTLE)
    assert_one_sale_per_paid_order(stack)


def committed_by_a_dead_tryton(stack: LocalStack, sale_id: int) -> tuple[str, int]:
    """The sale's state and its queued, unfinished tasks, read from the SQLite file of a trytond no longer running
    (what it had committed is all there is)."""
    connection = sqlite3.connect(stack.dir / "tryton" / f"{stack.erp_database}.sqlite")
    try:
        (state,) = connection.execute("SELECT state FROM sale_sale WHERE id = ?", (sale_id,)).fetchone()
        (queued,) = connection.execute("SELECT count(*) FROM ir_queue WHERE finished_at IS NULL").fetchone()
    finally:
        connection.close()
    return str(state), int(queued)


def posted_once_processed(stack: LocalStack, order_id: str) -> bool:
    """Whether the order is posted; if it is, its sale must be processing with its shipment and its invoice.
    The ledger is read before the sale, whose state only moves on: a sale still confirmed when read was
    confirmed when the order was seen posted."""
    entry = ledger_state(stack, order_id)
    if entry is None or entry.state != OrderState.POSTED:
        return False
    assert entry.erp_sale_id is not None
    with stack.tryton_client() as client:
        (sale,) = client.call("sale.sale", "read", [int(entry.erp_sale_id)], ["state", "shipments", "invoices"])
    assert sale["state"] == "processing", f"{entry.name} posted while its sale is {sale['state']}"
    assert len(sale["shipments"]) == 1, sale
    assert len(sale["invoices"]) == 1, sale
    return True


def test_a_tryton_killed_right_after_each_confirm_ends_with_every_sale_processed(start_stack: StackFactory):
    # Tryton leaves a confirmed sale's processing (its shipment and invoice) to its queue worker, as a production
    # Tryton does; here none runs, and trytond is killed (SIGKILL) as soon as it has answered the confirm: the
    # sale is left confirmed, its processing queued, and trueup alone can finish it.
    with KillingProxy(kills=3) as proxy:
        stack = start_stack(erp_settings={"queue": {"worker": "1"}}, back_office_url=proxy.url)
        tryton = stack.tryton
        assert isinstance(tryton, TrytonServer)
        proxy.upstream, proxy.kill = tryton.url, tryton.kill
        item = next(i for i in stack.shopify().catalogue() if not i.components and i.sku)
        for _ in range(3):
            order_id = place_custom_order(stack, item.sku, str(item.price.amount))
            (sale_id,) = proxy.crashes.get(timeout=120)
            assert not tryton.running
            state, queued = committed_by_a_dead_tryton(stack, sale_id)
            assert (state, queued > 0) == ("confirmed", True)  # killed between the confirm and the processing
            entry = ledger_state(stack, order_id)
            assert entry is None or entry.state != OrderState.POSTED
            tryton.start()
            wait_for(lambda order_id=order_id: posted_once_processed(stack, order_id), 120, "the sale processed")
        assert proxy.kills_left == 0
        assert stack.wait_settled(SETTLE)
        assert_one_sale_per_paid_order(stack)  # one sale each, none duplicated, money equal
        assert {sale["state"] for sale in stack.erp_sales()} == {"processing"}
        log = (stack.dir / "logs" / "worker-1.log").read_text()
        assert log.count("erp_sale_found_unprocessed") == 3  # each found again confirmed, and processed


@pytest.mark.postgres
def test_several_workers_share_the_work_on_postgresql(start_stack: StackFactory, postgres_url: str):
    # Two processes of two threads each: their new sales are posted to Tryton in batches.
    stack = start_stack(storage_url=postgres_url, workers=2, worker_threads=2)
    stack.trade(orders=8, seed=13)
    assert stack.wait_settled(SETTLE)
    assert_one_sale_per_paid_order(stack)


def queued_tasks(database_url: str) -> tuple[int, list[tuple[str, str]]]:
    """How many tasks Tryton's queue finished, and those due and not finished (model, method)."""
    with psycopg.connect(database_url) as connection:
        finished = connection.execute("SELECT count(*) FROM ir_queue WHERE finished_at IS NOT NULL").fetchone()
        due = connection.execute(
            "SELECT data->>'model', data->>'method' FROM ir_queue "
            "WHERE finished_at IS NULL AND (scheduled_at IS NULL OR scheduled_at <= now() AT TIME ZONE 'UTC')"
        ).fetchall()
    return (finished[0] if finished else 0), [(str(model), str(method)) for model, method in due]


@pytest.mark.postgres
@pytest.mark.timeout(900)  # the first build of the PostgreSQL template on a server takes minutes
def test_orders_post_into_a_postgresql_tryton_behind_gunicorn_and_its_queue_worker(
    start_stack: StackFactory, postgres_server: str
):
    database = f"trueup_e2e_{uuid.uuid4().hex[:12]}"
    stack = start_stack(erp="postgresql", erp_server=postgres_server, erp_database=database, erp_workers=2)
    try:
        assert isinstance(stack.tryton, PostgresTryton)
        assert [p.name for p in stack.tryton.processes] == ["gunicorn (trytond)", "trytond-worker"]
        stack.trade(orders=4, seed=17)
        assert stack.wait_settled(SETTLE)
        assert_one_sale_per_paid_order(stack)
        # trytond queues each confirmed sale's processing ([queue] worker): only trytond-worker runs it.
        wait_for(lambda: {s["state"] for s in stack.erp_sales()} <= {"processing", "done"}, 120, "the queue to process")
        wait_for(lambda: queued_tasks(postgres_server + database)[1] == [], 60, "no task left in Tryton's queue")
        assert queued_tasks(postgres_server + database)[0] >= len(stack.erp_sales())
    finally:
        stack.drop_erp()
    assert not stack.tryton.running
    assert not database_exists(postgres_server, database)
