from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopify_sandbox.trading import generate_shop, generate_trading, orders_per_minute, refs
from shopify_sandbox.trading.order_money import allocate

seeds = st.integers(min_value=0, max_value=2**32)
profiles = st.sampled_from(["ordinary", "black_friday"])
CENT = Decimal("0.01")


def is_cents(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT)


@settings(max_examples=20, deadline=None)
@given(seed=seeds, profile=profiles)
def test_the_same_seed_gives_the_same_plan(seed, profile):
    shop = generate_shop(seed)
    assert generate_trading(seed, shop, orders=40, profile=profile) == generate_trading(
        seed, shop, orders=40, profile=profile
    )


def test_different_seeds_give_different_plans():
    shop = generate_shop(1)
    assert generate_trading(1, shop, orders=20) != generate_trading(2, shop, orders=20)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, profile=profiles)
def test_every_generated_order_balances_to_the_cent(seed, profile):
    shop = generate_shop(seed)
    for action in generate_trading(seed, shop, orders=60, profile=profile):
        if action.order is None:
            continue
        order = action.order
        totals = order.totals
        for currency in ("shop", "presentment"):
            lines = order.lines
            items = sum((getattr(line.unit_price, currency) * line.quantity for line in lines), Decimal(0))
            discounts = sum((getattr(line.discount, currency) for line in lines), Decimal(0))
            shipping = getattr(order.shipping.price, currency) if order.shipping else Decimal(0)
            shipping_discount = getattr(order.shipping.discount, currency) if order.shipping else Decimal(0)
            taxes = [t for line in lines for t in line.taxes] + list(order.shipping.taxes if order.shipping else [])
            tax = sum((getattr(t.amount, currency) for t in taxes), Decimal(0))
            total = getattr(totals.total, currency)
            assert all(is_cents(value) for value in (items, discounts, shipping, tax, total))
            assert getattr(totals.subtotal, currency) == items - discounts
            assert total == items - discounts + shipping - shipping_discount + tax
            assert getattr(totals.total_discounts, currency) == discounts + shipping_discount
            assert total >= 0
            assert all(getattr(line.discount, currency) <= getattr(line.subtotal, currency) for line in lines)


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_the_order_input_carries_the_planned_money(seed):
    shop = generate_shop(seed)
    for action in generate_trading(seed, shop, orders=30):
        if action.order is None:
            continue
        order_input = action.operations[0].variables["order"]
        planned = action.order
        line_taxes = sum(
            Decimal(t["priceSet"]["shopMoney"]["amount"]) for li in order_input["lineItems"] for t in li["taxLines"]
        )
        shipping_taxes = sum(
            Decimal(t["priceSet"]["shopMoney"]["amount"])
            for sl in order_input.get("shippingLines", [])
            for t in sl["taxLines"]
        )
        assert line_taxes + shipping_taxes == planned.totals.tax.shop
        for transaction in order_input.get("transactions", []):
            assert Decimal(transaction["amountSet"]["shopMoney"]["amount"]) == planned.totals.total.shop
            assert Decimal(transaction["amountSet"]["presentmentMoney"]["amount"]) == planned.totals.total.presentment
        if planned.is_b2b:
            assert order_input["poNumber"].startswith("PO-")
            assert order_input["financialStatus"] == "PENDING"
            assert refs.is_ref(order_input["companyLocationId"])


@settings(max_examples=20, deadline=None)
@given(seed=seeds, profile=profiles)
def test_follow_ups_refer_only_to_orders_placed_before_them(seed, profile):
    plan = generate_trading(seed, generate_shop(seed), orders=80, profile=profile)
    created_at = {a.order_position: a.at_seconds for a in plan if a.kind == "order_create"}
    assert sorted(created_at) == list(range(80))
    seen: set[int] = set()
    for action in plan:
        if action.kind == "order_create":
            seen.add(action.order_position)
        else:
            assert action.order_position in seen
    assert [a.at_seconds for a in plan] == sorted(a.at_seconds for a in plan)


@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_a_refund_never_returns_more_than_the_order_took(seed):
    plan = generate_trading(seed, generate_shop(seed), orders=150)
    orders = {a.order_position: a.order for a in plan if a.order is not None}
    for action in plan:
        if action.refund is None:
            continue
        order = orders[action.order_position]
        assert order.financial_status == "PAID"
        assert 0 < action.refund.amount.presentment <= order.totals.total.presentment
        transaction = action.operations[0].variables["input"]["transactions"][0]
        assert Decimal(transaction["amount"]) == action.refund.amount.presentment


def test_a_plan_has_every_kind_of_order_and_follow_up():
    shop = generate_shop(5)
    plan = generate_trading(5, shop, orders=600)
    kinds = {a.kind for a in plan}
    assert kinds == {"order_create", "address_change", "order_edit", "order_cancel", "refund"}
    orders = [a.order for a in plan if a.order is not None]
    assert any(o.is_b2b for o in orders)
    assert any(o.financial_status == "PENDING" and not o.is_b2b for o in orders)
    assert any(o.presentment_currency != o.shop_currency for o in orders)
    assert any(line.is_bundle for o in orders for line in o.lines)
    assert any(len(line.taxes) >= 2 for o in orders for line in o.lines)
    assert {o.discount_code.kind for o in orders if o.discount_code} == {"fixed", "percentage", "free_shipping"}
    assert any(line.discount.shop > 0 for o in orders for line in o.lines)


def test_minutes_bound_the_plan():
    plan = generate_trading(9, generate_shop(9), minutes=20, profile="black_friday")
    assert plan
    assert max(a.at_seconds for a in plan) <= 20 * 60


def test_black_friday_peaks_far_above_an_ordinary_day():
    assert max(orders_per_minute("black_friday", m) for m in range(60)) > 10 * max(
        orders_per_minute("ordinary", m) for m in range(60)
    )
    ordinary = generate_trading(4, generate_shop(4), minutes=30, profile="ordinary")
    black_friday = generate_trading(4, generate_shop(4), minutes=30, profile="black_friday")
    assert len(black_friday) > 10 * len(ordinary)


def test_an_unknown_profile_or_both_bounds_are_refused():
    shop = generate_shop(1)
    with pytest.raises(ValueError, match="profile"):
        generate_trading(1, shop, orders=5, profile="cyber_monday")
    with pytest.raises(ValueError, match="either"):
        generate_trading(1, shop, orders=5, minutes=5)


@settings(max_examples=200, deadline=None)
@given(
    cents_total=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12),
)
def test_allocation_keeps_every_cent(cents_total, weights):
    total = Decimal(cents_total) * CENT
    parts = allocate(total, [Decimal(w) for w in weights])
    assert sum(parts) == total
    assert all(is_cents(p) and p >= 0 for p in parts)
