"""A trading run on a few fast sellers: every order buys only the SKUs given, and is still well formed."""

import pytest
from typer.testing import CliRunner

from shopify_sandbox.cli import sandbox_app
from shopify_sandbox.trading import generate_shop, generate_trading
from shopify_sandbox.trading.plan import ORDER_CREATE


def test_orders_buy_only_the_skus_given():
    shop = generate_shop(3)
    stocked = sorted(sku for (sku, _location), units in shop.stock.items() if units >= 100)
    hot = stocked[:3]
    plan = generate_trading(3, shop, orders=60, profile="black_friday", follow_ups=False, skus=hot)

    bought = {line.sku for action in plan if action.order is not None for line in action.order.lines}
    assert len([a for a in plan if a.kind == ORDER_CREATE]) == 60
    assert bought <= set(hot)
    assert bought == set(hot)  # demand does fall on each of them


def test_without_skus_the_plan_is_unchanged():
    shop = generate_shop(4)
    assert generate_trading(4, shop, orders=30) == generate_trading(4, shop, orders=30, skus=None)


def test_an_unknown_sku_is_refused():
    with pytest.raises(ValueError, match="NOPE-1"):
        generate_trading(1, generate_shop(1), orders=5, skus=["NOPE-1"])
    result = CliRunner().invoke(
        sandbox_app,
        ["trade", "--url", "http://127.0.0.1:9", "--access-token", "x", "--orders", "3", "--skus", "NOPE-1"],
    )
    assert result.exit_code != 0
    assert "NOPE-1" in result.output
