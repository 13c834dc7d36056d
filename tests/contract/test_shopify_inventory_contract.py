"""One contract for the inventory half of the ShopifyAdmin port (locations, levels, compare-and-set writes):
the same assertions on FakeShopifyAdmin and on trueup's real client talking HTTP to the Shopify sandbox."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Protocol

import pytest
from graphql import parse, validate

from tests.fakes.shopify import FakeShopifyAdmin
from tests.support.sandbox import running_sandbox, sandbox_available
from tests.unit.shopify_client.schema_cost import VERSIONS, admin_schema
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.domain.errors import BadInput, Cause, StructuralError
from trueup.domain.inventory import InventoryLevel, StockWrite

SHOP = "stock-shop.myshopify.com"
# "SOCK" is a prefix of "SOCK-L": a search by SKU must not mistake one for the other.
STOCK = {("SOCK", "North"): 10, ("SOCK", "South"): 4, ("SOCK-L", "North"): 7, ("HAT", "North"): 0}
TRACKED = ("SOCK", "SOCK-L", "HAT")
ACTIVE, INACTIVE = ("North", "South"), "Old shop"

# Sent by the tests only (a merchant changing stock in Shopify's admin), validated below like trueup's own.
MERCHANT_SET = """
mutation TestMerchantSet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    userErrors { field message code }
  }
}
"""
ITEMS_BY_SKU = """
query TestItems($after: String) {
  inventoryItems(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku }
  }
}
"""
TAKE_ORDER = """
mutation TestTakeOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) { order { id } userErrors { field message } }
}
"""
VARIANT_BY_SKU = "query TestVariant($query: String!) { productVariants(first: 1, query: $query) { nodes { id } } }"
LOCATION_IDS = """
query TestLocations { locations(first: 10, includeInactive: true) { nodes { id name } } }
"""


class Harness(Protocol):
    admin: Any  # FakeShopifyAdmin | ShopifyAdminClient
    location_ids: dict[str, str]  # name -> gid
    item_ids: dict[str, str]  # sku -> gid

    def merchant_sets(self, sku: str, location: str, available: int) -> None: ...

    def takes_order(self, sku: str, quantity: int) -> None:
        """A storefront order for `quantity` units of `sku` (stocked at North only): available → committed."""


class FakeHarness:
    def __init__(self) -> None:
        self.admin = FakeShopifyAdmin(SHOP)
        stock = self.admin.inventory
        self.location_ids = {name: stock.add_location(name).location_id for name in ACTIVE}
        self.location_ids[INACTIVE] = stock.add_location(INACTIVE, active=False).location_id
        for (sku, location), available in STOCK.items():
            stock.put_level(sku, self.location_ids[location], available)
        self.item_ids = {sku: stock.item_id(sku) for sku in TRACKED}

    def merchant_sets(self, sku: str, location: str, available: int) -> None:
        self.admin.inventory.put_level(sku, self.location_ids[location], available)

    def takes_order(self, sku: str, quantity: int) -> None:
        self.admin.inventory.take_order(sku, self.location_ids["North"], quantity)


class SandboxHarness:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.admin = ShopifyAdminClient(sandbox.shop, sandbox.token, base_url=sandbox.url)
        data = sandbox.graphql(LOCATION_IDS)["data"]
        self.location_ids = {n["name"]: n["id"] for n in data["locations"]["nodes"]}
        items = sandbox.graphql(ITEMS_BY_SKU)["data"]["inventoryItems"]["nodes"]
        self.item_ids = {n["sku"]: n["id"] for n in items if n["sku"] in TRACKED}

    def merchant_sets(self, sku: str, location: str, available: int) -> None:
        quantity = {
            "inventoryItemId": self.item_ids[sku],
            "locationId": self.location_ids[location],
            "quantity": available,
            "changeFromQuantity": None,
        }
        variables = {"input": {"name": "available", "reason": "correction", "quantities": [quantity]}}
        body = self.sandbox.graphql(MERCHANT_SET, {**variables, "key": str(uuid.uuid4())})
        assert body["data"]["inventorySetQuantities"]["userErrors"] == []

    def takes_order(self, sku: str, quantity: int) -> None:
        variant = self.sandbox.graphql(VARIANT_BY_SKU, {"query": f'sku:"{sku}"'})["data"]["productVariants"]["nodes"]
        order = {
            "currency": "GBP",
            "lineItems": [{"variantId": variant[0]["id"], "quantity": quantity}],
            "financialStatus": "PAID",
        }
        options = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}
        body = self.sandbox.graphql(TAKE_ORDER, {"order": order, "options": options})
        assert body["data"]["orderCreate"]["userErrors"] == [], body


def stock_shop_spec() -> Any:
    from shopify_sandbox.spec import BundleComponentSpec, LocationSpec, ProductSpec, ShopSpec, VariantSpec

    def variant(sku: str, tracked: bool = True) -> VariantSpec:
        return VariantSpec(sku=sku, title=sku, price=Decimal("5.00"), tracked=tracked)

    locations = [LocationSpec(name, "1 Quay", "Hull", "HU1", "GB") for name in ACTIVE]
    locations.append(LocationSpec(INACTIVE, "2 Quay", "Hull", "HU1", "GB", active=False))
    return ShopSpec(
        name="Stock shop",
        myshopify_domain=SHOP,
        currency="GBP",
        taxes_included=True,
        locations=tuple(locations),
        products=(
            ProductSpec("Socks", "trueup", "Socks", (variant("SOCK"), variant("SOCK-L"))),
            ProductSpec("Hat", "trueup", "Hats", (variant("HAT"),)),
            ProductSpec("Set", "trueup", "Bundle", (variant("SET", tracked=False),), (BundleComponentSpec("HAT", 1),)),
        ),
        stock=dict(STOCK),
    )


@pytest.fixture(params=["fake", "sandbox"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    if not sandbox_available():
        pytest.skip("the Shopify sandbox app is not built yet")
    # A sandbox per test: every test starts from the same stock.
    with running_sandbox(shop_spec=stock_shop_spec()) as sandbox:
        live = SandboxHarness(sandbox)
        yield live
        live.admin.close()


_keys = itertools.count(1)


def key() -> str:
    return f"contract-{next(_keys)}-{uuid.uuid4().hex[:8]}"


def levels(found: list[InventoryLevel]) -> dict[tuple[str, str], int]:
    return {(level.sku, level.location_id): level.available for level in found}


def by_name(harness: Harness, found: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    names = {gid: name for name, gid in harness.location_ids.items()}
    return {(sku, names[location]): available for (sku, location), available in found.items()}


def write(harness: Harness, sku: str, location: str, quantity: int, expected: int) -> StockWrite:
    return StockWrite(sku, harness.item_ids[sku], harness.location_ids[location], quantity, expected)


def test_locations_lists_active_and_inactive_ones(harness: Harness) -> None:
    found = {(loc.name, loc.is_active) for loc in harness.admin.locations()}
    assert found == {("North", True), ("South", True), ("Old shop", False)}
    assert {loc.location_id for loc in harness.admin.locations()} == set(harness.location_ids.values())


def test_levels_by_sku_are_exact_and_only_at_the_locations_asked(harness: Harness) -> None:
    north = harness.location_ids["North"]
    found = harness.admin.inventory_levels([north], ["SOCK", "HAT", "NO-SUCH-SKU"])
    assert by_name(harness, levels(found)) == {("SOCK", "North"): 10, ("HAT", "North"): 0}
    assert {level.inventory_item_id for level in found} == {harness.item_ids["SOCK"], harness.item_ids["HAT"]}
    assert all(level.updated_at is not None for level in found)


def test_a_whole_catalogue_read_has_every_tracked_level_and_no_bundle(harness: Harness) -> None:
    everywhere = list(harness.location_ids.values())
    whole = harness.admin.inventory_levels(everywhere)
    assert by_name(harness, levels(whole)) == STOCK
    assert levels(whole) == levels(harness.admin.inventory_levels(everywhere, [*TRACKED, "SET"]))
    south_only = harness.admin.inventory_levels([harness.location_ids["South"]])
    assert by_name(harness, levels(south_only)) == {("SOCK", "South"): 4}


def committed(found: list[InventoryLevel]) -> dict[tuple[str, str], int]:
    return {(level.sku, level.location_id): level.committed for level in found}


def test_an_order_taken_shows_as_committed_read_with_available_by_sku_and_in_bulk(harness: Harness) -> None:
    north = harness.location_ids["North"]
    assert set(committed(harness.admin.inventory_levels([north], ["SOCK-L"])).values()) == {0}
    harness.takes_order("SOCK-L", 3)

    by_sku = harness.admin.inventory_levels([north], ["SOCK-L", "HAT"])
    whole = [level for level in harness.admin.inventory_levels([north]) if level.sku in ("SOCK-L", "HAT")]

    for found in (by_sku, whole):
        assert by_name(harness, levels(found)) == {("SOCK-L", "North"): 4, ("HAT", "North"): 0}
        assert by_name(harness, committed(found)) == {("SOCK-L", "North"): 3, ("HAT", "North"): 0}


def test_setting_available_leaves_committed_alone(harness: Harness) -> None:
    north = harness.location_ids["North"]
    harness.takes_order("SOCK-L", 2)
    result = harness.admin.set_available([write(harness, "SOCK-L", "North", 9, 5)], key())
    assert len(result.applied) == 1
    (level,) = harness.admin.inventory_levels([north], ["SOCK-L"])
    assert (level.available, level.committed) == (9, 2)


def test_writes_with_the_right_compare_values_are_applied(harness: Harness) -> None:
    writes = [write(harness, "SOCK", "North", 8, 10), write(harness, "SOCK-L", "North", 12, 7)]
    result = harness.admin.set_available(writes, key())
    assert (result.applied, result.stale) == (tuple(writes), ())
    found = harness.admin.inventory_levels(list(harness.location_ids.values()), ["SOCK", "SOCK-L"])
    assert by_name(harness, levels(found)) == {("SOCK", "North"): 8, ("SOCK", "South"): 4, ("SOCK-L", "North"): 12}


def test_a_stale_compare_is_returned_and_never_overwrites_while_the_others_apply(harness: Harness) -> None:
    harness.merchant_sets("SOCK", "South", 3)  # sold in a shop meanwhile: trueup still thinks 4
    stale = write(harness, "SOCK", "South", 9, 4)
    fresh = write(harness, "HAT", "North", 5, 0)
    result = harness.admin.set_available([stale, fresh], key())
    assert (result.applied, result.stale) == ((fresh,), (stale,))
    found = harness.admin.inventory_levels(list(harness.location_ids.values()), ["SOCK", "HAT"])
    assert by_name(harness, levels(found))[("SOCK", "South")] == 3
    assert by_name(harness, levels(found))[("HAT", "North")] == 5


def test_a_batch_of_only_stale_writes_applies_nothing(harness: Harness) -> None:
    writes = [write(harness, "SOCK", "North", 1, 11), write(harness, "HAT", "North", 1, 2)]
    result = harness.admin.set_available(writes, key())
    assert (result.applied, result.stale) == ((), tuple(writes))
    found = harness.admin.inventory_levels([harness.location_ids["North"]], ["SOCK", "HAT"])
    assert by_name(harness, levels(found)) == {("SOCK", "North"): 10, ("HAT", "North"): 0}


def test_the_same_key_sent_again_applies_nothing_twice(harness: Harness) -> None:
    writes = [write(harness, "SOCK", "North", 6, 10)]
    same_key = key()
    first = harness.admin.set_available(writes, same_key)
    harness.merchant_sets("SOCK", "North", 2)  # changed after trueup's write
    again = harness.admin.set_available(writes, same_key)
    assert again == first
    found = harness.admin.inventory_levels([harness.location_ids["North"]], ["SOCK"])
    assert levels(found) == {("SOCK", harness.location_ids["North"]): 2}


def test_a_replayed_key_with_a_stale_write_replays_the_same_outcome(harness: Harness) -> None:
    harness.merchant_sets("SOCK", "South", 1)
    writes = [write(harness, "SOCK", "South", 9, 4), write(harness, "SOCK-L", "North", 3, 7)]
    same_key = key()
    first = harness.admin.set_available(writes, same_key)
    assert harness.admin.set_available(writes, same_key) == first
    found = harness.admin.inventory_levels(list(harness.location_ids.values()), ["SOCK", "SOCK-L"])
    assert by_name(harness, levels(found)) == {("SOCK", "North"): 10, ("SOCK", "South"): 1, ("SOCK-L", "North"): 3}


def test_a_key_reused_for_other_writes_is_refused(harness: Harness) -> None:
    same_key = key()
    harness.admin.set_available([write(harness, "HAT", "North", 1, 0)], same_key)
    with pytest.raises(BadInput):
        harness.admin.set_available([write(harness, "HAT", "North", 2, 1)], same_key)


def test_an_item_not_yet_stocked_at_a_location_is_stocked_by_a_write_from_zero(harness: Harness) -> None:
    result = harness.admin.set_available([write(harness, "HAT", "South", 4, 0)], key())
    assert result.stale == ()
    found = harness.admin.inventory_levels([harness.location_ids["South"]], ["HAT"])
    assert by_name(harness, levels(found)) == {("HAT", "South"): 4}


def test_an_unknown_inventory_item_is_a_structural_error_naming_the_sku(harness: Harness) -> None:
    ghost = StockWrite("GHOST", "gid://shopify/InventoryItem/999999999", harness.location_ids["North"], 1, 0)
    with pytest.raises(StructuralError) as caught:
        harness.admin.set_available([ghost], key())
    assert caught.value.cause is Cause.SKU_NOT_IN_SHOPIFY
    assert "GHOST" in caught.value.detail


@pytest.mark.parametrize("count", [0, 251])
def test_a_batch_outside_one_to_250_is_refused_before_sending(harness: Harness, count: int) -> None:
    writes = [
        StockWrite(f"S{i}", f"gid://shopify/InventoryItem/{i}", harness.location_ids["North"], 1, 0)
        for i in range(count)
    ]
    with pytest.raises(BadInput):
        harness.admin.set_available(writes, key())


def test_one_pair_twice_in_a_batch_is_refused(harness: Harness) -> None:
    with pytest.raises(BadInput):
        harness.admin.set_available([write(harness, "HAT", "North", 1, 0), write(harness, "HAT", "North", 2, 0)], key())


@pytest.mark.parametrize("version", VERSIONS)
def test_the_documents_these_tests_send_validate(version: str) -> None:
    for document in (MERCHANT_SET, ITEMS_BY_SKU, LOCATION_IDS, TAKE_ORDER, VARIANT_BY_SKU):
        assert [e.message for e in validate(admin_schema(version), parse(document))] == []
