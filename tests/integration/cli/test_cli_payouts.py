"""`trueup payouts` and the payouts part of `trueup status` on a real (SQLite) store."""

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from tests.integration.cli.test_cli import CONFIG
from trueup.adapters.storage import SqlStore, upgrade
from trueup.domain.errors import Cause
from trueup.domain.money import Money
from trueup.domain.overdue_captures import OverdueCapture, to_json
from trueup.domain.payouts import PayoutRecord, PayoutState, PayoutStatus
from trueup.entrypoints.cli import app
from trueup.service_layer.payouts import OVERDUE

SHOP = "alpha.myshopify.com"


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def a_config(tmp_path: Path) -> Path:
    path = tmp_path / "trueup.toml"
    path.write_text(CONFIG.format())
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    store = SqlStore(url)
    at = datetime(2026, 11, 10, tzinfo=UTC)
    totals = {"charges": usd("154.10"), "refunds": usd("-20.00"), "fees": usd("4.26"), "net": usd("129.84")}
    store.save_payout_record(
        PayoutRecord(SHOP, "7001", PayoutStatus.PAID, at, usd("129.84"), PayoutState.BOOKED, at, at, totals, 3, "41")
    )
    store.save_payout_record(
        PayoutRecord(
            SHOP,
            "7002",
            PayoutStatus.PAID,
            datetime(2026, 11, 12, tzinfo=UTC),
            usd("50.00"),
            PayoutState.EXCEPTION,
            at,
            at,
            cause=Cause.PAYOUT_WAITING_FOR_ORDERS,
            detail="payout 7002: 1 order(s) not in the ERP yet: gid://shopify/Order/[9]",
        )
    )
    store.close()
    return path


def test_payouts_json_lists_each_payout_with_its_figures_and_entry(tmp_path):
    result = CliRunner().invoke(app, ["payouts", "--config", str(a_config(tmp_path)), "--json"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["payout"], r["state"], r["erp_entry"]) for r in rows] == [
        ("7001", "booked", "41"),
        ("7002", "exception", ""),
    ]
    assert (rows[0]["charges"], rows[0]["fees"], rows[0]["net"]) == ("154.10", "4.26", "129.84")


def test_payouts_from_to_keeps_the_days_asked_and_csv_has_every_column(tmp_path):
    config = str(a_config(tmp_path))
    result = CliRunner().invoke(
        app, ["payouts", "--config", config, "--from", "2026-11-12", "--to", "2026-11-12", "--csv"]
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["payout"] for r in rows] == ["7002"]
    assert rows[0]["cause"] == "payout_waiting_for_orders"


def test_a_day_that_is_not_one_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["payouts", "--config", str(a_config(tmp_path)), "--from", "12/11/2026"])
    assert result.exit_code == 2
    assert "not a day" in result.output


def test_the_table_and_status_show_payouts_and_what_is_not_booked_literally(tmp_path):
    config = str(a_config(tmp_path))
    table = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["payouts", "--config", config])
    status = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["status", "--config", config])
    report = json.loads(CliRunner().invoke(app, ["status", "--config", config, "--json"]).stdout)

    assert table.exit_code == 0, table.output
    assert "gid://shopify/Order/[9]" in table.stdout
    assert "Paid out to the bank in USD: 129.84 (fees 4.26)" in status.stdout
    assert "payout_waiting_for_orders" in status.stdout
    assert report["payouts"]["by_state"] == {"booked": 1, "exception": 1}


def test_captures_in_no_payout_after_the_business_days_allowed_show_in_payouts_and_status(tmp_path):
    config = str(a_config(tmp_path))
    store = SqlStore(f"sqlite:///{tmp_path / 'state.db'}")
    captured = date(2026, 11, 12)
    late = [OverdueCapture("#1042", "gid://shopify/ShopifyPaymentsBalanceTransaction/9", usd("40.00"), captured, 6)]
    store.set_cursor(SHOP, OVERDUE, to_json(late))
    store.close()

    table = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["payouts", "--config", config])
    status = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["status", "--config", config])
    report = json.loads(CliRunner().invoke(app, ["status", "--config", config, "--json"]).stdout)

    line = "#1042: 40.00 USD captured on 2026-11-12, in no payout after 6 business days"
    assert line in table.stdout
    assert line in status.stdout
    assert "What to do: Shopify Payments has not paid this capture out" in status.stdout
    assert report["payouts"]["overdue_captures"] == [{"shop": SHOP, "capture": line, "amount": "40.00 USD"}]
