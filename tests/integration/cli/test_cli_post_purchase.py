"""`trueup release` and `trueup accept` on a real (SQLite) store."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.support.deliveries import make_entry
from trueup.adapters.storage import SqlStore, upgrade
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.entrypoints.cli import app
from trueup.service_layer.jobs import SyncOrder, request

SHOP = "alpha.myshopify.com"
CONFIG = """
[storage]
url = "sqlite:///state.db"

[back_office]
database = "trueup"
password = { env = "UNUSED_PASSWORD" }

[post_purchase]
cut_off = "packed"
hold_minutes = 30

[[shops]]
domain = "alpha.myshopify.com"
access_token = { env = "UNUSED_TOKEN" }
api_secret = { env = "UNUSED_SECRET" }
"""


def a_store(tmp_path: Path) -> tuple[str, SqlStore]:
    path = tmp_path / "trueup.toml"
    path.write_text(CONFIG)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    return str(path), SqlStore(url)


def test_release_makes_the_held_orders_sync_due_now(tmp_path):
    config, store = a_store(tmp_path)
    now = datetime.now(UTC)
    held = make_entry(order_number=7, at=now, state=OrderState.HELD, held_until=now + timedelta(minutes=30))
    store.save_ledger_entry(held)
    store.enqueue(request(SyncOrder(SHOP, held.order_id, release=True), now + timedelta(minutes=30)))
    assert store.claim("w", now + timedelta(seconds=1), 30) is None

    result = CliRunner().invoke(app, ["release", "#1007", "--config", config, "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"released": [{"order": "#1007", "shop": SHOP, "queued": True}]}
    job = store.claim("w", datetime.now(UTC) + timedelta(seconds=1), 30)
    assert job is not None
    assert job.payload == {"order_id": held.order_id, "release": True}
    store.close()


def test_releasing_an_order_that_is_not_held_fails_plainly(tmp_path):
    config, store = a_store(tmp_path)
    store.close()

    result = CliRunner().invoke(app, ["release", "#1007", "--config", config])

    assert result.exit_code == 1
    assert "No held order #1007" in result.stdout


def test_accept_remembers_the_change_and_queues_the_order(tmp_path):
    config, store = a_store(tmp_path)
    entry = make_entry(order_number=8)
    store.save_ledger_entry(
        entry.moved_to(
            OrderState.EXCEPTION,
            entry.state_since,
            cause=Cause.CHANGED_AFTER_CUT_OFF,
            detail="shipping address changed in Shopify after the cut-off (packed)",
            needs={"changes": ["shipping address changed"]},
            erp_sale_id="3",
        )
    )

    result = CliRunner().invoke(app, ["accept", "#1008", "--config", config, "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"accepted": [{"order": "#1008", "shop": "alpha.myshopify.com"}]}
    kept = store.ledger_entry(SHOP, entry.order_id)
    assert kept is not None
    assert kept.accepted_changes == "shipping address changed"
    assert store.enqueue(request(SyncOrder(SHOP, entry.order_id))) is False, "a sync of the order already waits"
    store.close()
