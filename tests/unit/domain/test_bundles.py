"""Bundles: a kit sold under one SKU posts as its components, Shopify's amounts spread to the cent."""

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import a_line, a_shipping, an_order, eur, vat
from trueup.domain.bundles import KitComponent, explode_kit, with_list_prices
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import allocate, total
from trueup.domain.posting import PostingPolicy, build_sales_order, check_posted_totals
from trueup.domain.sales import PostedSale
from trueup.domain.taxes import TaxLine

POLICY = PostingPolicy(taxes={"VAT 20": "VAT20", "VAT 5.5": "VAT5.5"})
CAP = KitComponent("CAP", Decimal(1), Decimal("15.00"))
SOCKS = KitComponent("SOCK", Decimal(2), Decimal("5.00"))  # two pairs per kit: weighs 10.00 against 15.00
GIFT_SET = {"GIFT": [CAP, SOCKS]}


def a_gift_set(quantity=1, price="19.99", discount="3.33", tax="3.33"):
    return a_line(sku="GIFT", quantity=quantity, price=price, discount=discount, tax=tax)


def test_a_kit_line_is_spread_over_its_components_by_list_price():
    cap, socks = explode_kit(a_gift_set(), [CAP, SOCKS])

    assert (cap.sku, cap.quantity, socks.sku, socks.quantity) == ("CAP", 1, "SOCK", 2)
    assert (cap.gross, socks.gross) == (eur("11.99"), eur("8.00"))  # 19.99 at 3:2, the odd cent to SOCK
    assert (cap.discount, socks.discount) == (eur("2.00"), eur("1.33"))
    assert (cap.tax, socks.tax) == (eur("2.00"), eur("1.33"))
    assert cap.net + socks.net == eur("16.66")


def test_the_components_of_several_kits_are_multiplied_unless_fixed():
    leaflet = KitComponent("LEAFLET", Decimal(1), Decimal(0), fixed=True)
    shares = explode_kit(a_gift_set(quantity=3, price="20.00", discount="0.00", tax="0.00"), [CAP, SOCKS, leaflet])

    assert [(s.sku, s.quantity) for s in shares] == [("CAP", 3), ("SOCK", 6), ("LEAFLET", 1)]
    assert [s.gross for s in shares] == [eur("36.00"), eur("24.00"), eur("0.00")]


def test_components_that_all_weigh_nothing_share_evenly():
    free = [KitComponent("A", Decimal(1), Decimal(0)), KitComponent("B", Decimal(1), Decimal(0))]
    shares = explode_kit(a_gift_set(price="0.05", discount="0.00", tax="0.00"), free)
    assert [s.gross for s in shares] == [eur("0.03"), eur("0.02")]


def test_a_configured_weight_overrides_the_list_price():
    weighted = [replace(CAP, weight=Decimal(1)), replace(SOCKS, weight=Decimal("0.5"))]  # 1 against 2 × 0.5
    shares = explode_kit(a_gift_set(price="10.00", discount="0.00", tax="0.00"), weighted)
    assert [s.gross for s in shares] == [eur("5.00"), eur("5.00")]


def test_several_tax_lines_are_each_spread_and_kept_apart():
    taxes = (TaxLine("State", Decimal("0.0625"), eur("1.25")), TaxLine("County", Decimal("0.02"), eur("0.41")))
    line = replace(a_gift_set(price="20.00", discount="0.00"), taxes=taxes)
    shares = explode_kit(line, [CAP, SOCKS])
    for index, tax in enumerate(taxes):
        assert total([s.taxes[index].amount for s in shares], "EUR") == tax.amount
        assert {s.taxes[index].title for s in shares} == {tax.title}


def test_a_kit_component_needs_a_positive_quantity():
    with pytest.raises(ValueError, match="positive quantity"):
        KitComponent("CAP", Decimal(0), Decimal(1))


def test_a_kit_posts_as_component_lines_at_their_exact_shares():
    order = an_order([a_gift_set(), a_line(sku="TEE-M", price="10.00", tax="2.00", line_id="2")])

    request = build_sales_order(order, POLICY, GIFT_SET)

    assert [(line.sku, line.quantity, line.amount) for line in request.lines] == [
        ("CAP", 1, eur("9.99")),
        ("SOCK", 2, eur("6.67")),
        ("TEE-M", 1, eur("10.00")),
    ]
    assert {line.tax_codes for line in request.lines} == {("VAT20",)}
    assert request.lines[0].description.endswith("(GIFT): CAP")
    assert request.untaxed + request.expected_tax == order.total_price


def test_a_tax_inclusive_kit_gives_up_each_components_share_of_the_tax():
    order = an_order([a_gift_set(price="20.00", discount="0.00", tax="3.33")], included=True, total="20.00")

    request = build_sales_order(order, POLICY, GIFT_SET)

    assert [line.amount for line in request.lines] == [eur("10.00"), eur("6.67")]  # 12.00 − 2.00, 8.00 − 1.33
    assert request.untaxed + request.expected_tax == eur("20.00")


def test_a_sku_that_is_not_a_kit_posts_as_it_is():
    request = build_sales_order(an_order([a_gift_set()]), POLICY, {"OTHER": [CAP]})
    assert [line.sku for line in request.lines] == ["GIFT"]


def test_native_bundle_components_post_as_their_own_lines_with_shopifys_amounts():
    group = "gid://shopify/LineItemGroup/7"
    cap = replace(a_line(sku="CAP", price="11.99", discount="2.00", tax="2.00", line_id="1"), group_id=group)
    sock = replace(
        a_line(sku="SOCK", quantity=2, price="4.00", discount="1.33", tax="1.33", line_id="2"), group_id=group
    )
    order = an_order([cap, sock])

    request = build_sales_order(order, POLICY)

    assert [(line.sku, line.quantity, line.amount) for line in request.lines] == [
        ("CAP", 1, eur("9.99")),
        ("SOCK", 2, eur("6.67")),
    ]
    assert request.untaxed + request.expected_tax == order.total_price


