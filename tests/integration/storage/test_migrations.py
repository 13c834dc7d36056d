"""Schema migrations go up and down again on a database holding data (SQLite here)."""

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.support.deliveries import make_entry
from trueup.adapters.storage import SqlStore, upgrade
from trueup.adapters.storage.engine import make_engine
from trueup.adapters.storage.migrate import downgrade
from trueup.adapters.storage.tables import metadata
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
            FulfilmentState.FAILED,
            "fulfilment_order_not_found",
            "1 × CAP",
        )
        assert store.cursor("a.myshopify.com", "fulfilment:stock.shipment.out,1") is None
        assert store.cursor("a.myshopify.com", "shipments_despatched") == "2026-11-27T09:00:00"
    downgrade(url, "0007")
    with SqlStore(url) as store:
        assert store.cursor("a.myshopify.com", "fulfilment:stock.shipment.out,2") == "pending:3"
        assert store.cursor("a.myshopify.com", "fulfilment:stock.shipment.out,1") == "gid://shopify/Fulfillment/7"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database brought to the latest schema by the migrations alone."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))  # cloned from a template the migrations made
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    upgrade(url)
    return url


def test_the_migrations_make_exactly_the_schema_of_tables_py(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_erp_ids_become_text_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ids.db'}"
    upgrade(url, "0008")  # where the ledger kept Tryton's sale ids as integers
    before = make_entry(state=OrderState.POSTED, erp_sale_id="17")
    with SqlStore(url) as store:
        store.save_ledger_entry(before)
    upgrade(url)
    with SqlStore(url) as store:
        kept = store.ledger_entry(before.shop, before.order_id)
        assert kept is not None
        assert kept.erp_sale_id == "17"  # the Tryton adapter reads it as sale 17
        store.save_ledger_entry(dataclasses.replace(kept, order_id="o2", erp_sale_id="SO-2"))
    downgrade(url, "0008")
    engine = make_engine(url)
    ledger = sa.table("ledger", sa.column("order_id"), sa.column("erp_sale_id"))
    try:
        with engine.connect() as connection:
            ids = dict(connection.execute(sa.select(ledger.c.order_id, ledger.c.erp_sale_id)).all())
    finally:
        engine.dispose()
    assert ids == {before.order_id: 17, "o2": None}  # an id that is no number cannot go back: found by reference


def test_a_new_sqlite_database_is_created_for_its_owner_only(tmp_path):
    from tests.support.deliveries import make_delivery
    from trueup.adapters.storage import SqlStore, upgrade
    from trueup.service_layer.jobs import delivery_job

    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    with SqlStore(url) as store:
        store.accept_deliveries([make_delivery()], delivery_job)
        files = sorted(tmp_path.glob("state.db*"))
        modes = {path.name: path.stat().st_mode & 0o777 for path in files}

    assert "state.db" in modes
    assert set(modes.values()) == {0o600}, modes


def test_tax_variances_take_the_document_into_their_key_and_lose_credit_notes_going_back(tmp_path: Path) -> None:
    from tests.contract.test_store_tax_variances_contract import a_variance

    url = f"sqlite:///{tmp_path / 'variances.db'}"
    upgrade(url, "0015")
    sale = a_variance(1001)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:  # as 0015's schema held it: no document in the key, no flag
            row = {"shop": sale.shop, "order_id": sale.order_id, "tax": sale.tax, "order_name": sale.order}
            row |= {"document": sale.document, "rate": sale.rate, "currency": "EUR", "recorded_at": sale.recorded_at}
            row |= {"shopify": str(sale.shopify.amount), "erp": str(sale.erp.amount)}
            connection.execute(sa.table("tax_variances", *map(sa.column, row)).insert(), [row])
    finally:
        engine.dispose()
    upgrade(url)
    note = dataclasses.replace(sale, document="shopify:refund:7", shopify=-sale.shopify, erp=-sale.erp)
    with SqlStore(url) as store:
        assert store.tax_variances() == [sale]  # kept through the new key, as the sale's
        store.replace_tax_variances(sale.shop, sale.order_id, [note], credit_note=note.document)
        assert [v.credit_note for v in store.tax_variances()] == [False, True]
    downgrade(url, "0015")
    upgrade(url)
    with SqlStore(url) as store:
        assert store.tax_variances() == [sale]
