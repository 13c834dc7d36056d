"""The command line on a real (SQLite) store: `trueup status --json`, `trueup replay`, bad configuration."""

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from tests.support.deliveries import make_entry
from trueup.adapters.storage import SqlStore, upgrade
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.entrypoints.cli import app

CONFIG = """
[storage]
url = "sqlite:///state.db"

[back_office]
database = "trueup"
password = {{ env = "UNUSED_PASSWORD" }}

[[shops]]
domain = "alpha.myshopify.com"
access_token = {{ env = "UNUSED_TOKEN" }}
api_secret = {{ env = "UNUSED_SECRET" }}
"""


def a_config(tmp_path: Path) -> Path:
    path = tmp_path / "trueup.toml"
    path.write_text(CONFIG.format())
    upgrade(f"sqlite:///{tmp_path / 'state.db'}")
    store = SqlStore(f"sqlite:///{tmp_path / 'state.db'}")
    entry = make_entry(order_number=7)
    store.save_ledger_entry(
        entry.moved_to(
            OrderState.EXCEPTION,
            entry.state_since,
            cause=Cause.TOTALS_MISMATCH,
            detail="parts add up to 9.00 EUR, Shopify says 10.00 EUR",
        )
    )
    store.close()
    return path


def test_status_json_is_machine_readable(tmp_path):
    result = CliRunner().invoke(app, ["status", "--config", str(a_config(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["orders_by_state"] == {"exception": 1}
    assert report["exceptions"][0]["cause"] == "totals_mismatch"


def test_replay_queues_parked_orders_by_cause(tmp_path):
    config = str(a_config(tmp_path))
    other = CliRunner().invoke(app, ["replay", "--config", config, "--cause", "tax_mismatch", "--json"])
    mine = CliRunner().invoke(app, ["replay", "--config", config, "--cause", "totals_mismatch", "--json"])
    assert (json.loads(other.stdout), json.loads(mine.stdout)) == ({"queued": 0}, {"queued": 1})


def test_a_bad_configuration_is_a_clear_error_and_exit_code_2(tmp_path):
    path = tmp_path / "trueup.toml"
    path.write_text("[[shops]]\ndomain = 'not a shop'\n")
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2
    assert "shops.0.domain" in result.output


def test_status_names_what_was_charged_in_another_currency(tmp_path):
    path = a_config(tmp_path)
    store = SqlStore(f"sqlite:///{tmp_path / 'state.db'}")
    charged = Money(Decimal("13.54"), "USD")
    store.save_ledger_entry(make_entry(order_number=8, state=OrderState.POSTED, presentment_total=charged))
    store.close()
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "Charged in USD (posted in the shop currency): 13.54" in result.output
