"""Tax variances in `trueup status` (text and --json): orders posted by the engine on a real (SQLite) store."""

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from tests.factories import SHOP, a_line, an_order
from tests.integration.cli.test_cli import CONFIG
from tests.unit.engine.harness import Engine
from trueup.adapters.storage import SqlStore, upgrade
from trueup.domain.ledger import OrderState
from trueup.entrypoints.cli import app


def posted(tmp_path: Path, *taxes: str) -> str:
    """A configuration whose store holds one order per Shopify tax figure (on a 10.00 line the ERP's 20 % rate
    gives 2.00), each posted by the engine; its path."""
    path = tmp_path / "trueup.toml"
    path.write_text(CONFIG.format().replace("alpha.myshopify.com", SHOP))
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    stores: list[SqlStore] = []

    def store(clock: Callable[[], datetime]) -> SqlStore:
        stores.append(SqlStore(url, clock=clock))
        return stores[-1]

    engine = Engine(store_factory=store)
    for number, tax in enumerate(taxes, 1001):
        order = engine.shopify.put_order(an_order([a_line(quantity=1, price="10.00", tax=tax)], number=number))
        engine.notify(order.order_id)
    engine.run_until_idle()
    assert {entry.state for entry in engine.store.ledger_entries()} == {OrderState.POSTED}
    for each in stores:
        each.close()
    return str(path)


def test_an_order_posted_with_a_tax_variance_is_in_status_with_its_amounts_and_what_to_do(tmp_path):
    config = posted(tmp_path, "2.50", "2.03")  # 0.50 beyond the 0.05 tolerance; 0.03 within it

    text = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["status", "--config", config])
    result = CliRunner().invoke(app, ["status", "--config", config, "--json"])

    assert result.exit_code == 0, result.output
    variances = json.loads(result.stdout)["shops"][0]["tax_variances"]
    assert (variances["count"], variances["orders"]) == (1, 1)
    assert variances["by_currency"] == {"EUR": {"shopify": "2.50", "erp": "2.00", "difference": "0.50"}}
    (row,) = variances["latest"]
    assert (row["order"], row["tax"], row["rate"], row["shopify"], row["erp"], row["difference"]) == (
        "#1001",
        "VAT20",
        "VAT 20",
        "2.50",
        "2.00",
        "0.50",
    )
    assert text.exit_code == 0, text.output
    assert "Tax variances: 1 on 1 order(s)" in text.stdout
    assert "EUR: Shopify charged 2.50, the ERP's rates give 2.00, difference 0.50" in text.stdout
    assert "#1002" not in text.stdout.split("Tax variances")[1]
    assert "accept Shopify's figure" in " ".join(text.stdout.split())


def test_orders_within_the_tolerance_show_no_tax_variance(tmp_path):
    config = posted(tmp_path, "2.03", "1.98")

    text = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["status", "--config", config])
    report = json.loads(CliRunner().invoke(app, ["status", "--config", config, "--json"]).stdout)

    assert report["tax_variances"] == {}
    assert report["shops"][0]["tax_variances"] == {}
    assert "Tax variances" not in text.stdout
