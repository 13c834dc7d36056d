"""orderCreate's money: every order balances to the cent, in shop and presentment money."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopify_sandbox.clock import ManualClock
from shopify_sandbox.models.orders import Order
from shopify_sandbox.money import MoneyBag, to_decimal
from shopify_sandbox.order_creation import create_order
from shopify_sandbox.seeding import load_shop
from shopify_sandbox.spec import BundleComponentSpec, ProductSpec, VariantSpec
from tests.sandbox.factories import ORDER_CREATE, RecordingBus, SandboxClient, money, shop_spec

cents = st.integers(min_value=1, max_value=50_000).map(lambda c: str(Decimal(c) / 100))
rates = st.sampled_from(["0.055", "0.07", "0.1", "0.2", "0.21", "0.19"])


def shop_with_awkward_bundle() -> Any:
    """The test shop plus a bundle whose component quantities (2 and 3) cannot share its price evenly."""
    spec = shop_spec()
    pack = ProductSpec(
        "Pack",
        "Vendor",
        "Bundles",
        (VariantSpec("PACK", "Default Title", Decimal("49.99")),),
        bundle_components=(BundleComponentSpec("SHIRT-S", 2), BundleComponentSpec("TOTE", 3)),
    )
    return replace(spec, products=(*spec.products, pack))


@st.composite
def order_inputs(draw: st.DrawFn) -> dict[str, Any]:
    state = load_shop(shop_with_awkward_bundle())
    variants = {v.sku: v.id for v in state.all("ProductVariant")}
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        line: dict[str, Any] = {"quantity": draw(st.integers(1, 7))}
        kind = draw(st.sampled_from(["variant", "custom", "priced variant"]))
        if kind == "custom":
            line.update(title="Custom", priceSet=money(draw(cents)))
        else:
            line["variantId"] = variants[draw(st.sampled_from(sorted(variants)))]
            if kind == "priced variant":
                line["priceSet"] = money(draw(cents))
        lines.append(line)
    order: dict[str, Any] = {"lineItems": lines, "taxesIncluded": draw(st.booleans())}
    tax_style = draw(st.sampled_from(["none", "line", "order rate", "order amount"]))
    if tax_style == "line":
        for line in lines:
            line["taxLines"] = [{"title": "VAT", "rate": draw(rates)}]
    elif tax_style == "order rate":
        order["taxLines"] = [{"title": "VAT", "rate": draw(rates)}, {"title": "City", "rate": "0.01"}]
    elif tax_style == "order amount":
        order["taxLines"] = [{"title": "VAT", "rate": "0.2", "priceSet": money(draw(cents))}]
    discount = draw(st.sampled_from(["none", "percentage", "fixed", "free shipping"]))
    if discount == "percentage":
        order["discountCode"] = {
            "itemPercentageDiscountCode": {
                "code": "P",
                "percentage": draw(st.floats(1, 100).map(lambda f: round(f, 1))),
            }
        }
    elif discount == "fixed":
        order["discountCode"] = {"itemFixedDiscountCode": {"code": "F", "amountSet": money(draw(cents))}}
    elif discount == "free shipping":
        order["discountCode"] = {"freeShippingDiscountCode": {"code": "S"}}
    if draw(st.booleans()):
        shipping = {"title": "Post", "priceSet": money(draw(cents))}
        if draw(st.booleans()):
            shipping["taxLines"] = [{"title": "VAT", "rate": draw(rates)}]
        order["shippingLines"] = [shipping]
    if draw(st.booleans()):
        order["presentmentCurrency"] = "USD"
    return order


def total(bags: list[MoneyBag], like: MoneyBag) -> MoneyBag:
    result = like.times(0)
    for bag in bags:
        result = result + bag
    return result


def assert_balances(order: Order) -> None:
    zero = order.total_price_set.times(0)
    line_totals = total([line.original_total() for line in order.line_items], zero)
    line_discounts = total(
        [a.allocated_amount_set for line in order.line_items for a in line.discount_allocations], zero
    )
    shipping = total([s.original_price_set for s in order.shipping_lines], zero)
    shipping_discounts = total(
        [a.allocated_amount_set for s in order.shipping_lines for a in s.discount_allocations], zero
    )
    taxes = total(
        [t.price_set for line in order.line_items for t in line.tax_lines]
        + [t.price_set for s in order.shipping_lines for t in s.tax_lines],
        zero,
    )
    assert order.subtotal_price_set == line_totals - line_discounts
    assert order.total_discounts_set == line_discounts + shipping_discounts
    assert order.total_shipping_price_set == shipping
    assert order.total_tax_set == taxes
    assert order.total_tax_set == total([t.price_set for t in order.tax_lines], zero)
    expected = order.subtotal_price_set + shipping - shipping_discounts
    if not order.taxes_included:
        expected = expected + order.total_tax_set
    assert order.total_price_set == expected
    for bag in (order.total_price_set, order.subtotal_price_set, order.total_tax_set):
        for amount in (bag.shop, bag.presentment):
            assert amount == amount.quantize(Decimal("0.01"))
    for line in order.line_items:
        discounted = line.original_total() - total([a.allocated_amount_set for a in line.discount_allocations], zero)
        assert discounted.shop >= 0
        assert discounted.presentment >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_inputs())
def test_every_created_order_balances_to_the_cent(order_input: dict[str, Any]) -> None:
    state = load_shop(shop_with_awkward_bundle(), clock=ManualClock())
    order = create_order(state, order_input)
    assert_balances(order)
    for index, line_input in enumerate(order_input["lineItems"]):
        components = [line for line in order.line_items if line.source_index == index]
        ordered = state.by_gid(line_input["variantId"], "ProductVariant") if "variantId" in line_input else None
        unit = to_decimal(line_input["priceSet"]["shopMoney"]["amount"]) if "priceSet" in line_input else ordered.price
        assert sum(line.original_total().shop for line in components) == unit * line_input["quantity"]


def test_a_percentage_code_on_a_taxes_excluded_order() -> None:
    client = SandboxClient()
    answer = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "lineItems": [
                    {
                        "variantId": client.variant_id("SHIRT-S"),
                        "quantity": 3,
                        "taxLines": [{"title": "VAT", "rate": 0.2}],
                    }
                ],
                "discountCode": {"itemPercentageDiscountCode": {"code": "TEN", "percentage": 10}},
                "shippingLines": [{"title": "Post", "priceSet": money("4.90")}],
            }
        },
    )["data"]["orderCreate"]["order"]
    assert answer["subtotalPriceSet"]["shopMoney"]["amount"] == "54.00"  # 60.00 − 6.00
    assert answer["totalTaxSet"]["shopMoney"]["amount"] == "10.80"  # 20% of 54.00
    assert answer["totalDiscountsSet"]["shopMoney"]["amount"] == "6.00"
    assert answer["totalPriceSet"]["shopMoney"]["amount"] == "69.70"  # 54.00 + 4.90 + 10.80


def test_a_fixed_code_is_split_across_lines_by_largest_remainder() -> None:
    client = SandboxClient()
    lines = [{"title": f"Item {n}", "quantity": 1, "priceSet": money("10.00")} for n in range(3)]
    order = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "lineItems": lines,
                "discountCode": {"itemFixedDiscountCode": {"code": "TEN", "amountSet": money("10.00")}},
            }
        },
    )["data"]["orderCreate"]["order"]
    shares = [
        n["discountAllocations"][0]["allocatedAmountSet"]["shopMoney"]["amount"] for n in order["lineItems"]["nodes"]
    ]
    assert shares == ["3.34", "3.33", "3.33"]
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "20.00"


def test_taxes_included_orders_carry_the_tax_inside_the_price() -> None:
    client = SandboxClient()
    order = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "taxesIncluded": True,
                "lineItems": [
                    {
                        "title": "Thing",
                        "quantity": 1,
                        "priceSet": money("12.00"),
                        "taxLines": [{"title": "VAT", "rate": 0.2}],
                    }
                ],
            }
        },
    )["data"]["orderCreate"]["order"]
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "12.00"
    assert order["totalTaxSet"]["shopMoney"]["amount"] == "2.00"


def test_a_bundle_becomes_component_lines_whose_prices_add_up_to_the_bundle() -> None:
    client = SandboxClient()
    order = client.graphql(
        ORDER_CREATE,
        {
            "order": {"lineItems": [{"variantId": client.variant_id("DUO"), "quantity": 2}]},
            "options": {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"},
        },
    )["data"]["orderCreate"]["order"]
    lines = order["lineItems"]["nodes"]
    assert [line["sku"] for line in lines] == ["SHIRT-M", "TOTE"]
    assert {line["lineItemGroup"]["variantSku"] for line in lines} == {"DUO"}
    assert all(line["lineItemGroup"]["quantity"] == 2 for line in lines)
    assert sum(Decimal(line["originalUnitPriceSet"]["shopMoney"]["amount"]) for line in lines) == Decimal("25.00")
    assert order["subtotalPriceSet"]["shopMoney"]["amount"] == "50.00"
    assert client.item("TOTE").levels[client.location("Main").number].quantity("committed") == 2
    shipped = {line["sku"] for fo in order["fulfillmentOrders"]["nodes"] for line in fo["lineItems"]["nodes"]}
    assert shipped == {"SHIRT-M", "TOTE"}


def test_a_company_order_has_the_company_its_terms_and_po_number() -> None:
    client = SandboxClient()
    location_id = client.state.all("CompanyLocation")[0].id
    order = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "companyLocationId": location_id,
                "poNumber": "PO-7",
                "lineItems": [{"variantId": client.variant_id("TOTE"), "quantity": 1}],
            }
        },
    )["data"]["orderCreate"]["order"]
    assert order["purchasingEntity"] == {
        "__typename": "PurchasingCompany",
        "company": {"name": "Acme"},
        "location": {"name": "Acme HQ"},
    }
    assert order["paymentTerms"] == {"paymentTermsName": "Net 60", "dueInDays": 60}
    assert order["poNumber"] == "PO-7"


def test_presentment_money_is_converted_and_balances_on_its_own() -> None:
    client = SandboxClient()
    order = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "presentmentCurrency": "USD",
                "lineItems": [{"title": "A", "quantity": 3, "priceSet": money("3.33")}],
            }
        },
    )["data"]["orderCreate"]["order"]
    assert order["presentmentCurrencyCode"] == "USD"
    assert order["subtotalPriceSet"]["presentmentMoney"] == {"amount": "10.98", "currencyCode": "USD"}  # 3 × 3.66


def test_creating_a_paid_order_publishes_create_and_paid_webhooks_in_rest_format() -> None:
    bus = RecordingBus()
    state = load_shop(shop_spec(), clock=ManualClock(), bus=bus)
    variant = next(v for v in state.all("ProductVariant") if v.sku == "TOTE")
    order = create_order(
        state,
        {"lineItems": [{"variantId": variant.id, "quantity": 1}], "financialStatus": "PAID"},
        {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"},
    )
    assert bus.topics() == ["inventory_levels/update", "orders/create", "orders/paid"]
    payload = dict(bus.published)["orders/create"]
    assert payload["id"] == order.number
    assert payload["admin_graphql_api_id"] == order.id
    assert payload["total_price"] == "9.99"
    assert payload["financial_status"] == "paid"
    assert payload["line_items"][0]["sku"] == "TOTE"


def test_bad_input_gets_user_errors_and_creates_nothing() -> None:
    client = SandboxClient()
    answer = client.graphql(
        ORDER_CREATE, {"order": {"lineItems": [{"variantId": "gid://shopify/ProductVariant/1", "quantity": 1}]}}
    )
    assert answer["data"]["orderCreate"]["order"] is None
    assert answer["data"]["orderCreate"]["userErrors"][0]["field"] == ["order", "lineItems", "0", "variantId"]
    both = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "taxLines": [{"title": "VAT", "rate": 0.2}],
                "lineItems": [
                    {
                        "title": "A",
                        "quantity": 1,
                        "priceSet": money("1.00"),
                        "taxLines": [{"title": "VAT", "rate": 0.2}],
                    }
                ],
            }
        },
    )
    assert both["data"]["orderCreate"]["userErrors"][0]["field"] == ["order", "taxLines"]
    assert client.state.count("Order") == 0


def test_currency_is_the_shop_facing_currency_and_presentment_follows_it() -> None:
    # The schema: `currency` is "the shop-facing currency for the order"; presentmentCurrency is the customer's.
    client = SandboxClient()
    order = client.graphql(
        ORDER_CREATE,
        {"order": {"currency": "EUR", "lineItems": [{"title": "A", "quantity": 1, "priceSet": money("3.33")}]}},
    )["data"]["orderCreate"]["order"]
    assert order["currencyCode"] == "EUR"
    assert order["presentmentCurrencyCode"] == "EUR"
    assert order["subtotalPriceSet"]["presentmentMoney"] == {"amount": "3.33", "currencyCode": "EUR"}


def test_currency_and_presentment_currency_are_each_their_own() -> None:
    client = SandboxClient()
    order = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "currency": "EUR",
                "presentmentCurrency": "USD",
                "lineItems": [{"title": "A", "quantity": 3, "priceSet": money("3.33")}],
            }
        },
    )["data"]["orderCreate"]["order"]
    assert (order["currencyCode"], order["presentmentCurrencyCode"]) == ("EUR", "USD")
    assert order["subtotalPriceSet"]["presentmentMoney"] == {"amount": "10.98", "currencyCode": "USD"}


LINE_TOTALS = """query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes {
  plain: discountedTotalSet { shopMoney { amount } }
  withCodes: discountedTotalSet(withCodeDiscounts: true) { shopMoney { amount } }
  originalTotalSet { shopMoney { amount } } } } } }"""


def test_discounted_total_leaves_code_discounts_out_unless_asked() -> None:
    client = SandboxClient()
    order = client.graphql(
        ORDER_CREATE,
        {
            "order": {
                "lineItems": [{"title": "A", "quantity": 2, "priceSet": money("10.00")}],
                "discountCode": {"itemPercentageDiscountCode": {"code": "TEN", "percentage": 10}},
            }
        },
    )["data"]["orderCreate"]["order"]
    answer = client.graphql(LINE_TOTALS, {"id": order["id"]})
    assert "errors" not in answer
    (line,) = answer["data"]["order"]["lineItems"]["nodes"]
    assert line["originalTotalSet"]["shopMoney"]["amount"] == "20.00"
    assert line["plain"]["shopMoney"]["amount"] == "20.00"
    assert line["withCodes"]["shopMoney"]["amount"] == "18.00"