# --- after posting -------------------------------------------------------------------------------
def a_sale(untaxed: str, tax: str) -> PostedSale:
    return PostedSale("17", "SO17", "shopify:demo:1001", "processing", eur(untaxed), eur(tax), eur(untaxed) + eur(tax))


def test_a_sale_totalling_shopifys_total_passes_the_after_posting_check():
    check_posted_totals(an_order([a_line(price="10.00", tax="2.00")]), a_sale("10.00", "2.00"))


def test_a_sale_that_differs_from_shopify_is_a_totals_mismatch_with_both_figures():
    with pytest.raises(StructuralError) as parked:
        check_posted_totals(an_order([a_line(price="10.00", tax="2.00")]), a_sale("10.00", "2.01"))
    assert parked.value.cause == Cause.TOTALS_MISMATCH
    assert "12.01 EUR" in parked.value.detail
    assert "12.00 EUR" in parked.value.detail
    assert "SO17" in parked.value.detail


# --- properties ----------------------------------------------------------------------------------
cents = st.integers(min_value=0, max_value=1_000_000).map(lambda c: Decimal(c) / 100)
components = st.lists(
    st.builds(
        KitComponent,
        sku=st.sampled_from(["A", "B", "C", "D", "E"]),
        quantity=st.integers(min_value=1, max_value=5).map(Decimal),
        list_price=st.integers(min_value=0, max_value=20_000).map(lambda c: Decimal(c) / 100),
        fixed=st.booleans(),
    ),
    min_size=1,
    max_size=6,
)


@st.composite
def kit_lines(draw):
    quantity = draw(st.integers(min_value=1, max_value=50))
    price = draw(cents)
    discount = min(draw(cents), price * quantity)
    taxes = tuple(
        TaxLine(f"T{i}", Decimal("0.2"), eur(draw(cents))) for i in range(draw(st.integers(min_value=0, max_value=3)))
    )
    return replace(a_line(sku="KIT", quantity=quantity, price=str(price), discount=str(discount)), taxes=taxes)


@given(line=kit_lines(), parts=components)
def test_spreading_a_kit_preserves_every_amount_exactly(line, parts):
    shares = explode_kit(line, parts)

    assert total([s.gross for s in shares], "EUR") == line.gross
    assert total([s.discount for s in shares], "EUR") == line.discount
    assert total([s.net for s in shares], "EUR") == line.net
    for index, tax in enumerate(line.taxes):
        assert total([s.taxes[index].amount for s in shares], "EUR") == tax.amount
    assert all(s.quantity > 0 for s in shares)


@given(line=kit_lines(), parts=components, included=st.booleans())
def test_a_posted_kit_adds_up_to_shopifys_total_exactly(line, parts, included):
    line = replace(line, taxes=vat(str(line.taxes[0].amount.amount)) if line.taxes else ())
    order = an_order([line], included=included)

    request = build_sales_order(order, POLICY, {"KIT": parts})

    assert request.untaxed + request.expected_tax == order.total_price
    assert sum(sl.quantity for sl in request.lines) == sum(p.quantity_for(line.quantity) for p in parts)


@st.composite
def orders_with_kits(draw):
    """A random order of plain goods and kits, with an order discount Shopify-style allocated over its lines."""
    count = draw(st.integers(min_value=1, max_value=6))
    skus = [draw(st.sampled_from(["KIT", "TEE-M", "MUG"])) for _ in range(count)]
    quantities = [draw(st.integers(min_value=1, max_value=20)) for _ in range(count)]
    prices = [draw(cents) for _ in range(count)]
    grosses = [eur(str(p * q)) for p, q in zip(prices, quantities, strict=True)]
    order_discount = eur(str(min(draw(cents), total(grosses, "EUR").amount)))
    discounts = allocate(order_discount, [g.amount for g in grosses])
    nets = [gross - discount for gross, discount in zip(grosses, discounts, strict=True)]
    taxes = [(net.amount * Decimal("0.2")).quantize(Decimal("0.01"), ROUND_HALF_UP) for net in nets]
    lines = [
        a_line(skus[i], quantities[i], str(prices[i]), str(discounts[i].amount), str(taxes[i]), line_id=str(i))
        for i in range(count)
    ]
    return an_order(lines, shipping=[a_shipping(price="5.00", discount=draw(st.sampled_from(["0.00", "5.00"])))])


@given(order=orders_with_kits(), parts=components)
def test_random_orders_with_kits_post_every_total_exactly(order, parts):
    request = build_sales_order(order, POLICY, {"KIT": parts})

    assert request.untaxed == total([line.net for line in order.lines], "EUR") + order.shipping[0].net
    assert request.untaxed + request.expected_tax == order.total_price
    assert all(line.sku != "KIT" for line in request.lines)


def test_a_configured_bundle_takes_the_erps_list_prices_unless_given_weights():
    configured = [
        KitComponent("CAP", Decimal(1), Decimal(0)),
        KitComponent("SOCK", Decimal(2), Decimal(0), weight=Decimal(3)),
        KitComponent("PIN", Decimal(1), Decimal(0)),
    ]

    priced = with_list_prices(configured, {"CAP": Decimal("15.00"), "SOCK": Decimal("5.00")})

    assert [(c.sku, c.list_price, c.weight) for c in priced] == [
        ("CAP", Decimal("15.00"), None),
        ("SOCK", Decimal(0), Decimal(3)),  # its explicit weight stands
        ("PIN", Decimal(0), None),  # no ERP price: weighs nothing
    ]
