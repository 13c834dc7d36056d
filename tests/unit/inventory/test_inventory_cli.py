"""`trueup inventory reconcile` and `show` on the fakes (the wiring to real services is bootstrap's)."""

from __future__ import annotations

import json

import pytest
from structlog.testing import capture_logs
from typer.testing import CliRunner, Result

from tests.unit.inventory.stock_harness import Stock
from trueup.entrypoints import inventory_cli
from trueup.entrypoints.inventory_cli import inventory_app


@pytest.fixture
def stock(monkeypatch: pytest.MonkeyPatch) -> Stock:
    stock = Stock()
    stock.stock("TEE", 10, shopify=11)
    stock.stock("CAP", 4, shopify=2)
    monkeypatch.setattr(inventory_cli, "_contexts", lambda config, shop: {stock.shopify.shop: stock.ctx})
    monkeypatch.setattr(inventory_cli, "_configure_logging", lambda: None)
    return stock


def invoke(*args: str) -> Result:
    with capture_logs():  # the process's log set-up is the entry point's; here logs are kept off stdout
        return CliRunner().invoke(inventory_app, list(args))


def test_reconcile_reports_the_drift_and_fixes_it(stock: Stock) -> None:
    result = invoke("reconcile", "--json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout).values()
    assert [(d["sku"], d["shopify"], d["target"], d["difference"]) for d in report["drift"]] == [("TEE", 11, 8, 3)]
    assert report["written"] == 1
    assert stock.shows("TEE") == 8


def test_a_dry_run_writes_nothing_and_people_get_a_table(stock: Stock) -> None:
    result = invoke("reconcile", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "1 drifted, 0 would be written" in result.stdout
    assert "TEE" in result.stdout
    assert stock.shows("TEE") == 11


def test_show_explains_one_skus_figures(stock: Stock) -> None:
    result = invoke("show", "TEE", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)[stock.shopify.shop]
    main = next(row for row in rows if row["warehouse"] == "WH1")
    assert (main["shopify"], main["erp_available"], main["unposted_demand"], main["buffer"], main["target"]) == (
        11,
        10,
        0,
        "2",
        8,
    )
