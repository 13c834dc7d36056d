from pathlib import Path

import pytest

from trueup.bootstrap import post_purchase_policy
from trueup.config import load_config
from trueup.domain.errors import BadInput
from trueup.domain.post_purchase import CutOff, PostPurchasePolicy

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


def test_by_default_the_cut_off_is_picking_and_there_is_no_hold_window(tmp_path):
    assert post_purchase_policy(loaded(tmp_path)) == PostPurchasePolicy(CutOff.PICKED, 0)


def test_the_cut_off_and_the_hold_window_are_configured(tmp_path):
    config = loaded(tmp_path, '\n[post_purchase]\ncut_off = "packed"\nhold_minutes = 20\n')
    assert post_purchase_policy(config) == PostPurchasePolicy(CutOff.PACKED, 20)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('cut_off = "assigned"', "post_purchase.cut_off"),
        ("hold_minutes = -1", "post_purchase.hold_minutes"),
        ("hold_minutes = 20000", "post_purchase.hold_minutes"),
        ("hold_window = 5", "post_purchase.hold_window"),
    ],
)
def test_a_wrong_post_purchase_setting_is_named(tmp_path, table, key):
    with pytest.raises(BadInput) as refused:
        loaded(tmp_path, f"\n[post_purchase]\n{table}\n")
    assert key in str(refused.value)
