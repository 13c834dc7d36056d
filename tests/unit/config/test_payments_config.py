from pathlib import Path

import pytest
from tests.fakes.accounting import FakeAccounting

from trueup.bootstrap import check_payment_accounts, payout_accounts
from trueup.config import load_config
from trueup.domain.errors import BadInput, TransientError

BASE = """
[back_office]
database = "trueup"
password = { env = "TEST_TRYTON_PASSWORD" }

[[shops]]
domain = "brand.myshopify.com"
access_token = { env = "TEST_SHOPIFY_TOKEN" }
api_secret = { env = "TEST_SHOPIFY_SECRET" }
"""


def loaded(tmp_path: Path, extra: str = ""):  # type: ignore[no-untyped-def]
    path = tmp_path / "trueup.toml"
    path.write_text(BASE + extra)
    return load_config(path)


def test_by_default_payments_are_off_and_map_the_demo_chart(tmp_path):
    config = loaded(tmp_path)
    accounts = payout_accounts(config)

    assert not config.payments.enabled
    assert accounts.clearing[("shopify_payments", "USD")] == "5117-SP-USD"
    assert accounts.transaction_types["CHARGE"] == "clearing"


def test_the_demo_chart_passes_the_start_check(tmp_path):
    check_payment_accounts(loaded(tmp_path, "\n[payments]\nenabled = true\n"), FakeAccounting())


def test_an_account_the_erp_lacks_stops_the_start_naming_it(tmp_path):
    config = loaded(tmp_path, '\n[payments]\nenabled = true\nfee_expense = "6299"\n[payments.bank]\nGBP = "BANK-GBP"\n')

    with pytest.raises(BadInput) as refused:
        check_payment_accounts(config, FakeAccounting())

    assert "account 6299 is not in the ERP's chart" in str(refused.value)
    assert "account BANK-GBP" in str(refused.value)


def test_an_erp_that_cannot_be_reached_at_start_does_not_stop_it(tmp_path):
    down = FakeAccounting(down=True)
    with pytest.raises(TransientError):
        down.missing_accounts(["5121-USD"], "SHOPIFY")
    check_payment_accounts(loaded(tmp_path, "\n[payments]\nenabled = true\n"), down)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('[payments.clearing]\n"shopify_payments-USD" = "X"', "payments.clearing"),
        ('[payments.bank]\nusd = "X"', "payments.bank"),
        ('[payments.transaction_types]\ncharge = "X"', "payments.transaction_types"),
        ('[payments]\nfee_expense = ""', "payments.fee_expense"),
        ("[payments]\nlookback_days = 0", "payments.lookback_days"),
    ],
)
def test_a_wrong_payments_setting_is_named(tmp_path, table, key):
    with pytest.raises(BadInput) as refused:
        loaded(tmp_path, f"\n{table}\n")
    assert key in str(refused.value)
