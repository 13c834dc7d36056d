"""`trueup verify` against a real Tryton: differences made by hand in the ERP (a shipment cancelled, a credit
note cancelled, an amount changed, a sale left confirmed) are each found and named; the confirmed sale is
processed; the rest stay reported until a person acts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.contract.back_office_harness import TrytonHarness, add_products
from tests.contract.test_back_office_contract import an_address
from tests.factories import a_line, an_order
from tests.fakes.shopify import FakeShopifyAdmin
from tests.fakes.store import InMemoryStore
from tests.integration.engine.test_refunds import a_refund, units
from tests.support.tryton import DATABASE, connect, free_port
from tests.unit.engine.harness import SHOP, MovableClock
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.payout_books import TrytonPayoutBooks
from trueup.domain.completeness import FindingKind
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.domain.payments import OrderTransaction, PaymentAccounts, TransactionKind, TransactionStatus
from trueup.domain.posting import PostingPolicy, build_sales_order, order_reference
from trueup.local_stack.embedded_tryton import TrytonServer, create_database
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.payments import OrderPayments
from trueup.service_layer.sync_order import sync_order
from trueup.service_layer.verify import verify_shop

pytestmark = pytest.mark.tryton


@pytest.fixture(scope="module")
def client(tryton_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonClient]:
    """A Tryton of its own whose queue is left to a worker that does not run (a sale can stay confirmed)."""
    data_dir = tmp_path_factory.mktemp("tryton-verify")
    create_database(tryton_template, data_dir, DATABASE)
    settings = {"queue": {"worker": "1"}}
    with TrytonServer(data_dir, free_port(), databases=(DATABASE,), settings=settings) as server, connect(server) as c:
        add_products(c, {"TEE-M": "10.00"})
        yield c


def sale_of(client: TrytonClient, reference: str) -> dict:  # type: ignore[type-arg]
    fields = ["shipments", "invoices", "number"]
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, fields)
    return sale  # type: ignore[no-any-return]


def test_differences_made_by_hand_in_tryton_are_each_found(client: TrytonClient) -> None:
    clock = MovableClock()
    shopify = FakeShopifyAdmin(SHOP, clock=clock.now)
    store = InMemoryStore(clock.now)
    ctx = OrderContext(shopify, TrytonBackOffice(client), store, clock, PostingPolicy(taxes={"VAT 20": "VAT20"}))
    orders = [
        shopify.put_order(
            an_order([a_line(quantity=2, price="10.00", tax="4.00")], number=n, shipping_address=an_address())
        )
        for n in (5001, 5002, 5003, 5004, 5005)
    ]
    for order in orders[:4]:
        sync_order(ctx, order.order_id)
    shipment_gone, note_gone, amount_changed, clean, left_confirmed = orders

    # A clerk cancels a shipment.
    client.call("stock.shipment.out", "cancel", sale_of(client, order_reference(shipment_gone))["shipments"])
    # A refund is credited, then its credit note cancelled by hand (the company allows cancelling posted ones).
    client.call("company.company", "write", client.call("company.company", "search", []), {"cancel_invoice_out": True})
    shopify.put_refund(a_refund(note_gone, 9, units(1, "10.00", "2.00")))
    sync_order(ctx, note_gone.order_id)
    (note,) = client.call("account.invoice", "search", [("reference", "like", "%:refund:9")], 0, 1, None)
    client.call("account.invoice", "cancel", [note])
    # Someone edits the tax on a sale's draft invoice.
    (invoice,) = sale_of(client, order_reference(amount_changed))["invoices"]
    (tax,) = client.call("account.invoice.tax", "search", [("invoice", "=", invoice)], 0, 1, None)
    (row,) = client.call("account.invoice.tax", "read", [tax], ["amount"])
    client.call("account.invoice.tax", "write", [tax], {"amount": row["amount"] + 1})
    # An earlier trueup recorded a sale Tryton stopped right after confirming.
    TrytonHarness(client).confirm_without_processing(build_sales_order(left_confirmed, ctx.policy))
    erp = ctx.back_office.sale_progress  # read without processing: the id of the sale as trueup recorded it
    sale_id = str(sale_of(client, order_reference(left_confirmed))["id"])
    assert erp(sale_id).state == "confirmed"
    entry = LedgerEntry.received(SHOP, left_confirmed.order_id, left_confirmed.name, clock.now())
    store.save_ledger_entry(replace(entry, state=OrderState.POSTED, erp_sale_id=sale_id, erp_number="SO?"))

    report = verify_shop(ctx, SHOP)

    assert sorted((f.order, f.kind, f.fixed) for f in report.findings) == [
        (shipment_gone.name, FindingKind.SHIPMENT_MISSING, False),
        (note_gone.name, FindingKind.CREDIT_NOTE_MISSING, False),
        (amount_changed.name, FindingKind.AMOUNT_DIFFERS, False),
        (left_confirmed.name, FindingKind.SALE_NOT_PROCESSING, True),
    ]
    assert clean.name not in {f.order for f in report.findings}
    assert erp(sale_id).state == "processing"
    again = verify_shop(ctx, SHOP)
    assert {f.kind for f in again.findings} == {
        FindingKind.SHIPMENT_MISSING,
        FindingKind.CREDIT_NOTE_MISSING,
        FindingKind.AMOUNT_DIFFERS,
    }


def test_a_capture_the_erp_holds_no_payment_for_is_found_until_it_is_booked(client: TrytonClient) -> None:
    clock = MovableClock()
    shopify = FakeShopifyAdmin(SHOP, clock=clock.now)
    store = InMemoryStore(clock.now)
    ctx = OrderContext(shopify, TrytonBackOffice(client), store, clock, PostingPolicy(taxes={"VAT 20": "VAT20"}))
    capture = OrderTransaction(
        "6001",
        TransactionKind.SALE,
        TransactionStatus.SUCCESS,
        "shopify_payments",
        Money(Decimal("24.00"), "EUR"),
        clock.now(),
    )
    order = shopify.put_order(
        an_order(
            [a_line(quantity=2, price="10.00", tax="4.00")],
            number=6001,
            shipping_address=an_address(),
            transactions=(capture,),
        )
    )
    sync_order(ctx, order.order_id)  # posted while payments were not booked
    accounts = PaymentAccounts({("shopify_payments", "EUR"): "5117-SP-EUR"}, "4191")
    ctx = replace(ctx, payments=OrderPayments(TrytonPayoutBooks(TrytonDatabase(client)), accounts, "SHOPIFY"))

    (found,) = [f for f in verify_shop(ctx, SHOP).findings if f.order == order.name]

    assert (found.kind, found.document) == (FindingKind.PAYMENT_MISSING, f"shopify:{SHOP}:transaction:6001")
    sync_order(ctx, order.order_id)  # books the capture: the invoice is paid
    assert [f for f in verify_shop(ctx, SHOP).findings if f.order == order.name] == []
