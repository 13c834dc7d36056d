"""Which shops are stocked together: those selling from a common warehouse, directly or through one another."""

from __future__ import annotations

from trueup.service_layer.inventory import StockPolicy
from trueup.service_layer.stock_groups import grouped, runs_group


def policy(*warehouses: str, posting: str | None = "WH1") -> StockPolicy:
    return StockPolicy(
        {f"gid://shopify/Location/{n}": wh for n, wh in enumerate(warehouses, 1)}, posting_warehouse=posting
    )


def test_shops_sharing_a_warehouse_directly_or_through_another_are_one_group() -> None:
    policies = grouped(
        {
            "a.myshopify.com": policy("WH1", posting="WH1"),
            "b.myshopify.com": policy("WH1", "WH2", posting="WH2"),
            "c.myshopify.com": policy("WH2", posting="WH2"),  # shares WH2 with b, so WH1 with a through b
            "d.myshopify.com": policy("WH3", posting="WH3"),
        }
    )

    assert policies["a.myshopify.com"].shares_with == ("b.myshopify.com", "c.myshopify.com")
    assert policies["c.myshopify.com"].shares_with == ("a.myshopify.com", "b.myshopify.com")
    assert policies["d.myshopify.com"].shares_with == ()
    assert [shop for shop, p in policies.items() if runs_group(shop, p)] == ["a.myshopify.com", "d.myshopify.com"]


def test_a_shop_posting_to_the_erps_default_warehouse_shares_with_every_shop() -> None:
    policies = grouped(
        {"a.myshopify.com": policy("WH1", posting="WH1"), "z.myshopify.com": policy("WH9", posting=None)}
    )

    assert policies["z.myshopify.com"].shares_with == ("a.myshopify.com",)  # its demand counts at every warehouse


def test_a_shop_whose_orders_post_where_another_shop_has_its_locations_shares_with_it() -> None:
    policies = grouped(
        {"a.myshopify.com": policy("WH1", posting="WH1"), "b.myshopify.com": policy("WH2", posting="WH1")}
    )

    assert policies["b.myshopify.com"].shares_with == ("a.myshopify.com",)
