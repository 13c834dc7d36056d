"""Single-SKU bundles defined in configuration: `[bundles."SKU"]`, validated, wired into the posting policy."""

from decimal import Decimal
from pathlib import Path

import pytest
from tests.unit.config.test_config import VALID, write

from trueup.bootstrap import posting_policy
from trueup.config import load_config
from trueup.domain.bundles import KitComponent
from trueup.domain.errors import BadInput

BUNDLES = """
[bundles."GIFT-SET"]
components = [{ sku = "CAP" }, { sku = "SOCK", quantity = 2 }]

[bundles."TRIO"]
spread = "weights"
components = [{ sku = "MUG", weight = 3 }, { sku = "TEA", quantity = 2, weight = 0.5 }]
"""


def loaded(tmp_path: Path, bundles: str):  # type: ignore[no-untyped-def]
    return load_config(write(tmp_path, VALID + bundles))


def test_configured_bundles_reach_the_posting_policy_as_kits(tmp_path):
    config = loaded(tmp_path, BUNDLES)

    policy = posting_policy(config.shops[0], config)

    assert policy.bundles == {
        # Weighted by the ERP's list prices, read when an order is posted.
        "GIFT-SET": (KitComponent("CAP", Decimal(1), Decimal(0)), KitComponent("SOCK", Decimal(2), Decimal(0))),
        "TRIO": (
            KitComponent("MUG", Decimal(1), Decimal(0), weight=Decimal(3)),
            KitComponent("TEA", Decimal(2), Decimal(0), weight=Decimal("0.5")),
        ),
    }


def test_no_bundles_configured_leaves_the_erps_kits_alone(tmp_path):
    config = loaded(tmp_path, "")
    assert posting_policy(config.shops[0], config).bundles == {}


@pytest.mark.parametrize(
    ("bundles", "message"),
    [
        ("[bundles.GIFT]\ncomponents = []\n", "bundles.GIFT.components"),
        ('[bundles.GIFT]\ncomponents = [{ sku = "CAP", quantity = 0 }]\n', "bundles.GIFT.components.0.quantity"),
        ('[bundles.GIFT]\ncomponents = [{ sku = "" }]\n', "bundles.GIFT.components.0.sku"),
        ('[bundles.GIFT]\nspread = "weights"\ncomponents = [{ sku = "CAP" }]\n', "give every component a weight"),
        ('[bundles.GIFT]\ncomponents = [{ sku = "CAP", weight = 2 }]\n', 'only used with spread = "weights"'),
        ('[bundles.GIFT]\nspread = "even"\ncomponents = [{ sku = "CAP" }]\n', "bundles.GIFT.spread"),
    ],
)
def test_an_invalid_bundle_names_the_key_and_the_problem(tmp_path, bundles, message):
    with pytest.raises(BadInput) as error:
        loaded(tmp_path, bundles)
    assert message in str(error.value)
