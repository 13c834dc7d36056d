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


def test_status_prints_outside_and_its_own_bracketed_text_as_it_is(tmp_path):
    """A signed delivery with topic `x[/nope]` and SKUs like `CAP[/]` once crashed `trueup status` (read as
    Rich markup); `SHIRT[xl]` showed as `SHIRT` and the hint `([shops.locations])` as `()`."""
    from tests.unit.intake.app_client import AppClient
    from tests.unit.intake.signed_requests import SECRET, SHOP, webhook_request
    from trueup.entrypoints.http import create_app
    from trueup.service_layer.intake import Intake

    path = a_config(tmp_path)
    store = SqlStore(f"sqlite:///{tmp_path / 'state.db'}")
    intake = Intake(store)
    client = AppClient(create_app(intake, {SHOP: SECRET}))
    try:
        body, headers = webhook_request(topic="x[/nope]")
        assert client.post("/webhooks/shopify", body, headers).status_code == 200
    finally:
        client.close()
        intake.stop()
    for number, cause, detail in (
        (9, Cause.SKU_NOT_IN_ITEM_MASTER, "SKU CAP[/] and SHIRT[xl] are not in the item master :smile:"),
        (10, Cause.UNMAPPED_LOCATION, "location [bold]9[/bold]"),
    ):
        entry = make_entry(order_number=number)
        store.save_ledger_entry(entry.moved_to(OrderState.EXCEPTION, entry.state_since, cause=cause, detail=detail))
    store.close()

    result = CliRunner().invoke(app, ["status", "--config", str(path)], env={"COLUMNS": "400"})

    assert result.exit_code == 0, result.output
    assert "unknown_topic:x[/nope]" in result.output  # in "Deliveries kept but not understood"
    assert "SKU CAP[/] and SHIRT[xl] are not in the item master :smile:" in result.output
    assert "location [bold]9[/bold]" in result.output
    assert "in the configuration ([shops.locations])." in result.output


TWO_SHOPS = (
    CONFIG.format()
    + """
[[shops]]
domain = "beta.myshopify.com"
access_token = { env = "UNUSED_TOKEN" }
api_secret = { env = "UNUSED_SECRET" }
"""
)


def two_shops_numbering_alike(tmp_path: Path) -> str:
    """alpha has #1007 parked; beta, numbering alike, has its own #1007 waiting for payment."""
    a_config(tmp_path)
    path = tmp_path / "trueup.toml"
    path.write_text(TWO_SHOPS)
    store = SqlStore(f"sqlite:///{tmp_path / 'state.db'}")
    store.save_ledger_entry(make_entry(shop="beta.myshopify.com", order_number=7, state=OrderState.WAITING_FOR_PAYMENT))
    store.close()
    return str(path)


def test_status_groups_two_shops_whose_order_numbers_collide(tmp_path):
    config = two_shops_numbering_alike(tmp_path)

    text = CliRunner().invoke(app, ["status", "--config", config], env={"COLUMNS": "300"})
    as_json = CliRunner().invoke(app, ["status", "--config", config, "--json"])

    assert text.exit_code == 0, text.output
    alpha_part, beta_part = text.output.split("Shop beta.myshopify.com")
    assert "Shop alpha.myshopify.com" in alpha_part
    assert "#1007 (alpha.myshopify.com): parts add up to 9.00 EUR" in alpha_part
    assert "Oldest stuck: #1007 (beta.myshopify.com) (waiting_for_payment)" in beta_part
    assert "Every shop" in beta_part
    report = json.loads(as_json.stdout)
    assert [(s["shop"], s["orders_by_state"]) for s in report["shops"]] == [
        ("alpha.myshopify.com", {"exception": 1}),
        ("beta.myshopify.com", {"waiting_for_payment": 1}),
    ]
    assert report["shops"][0]["exceptions"][0]["examples"][0]["shop"] == "alpha.myshopify.com"


def test_status_of_one_shop_and_of_a_shop_not_configured(tmp_path):
    config = two_shops_numbering_alike(tmp_path)

    beta = CliRunner().invoke(app, ["status", "--config", config, "--shop", "beta.myshopify.com", "--json"])
    unknown = CliRunner().invoke(app, ["status", "--config", config, "--shop", "gamma.myshopify.com"])

    report = json.loads(beta.stdout)
    assert (report["shop"], report["orders_by_state"], report["exceptions"]) == (
        "beta.myshopify.com",
        {"waiting_for_payment": 1},
        [],
    )
    assert [s["shop"] for s in report["shops"]] == ["beta.myshopify.com"]
    assert unknown.exit_code == 2
    assert "no shop gamma.myshopify.com" in unknown.output
