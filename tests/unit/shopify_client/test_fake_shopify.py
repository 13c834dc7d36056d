"""The fake's own knobs (the rest of its behaviour is held to the contract with the real client)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes.shopify import FakeShopifyAdmin
from tests.unit.shopify_client.payloads import order_node
from trueup.adapters.shopify.order_mapping import map_order
from trueup.domain.errors import TransientError

SHOP = "demo.myshopify.com"
T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def fake_with_orders(*numbers: int) -> FakeShopifyAdmin:
    fake = FakeShopifyAdmin(SHOP, clock=lambda: T0 + timedelta(hours=1))
    for n in numbers:
        fake.put_order(map_order(SHOP, order_node(n)))
    return fake


@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.fetch_order("1001"),
        lambda f: list(f.orders_updated_since(T0)),
        lambda f: list(f.order_ids_updated_since(T0)),
        lambda f: f.ensure_webhooks("https://x.example/h", ["orders/create"]),
        lambda f: f.shop_info(),
        lambda f: f.catalogue(),
    ],
)
def test_a_down_fake_fails_every_call_transiently(call: Callable[[FakeShopifyAdmin], object]) -> None:
    fake = fake_with_orders(1001)
    fake.down = True
    with pytest.raises(TransientError):
        call(fake)


def test_throttled_next_throttles_that_many_calls_with_the_wait() -> None:
    fake = fake_with_orders(1001)
    fake.throttled_next, fake.retry_after = 2, 3.5
    for _ in range(2):
        with pytest.raises(TransientError) as caught:
            fake.fetch_order("1001")
        assert caught.value.retry_after == 3.5
    assert fake.fetch_order("1001") is not None
    assert fake.calls == ["fetch_order"] * 3


def test_update_order_moves_updated_at_forward() -> None:
    fake = fake_with_orders(1001)
    before = fake.fetch_order("gid://shopify/Order/1001")
    assert before is not None
    after = fake.update_order("1001", po_number="PO-1")
    assert after.updated_at > before.updated_at
    assert after.po_number == "PO-1"
    assert [o.po_number for o in fake.orders_updated_since(after.updated_at)] == ["PO-1"]


def test_refuses_an_order_of_another_shop() -> None:
    fake = FakeShopifyAdmin("other.myshopify.com")
    with pytest.raises(ValueError, match=r"other\.myshopify\.com"):
        fake.put_order(map_order(SHOP, order_node(1)))
