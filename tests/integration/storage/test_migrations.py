"""Schema migrations go up and down again on a database holding data (SQLite here)."""

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from tests.support.deliveries import make_entry
from trueup.adapters.storage import SqlStore, upgrade
from trueup.adapters.storage.engine import make_engine
from trueup.adapters.storage.migrate import downgrade
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money


def ledger_columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in sa.inspect(engine).get_columns("ledger")}
    finally:
        engine.dispose()


def test_the_presentment_total_columns_come_and_go_and_the_ledger_survives(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trueup.db'}"
    upgrade(url)
    store = SqlStore(url)
    entry = make_entry(state=OrderState.POSTED, presentment_total=Money(Decimal("13.54"), "USD"))
    store.save_ledger_entry(entry)
    store.close()

    downgrade(url, "0003")
    assert {"presentment_total_amount", "presentment_total_currency"} & ledger_columns(url) == set()
    upgrade(url)

    store = SqlStore(url)
    try:
        kept = store.ledger_entry(entry.shop, entry.order_id)
    finally:
        store.close()
    assert kept is not None
    assert (kept.state, kept.shopify_total, kept.presentment_total) == (OrderState.POSTED, entry.shopify_total, None)


def test_fulfilment_records_kept_as_cursors_move_to_their_table_and_back(tmp_path: Path) -> None:
    from trueup.domain.fulfilment import FulfilmentState

    url = f"sqlite:///{tmp_path / 'fulfilment.db'}"
    upgrade(url, "0007")
    with SqlStore(url) as store:
        store.set_cursor("a.myshopify.com", "fulfilment:stock.shipment.out,1", "gid://shopify/Fulfillment/7")
        store.set_cursor("a.myshopify.com", "fulfilment:stock.shipment.out,2", "pending:3")
        failed = "failed:fulfilment_order_not_found: 1 × CAP"
        store.set_cursor("a.myshopify.com", "fulfilment:stock.shipment.out,3", failed)
        store.set_cursor("a.myshopify.com", "shipments_despatched", "2026-11-27T09:00:00")
    upgrade(url)
    with SqlStore(url) as store:
        records = {r.shipment_id: r for r in store.fulfilment_records("a.myshopify.com")}
        assert records["stock.shipment.out,1"].fulfillment_id == "gid://shopify/Fulfillment/7"
        assert records["stock.shipment.out,2"].fulfilments_before == 3
        failed = records["stock.shipment.out,3"]
        assert (failed.state, str(failed.cause), failed.detail) == (
            FulfilmentState.FAILED, "fulfilment_order_not_found", "1 × CAP",
        )  # fmt: skip
        assert store.cursor("a.myshopify.com", "fulfilment:stock.shipment.out,1") is None
        assert store.cursor("a.myshopify.com", "shipments_despatched") == "2026-11-27T09:00:00"
    downgrade(url, "0007")
    with SqlStore(url) as store:
        assert store.cursor("a.myshopify.com", "fulfilment:stock.shipment.out,2") == "pending:3"
        assert store.cursor("a.myshopify.com", "fulfilment:stock.shipment.out,1") == "gid://shopify/Fulfillment/7"
