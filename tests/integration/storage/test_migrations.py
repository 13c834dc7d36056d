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
