"""Reads: shop, catalogue, inventory quantities, orders with the query filter, sort keys, cursors, node(s)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.factories import ORDER_CREATE, SandboxClient


def place_order(client: SandboxClient, sku: str = "TOTE", quantity: int = 1, **order: Any) -> dict[str, Any]:
    order.setdefault("lineItems", [{"variantId": client.variant_id(sku), "quantity": quantity}])
    options = order.pop("options", None)
    answer = client.graphql(ORDER_CREATE, {"order": order, "options": options})
    assert answer["data"]["orderCreate"]["userErrors"] == [], answer
    return answer["data"]["orderCreate"]["order"]


PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  productVariants(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { sku } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


def skus(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["sku"] for edge in page["edges"]]


def test_cursor_pagination_walks_forward_and_back_without_gaps() -> None:
    client = SandboxClient()
    first = client.graphql(PAGE, {"first": 2})["data"]["productVariants"]
    assert skus(first) == ["SHIRT-S", "SHIRT-M"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    second = client.graphql(PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]})["data"]["productVariants"]
    assert skus(second) == ["TOTE", "STICKER"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    third = client.graphql(PAGE, {"first": 2, "after": second["pageInfo"]["endCursor"]})["data"]["productVariants"]
    assert skus(third) == ["DUO"]
    assert third["pageInfo"]["hasNextPage"] is False
    back = client.graphql(PAGE, {"last": 2, "before": third["pageInfo"]["startCursor"]})["data"]["productVariants"]
    assert skus(back) == ["TOTE", "STICKER"]


def test_cursors_are_opaque_base64() -> None:
    import base64
    import json

    client = SandboxClient()
    cursor = client.graphql(PAGE, {"first": 1})["data"]["productVariants"]["edges"][0]["cursor"]
    assert set(json.loads(base64.b64decode(cursor))) == {"last_id", "last_value"}


def test_shop_fields() -> None:
    shop = SandboxClient().graphql("{ shop { name myshopifyDomain currencyCode taxesIncluded ianaTimezone id } }")
    assert shop["data"]["shop"]["taxesIncluded"] is False
    assert shop["data"]["shop"]["id"].startswith("gid://shopify/Shop/")


def test_inventory_levels_report_shopify_quantity_names() -> None:
    client = SandboxClient()
    item = client.item("TOTE")
    query = """query($id: ID!) { inventoryItem(id: $id) { sku tracked inventoryLevels(first: 5) { nodes {
        location { name }
        quantities(names: ["available", "on_hand", "committed", "incoming"]) { name quantity } } } } }"""
    levels = client.graphql(query, {"id": item.id})["data"]["inventoryItem"]["inventoryLevels"]["nodes"]
    by_location = {lvl["location"]["name"]: {q["name"]: q["quantity"] for q in lvl["quantities"]} for lvl in levels}
    assert by_location == {
        "Main": {"available": 5, "on_hand": 5, "committed": 0, "incoming": 0},
        "Second": {"available": 50, "on_hand": 50, "committed": 0, "incoming": 0},
    }


def test_placing_an_order_moves_stock_from_available_to_committed() -> None:
    client = SandboxClient()
    place_order(client, "TOTE", 3, options={"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"})
    level = client.item("TOTE").levels[client.location("Main").number]
    assert (level.quantity("available"), level.quantity("committed"), level.quantity("on_hand")) == (2, 3, 5)


def test_an_order_that_does_not_fit_the_first_location_takes_stock_where_there_is_enough() -> None:
    client = SandboxClient()
    order = place_order(client, "TOTE", 20, options={"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"})
    assert order["fulfillmentOrders"]["nodes"][0]["assignedLocation"]["name"] == "Second"


def test_orders_filtered_by_updated_at_and_sorted() -> None:
    client = SandboxClient()
    clock = client.config.clock
    first = place_order(client)
    clock.advance(60)
    cutoff = client.state.now().isoformat().replace("+00:00", "Z")
    clock.advance(60)
    second = place_order(client)
    query = """query($q: String) {
        orders(first: 10, query: $q, sortKey: UPDATED_AT, reverse: true) { nodes { id name updatedAt } } }"""
    after = client.graphql(query, {"q": f"updated_at:>'{cutoff}'"})["data"]["orders"]["nodes"]
    assert [o["id"] for o in after] == [second["id"]]
    before = client.graphql(query, {"q": f"updated_at:<={cutoff}"})["data"]["orders"]["nodes"]
    assert [o["id"] for o in before] == [first["id"]]
    everything = client.graphql(query, {"q": None})["data"]["orders"]["nodes"]
    assert [o["name"] for o in everything] == ["#1002", "#1001"]


def test_node_and_nodes_answer_for_the_main_types() -> None:
    client = SandboxClient()
    order = place_order(client)
    location = client.location("Main")
    query = """query($id: ID!, $ids: [ID!]!) { node(id: $id) { __typename id ... on Order { name } }
        nodes(ids: $ids) { __typename id } }"""
    ids = [location.id, client.variant_id("TOTE"), client.item("TOTE").id, "gid://shopify/Order/42"]
    answer = client.graphql(query, {"id": order["id"], "ids": ids})["data"]
    assert answer["node"] == {"__typename": "Order", "id": order["id"], "name": "#1001"}
    assert [n and n["__typename"] for n in answer["nodes"]] == ["Location", "ProductVariant", "InventoryItem", None]


def test_order_read_back_carries_the_fields_trueup_needs() -> None:
    client = SandboxClient()
    created = place_order(
        client,
        email="ann@example.com",
        note="leave at door",
        tags=["vip"],
        shippingAddress={"firstName": "Ann", "address1": "3 Rue", "city": "Paris", "zip": "75002", "countryCode": "FR"},
        transactions=[
            {"kind": "SALE", "status": "SUCCESS", "amountSet": {"shopMoney": {"amount": "9.99", "currencyCode": "EUR"}}}
        ],
    )
    query = """query($id: ID!) { order(id: $id) { name email note tags createdAt updatedAt cancelledAt
        displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode
        currentTotalPriceSet { shopMoney { amount currencyCode } }
        shippingAddress { city countryCodeV2 } transactions { kind status amountSet { shopMoney { amount } } }
        refunds { id } fulfillments { trackingInfo { number } } shippingLines(first: 5) { nodes { title } }
        lineItems(first: 5) { nodes { sku variant { sku } discountedUnitPriceSet { shopMoney { amount } } } } } }"""
    order = client.graphql(query, {"id": created["id"]})["data"]["order"]
    assert order["displayFinancialStatus"] == "PAID"
    assert order["displayFulfillmentStatus"] == "UNFULFILLED"
    assert order["currentTotalPriceSet"]["shopMoney"] == {"amount": "9.99", "currencyCode": "EUR"}
    assert order["shippingAddress"] == {"city": "Paris", "countryCodeV2": "FR"}
    assert order["lineItems"]["nodes"][0]["variant"]["sku"] == "TOTE"
    assert order["tags"] == ["vip"]
    assert order["createdAt"].endswith("Z")


EVERY_ORDER_FIELD = """query($id: ID!) { order(id: $id) {
  id legacyResourceId name createdAt updatedAt processedAt cancelledAt currencyCode presentmentCurrencyCode
  taxesIncluded email note tags poNumber displayFinancialStatus displayFulfillmentStatus
  totalPriceSet { ...Bag } subtotalPriceSet { ...Bag } totalTaxSet { ...Bag } totalDiscountsSet { ...Bag }
  totalShippingPriceSet { ...Bag } currentTotalPriceSet { ...Bag } currentSubtotalPriceSet { ...Bag }
  currentTotalTaxSet { ...Bag } totalReceivedSet { ...Bag } totalOutstandingSet { ...Bag }
  taxLines { title rate ratePercentage priceSet { ...Bag } }
  shippingAddress { name address1 city zip countryCodeV2 } billingAddress { address1 }
  customer { id displayName defaultEmailAddress { emailAddress } }
  purchasingEntity { __typename ... on Customer { id }
    ... on PurchasingCompany { company { id name externalId } location { id name } contact { id customer { id } } } }
  paymentTerms { paymentTermsName paymentTermsType dueInDays }
  transactions { id kind status gateway processedAt amountSet { ...Bag } }
  refunds { id } fulfillments { id trackingInfo { company number url } }
  shippingLines(first: 5) { nodes { title code originalPriceSet { ...Bag } discountedPriceSet { ...Bag }
    taxLines { title priceSet { ...Bag } } discountAllocations { allocatedAmountSet { ...Bag } } } }
  discountApplications(first: 5) { nodes { __typename allocationMethod targetType targetSelection
    ... on DiscountCodeApplication { code } value { ... on PricingPercentageValue { percentage } } } }
  lineItems(first: 20) { nodes { id sku name title quantity currentQuantity variant { id sku } product { id }
    originalUnitPriceSet { ...Bag } discountedUnitPriceSet { ...Bag } originalTotalSet { ...Bag }
    discountAllocations { allocatedAmountSet { ...Bag } discountApplication { __typename } }
    taxLines { title rate ratePercentage priceSet { ...Bag } }
    lineItemGroup { id title quantity variantSku } } }
  fulfillmentOrders(first: 5) { nodes { id status assignedLocation { name location { id } }
    lineItems(first: 20) { nodes { id totalQuantity remainingQuantity sku lineItem { id } } } } }
} }
fragment Bag on MoneyBag { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }"""


def test_every_order_field_trueup_relies_on_is_served() -> None:
    client = SandboxClient()
    company_location = client.state.all("CompanyLocation")[0]
    created = place_order(
        client,
        lineItems=[
            {"variantId": client.variant_id("DUO"), "quantity": 1, "taxLines": [{"title": "VAT", "rate": 0.2}]},
            {"variantId": client.variant_id("SHIRT-S"), "quantity": 2, "taxLines": [{"title": "VAT", "rate": 0.2}]},
        ],
        companyLocationId=company_location.id,
        poNumber="PO-9",
        discountCode={"itemPercentageDiscountCode": {"code": "B2B", "percentage": 5}},
        shippingLines=[{"title": "Freight", "priceSet": {"shopMoney": {"amount": "12.00", "currencyCode": "EUR"}}}],
        financialStatus="AUTHORIZED",
        options={"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"},
    )
    answer = client.graphql(EVERY_ORDER_FIELD, {"id": created["id"]})
    assert "errors" not in answer, answer.get("errors")
    order = answer["data"]["order"]
    assert order["purchasingEntity"]["__typename"] == "PurchasingCompany"
    assert order["paymentTerms"]["paymentTermsType"] == "NET"
    assert [line["lineItemGroup"] is not None for line in order["lineItems"]["nodes"]] == [True, True, False]
    assert order["transactions"][0]["kind"] == "AUTHORIZATION"
    assert order["totalOutstandingSet"]["shopMoney"]["amount"] == order["totalPriceSet"]["shopMoney"]["amount"]
