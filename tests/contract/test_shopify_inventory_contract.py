"""One contract for the inventory half of the ShopifyAdmin port (locations, levels, compare-and-set writes):
the same assertions on FakeShopifyAdmin and on trueup's real client talking HTTP to the Shopify sandbox,
through the one harness (shopify_harness.py), on a shop of socks and hats with a closed location."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import pytest

from tests.contract.shopify_harness import STOCK, STOCK_SHOP, ShopifyHarness, sandbox_of
from tests.support.sandbox import RunningSandbox, Shop
from trueup.domain.errors import BadInput, Cause, StructuralError
from trueup.domain.inventory import InventoryLevel, StockWrite

TRACKED = ("SOCK", "SOCK-L", "HAT")


@pytest.fixture(scope="module")
def shop() -> Shop:
    return STOCK_SHOP


@pytest.fixture
def shopify_sandbox(shop: Shop) -> Iterator[RunningSandbox]:
    """A sandbox per test: every test starts from the same stock."""
    yield from sandbox_of(shop)


_keys = itertools.count(1)


def key() -> str:
    return f"contract-{next(_keys)}-{uuid.uuid4().hex[:8]}"


def levels(found: list[InventoryLevel]) -> dict[tuple[str, str], int]:
    return {(level.sku, level.location_id): level.available for level in found}


def by_name(shopify: ShopifyHarness, found: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    names = {gid: name for name, gid in shopify.location_ids.items()}
    return {(sku, names[location]): available for (sku, location), available in found.items()}


def write(shopify: ShopifyHarness, sku: str, location: str, quantity: int, expected: int) -> StockWrite:
    return StockWrite(sku, shopify.item_ids[sku], shopify.location_ids[location], quantity, expected)


def test_locations_lists_active_and_inactive_ones(shopify: ShopifyHarness) -> None:
    found = {(loc.name, loc.is_active) for loc in shopify.admin.locations()}
    assert found == {("North", True), ("South", True), ("Old shop", False)}
    assert {loc.location_id for loc in shopify.admin.locations()} == set(shopify.location_ids.values())


def test_levels_by_sku_are_exact_and_only_at_the_locations_asked(shopify: ShopifyHarness) -> None:
    north = shopify.location_ids["North"]
    found = shopify.admin.inventory_levels([north], ["SOCK", "HAT", "NO-SUCH-SKU"])
    assert by_name(shopify, levels(found)) == {("SOCK", "North"): 10, ("HAT", "North"): 0}
    assert {level.inventory_item_id for level in found} == {shopify.item_ids["SOCK"], shopify.item_ids["HAT"]}
    assert all(level.updated_at is not None for level in found)


def test_a_whole_catalogue_read_has_every_tracked_level_and_no_bundle(shopify: ShopifyHarness) -> None:
    everywhere = list(shopify.location_ids.values())
    whole = shopify.admin.inventory_levels(everywhere)
    assert by_name(shopify, levels(whole)) == STOCK
    assert levels(whole) == levels(shopify.admin.inventory_levels(everywhere, [*TRACKED, "SET"]))
    south_only = shopify.admin.inventory_levels([shopify.location_ids["South"]])
    assert by_name(shopify, levels(south_only)) == {("SOCK", "South"): 4}


def committed(found: list[InventoryLevel]) -> dict[tuple[str, str], int]:
    return {(level.sku, level.location_id): level.committed for level in found}


def test_an_order_taken_shows_as_committed_read_with_available_by_sku_and_in_bulk(shopify: ShopifyHarness) -> None:
    north = shopify.location_ids["North"]
    assert set(committed(shopify.admin.inventory_levels([north], ["SOCK-L"])).values()) == {0}
    shopify.takes_order("SOCK-L", 3)

    by_sku = shopify.admin.inventory_levels([north], ["SOCK-L", "HAT"])
    whole = [level for level in shopify.admin.inventory_levels([north]) if level.sku in ("SOCK-L", "HAT")]

    for found in (by_sku, whole):
        assert by_name(shopify, levels(found)) == {("SOCK-L", "North"): 4, ("HAT", "North"): 0}
        assert by_name(shopify, committed(found)) == {("SOCK-L", "North"): 3, ("HAT", "North"): 0}


def test_setting_available_leaves_committed_alone(shopify: ShopifyHarness) -> None:
    north = shopify.location_ids["North"]
    shopify.takes_order("SOCK-L", 2)
    result = shopify.admin.set_available([write(shopify, "SOCK-L", "North", 9, 5)], key())
    assert len(result.applied) == 1
    (level,) = shopify.admin.inventory_levels([north], ["SOCK-L"])
    assert (level.available, level.committed) == (9, 2)


def test_writes_with_the_right_compare_values_are_applied(shopify: ShopifyHarness) -> None:
    writes = [write(shopify, "SOCK", "North", 8, 10), write(shopify, "SOCK-L", "North", 12, 7)]
    result = shopify.admin.set_available(writes, key())
    assert (result.applied, result.stale) == (tuple(writes), ())
    found = shopify.admin.inventory_levels(list(shopify.location_ids.values()), ["SOCK", "SOCK-L"])
    assert by_name(shopify, levels(found)) == {("SOCK", "North"): 8, ("SOCK", "South"): 4, ("SOCK-L", "North"): 12}


def test_a_stale_compare_is_returned_and_never_overwrites_while_the_others_apply(shopify: ShopifyHarness) -> None:
    shopify.merchant_sets("SOCK", "South", 3)  # sold in a shop meanwhile: trueup still thinks 4
    stale = write(shopify, "SOCK", "South", 9, 4)
    fresh = write(shopify, "HAT", "North", 5, 0)
    result = shopify.admin.set_available([stale, fresh], key())
    assert (result.applied, result.stale) == ((fresh,), (stale,))
    found = shopify.admin.inventory_levels(list(shopify.location_ids.values()), ["SOCK", "HAT"])
    assert by_name(shopify, levels(found))[("SOCK", "South")] == 3
    assert by_name(shopify, levels(found))[("HAT", "North")] == 5


def test_a_batch_of_only_stale_writes_applies_nothing(shopify: ShopifyHarness) -> None:
    writes = [write(shopify, "SOCK", "North", 1, 11), write(shopify, "HAT", "North", 1, 2)]
    result = shopify.admin.set_available(writes, key())
    assert (result.applied, result.stale) == ((), tuple(writes))
    found = shopify.admin.inventory_levels([shopify.location_ids["North"]], ["SOCK", "HAT"])
    assert by_name(shopify, levels(found)) == {("SOCK", "North"): 10, ("HAT", "North"): 0}


def test_the_same_key_sent_again_applies_nothing_twice(shopify: ShopifyHarness) -> None:
    writes = [write(shopify, "SOCK", "North", 6, 10)]
    same_key = key()
    first = shopify.admin.set_available(writes, same_key)
    shopify.merchant_sets("SOCK", "North", 2)  # changed after trueup's write
    again = shopify.admin.set_available(writes, same_key)
    assert again == first
    found = shopify.admin.inventory_levels([shopify.location_ids["North"]], ["SOCK"])
    assert levels(found) == {("SOCK", shopify.location_ids["North"]): 2}


def test_a_replayed_key_with_a_stale_write_replays_the_same_outcome(shopify: ShopifyHarness) -> None:
    shopify.merchant_sets("SOCK", "South", 1)
    writes = [write(shopify, "SOCK", "South", 9, 4), write(shopify, "SOCK-L", "North", 3, 7)]
    same_key = key()
    first = shopify.admin.set_available(writes, same_key)
    assert shopify.admin.set_available(writes, same_key) == first
    found = shopify.admin.inventory_levels(list(shopify.location_ids.values()), ["SOCK", "SOCK-L"])
    assert by_name(shopify, levels(found)) == {("SOCK", "North"): 10, ("SOCK", "South"): 1, ("SOCK-L", "North"): 3}


def test_a_key_reused_for_other_writes_is_refused(shopify: ShopifyHarness) -> None:
    same_key = key()
    shopify.admin.set_available([write(shopify, "HAT", "North", 1, 0)], same_key)
    with pytest.raises(BadInput):
        shopify.admin.set_available([write(shopify, "HAT", "North", 2, 1)], same_key)


def test_an_item_not_yet_stocked_at_a_location_is_stocked_by_a_write_from_zero(shopify: ShopifyHarness) -> None:
    result = shopify.admin.set_available([write(shopify, "HAT", "South", 4, 0)], key())
    assert result.stale == ()
    found = shopify.admin.inventory_levels([shopify.location_ids["South"]], ["HAT"])
    assert by_name(shopify, levels(found)) == {("HAT", "South"): 4}


def test_an_unknown_inventory_item_is_a_structural_error_naming_the_sku(shopify: ShopifyHarness) -> None:
    ghost = StockWrite("GHOST", "gid://shopify/InventoryItem/999999999", shopify.location_ids["North"], 1, 0)
    with pytest.raises(StructuralError) as caught:
        shopify.admin.set_available([ghost], key())
    assert caught.value.cause is Cause.SKU_NOT_IN_SHOPIFY
    assert "GHOST" in caught.value.detail


@pytest.mark.parametrize("count", [0, 251])
def test_a_batch_outside_one_to_250_is_refused_before_sending(shopify: ShopifyHarness, count: int) -> None:
    writes = [
        StockWrite(f"S{i}", f"gid://shopify/InventoryItem/{i}", shopify.location_ids["North"], 1, 0)
        for i in range(count)
    ]
    with pytest.raises(BadInput):
        shopify.admin.set_available(writes, key())


def test_one_pair_twice_in_a_batch_is_refused(shopify: ShopifyHarness) -> None:
    with pytest.raises(BadInput):
        shopify.admin.set_available([write(shopify, "HAT", "North", 1, 0), write(shopify, "HAT", "North", 2, 0)], key())
