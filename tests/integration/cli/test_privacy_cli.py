"""`trueup privacy show`: the requests honoured, and a data request's export, on a real (SQLite) store."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.integration.cli.test_cli import CONFIG
from tests.support.deliveries import T0, make_delivery
from trueup.adapters.storage import SqlStore, upgrade
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.domain.people import Action, AuditRecord
from trueup.entrypoints.cli import app
from trueup.entrypoints.cli_groups import register_groups
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.privacy import honour

register_groups(app)
EMAIL = "ada.lovelace@example.com"


def a_store_with_a_data_request(tmp_path: Path) -> Path:
    path = tmp_path / "trueup.toml"
    path.write_text(CONFIG.format())
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    with SqlStore(url) as store:
        order = json.dumps({"id": 1, "email": EMAIL, "customer": {"id": 42}}).encode()
        request = json.dumps({"customer": {"id": 42, "email": EMAIL}, "orders_requested": [1]}).encode()
        store.accept_deliveries(
            [
                make_delivery(webhook_id="order-1", order_number=1, body=order),
                make_delivery(webhook_id="dr-1", topic="customers/data_request", order_number=None, body=request),
            ],
            delivery_job,
        )
        honour(store, "dr-1", lambda: T0 + timedelta(hours=1))
    records = SqlConsoleStore(url)  # someone looked the customer up in the console
    records.record(AuditRecord(T0, "olga", Action.REFUSED, "refused", [], f"order={EMAIL}"))
    records.close()
    return path


def test_privacy_show_lists_what_was_done_and_exports_a_data_request(tmp_path: Path) -> None:
    config = str(a_store_with_a_data_request(tmp_path))

    listed = CliRunner().invoke(app, ["privacy", "show", "--config", config, "--json"])
    table = CliRunner().invoke(app, ["privacy", "show", "--config", config], env={"COLUMNS": "300"})
    export = CliRunner().invoke(app, ["privacy", "show", "--config", config, "--request", "dr-1"])
    unknown = CliRunner().invoke(app, ["privacy", "show", "--config", config, "--request", "nope"])

    assert listed.exit_code == 0, listed.output
    (report,) = json.loads(listed.stdout)["requests"]
    assert (report["kind"], report["customer_id"], report["records"]) == (
        "customers/data_request",
        "42",
        {"deliveries": 1, "orders": 0},
    )
    assert EMAIL not in listed.stdout, "the list shows ids and counts, not the customer"
    assert "customers/data_request" in table.stdout
    assert export.exit_code == 0, export.output
    exported = json.loads(export.stdout)
    assert exported["customer"]["email"] == EMAIL
    assert [d["webhook_id"] for d in exported["deliveries"]] == ["order-1"]
    assert exported["free_text"] == [{"record": "console_audit", "text": f"order={EMAIL}"}]
    assert unknown.exit_code == 1
