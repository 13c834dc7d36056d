"""Sharing one warehouse's stock between shops: under `split` the offers never add up to more than is sellable."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from trueup.domain.bundles import KitComponent
from trueup.domain.inventory import Buffer, BufferKind, BufferRules, InventoryLevel, StockNeed, target_available
from trueup.domain.stock_sharing import Sharing, ShopLevels, WarehouseSharing, shared_stock_targets, split_units

LOCATION = "gid://shopify/Location/1"  # each shop numbers its own locations: the same gid in every shop
SHOPS = [f"shop-{n}.myshopify.com" for n in range(4)]

weights = st.dictionaries(st.sampled_from(SHOPS), st.decimals(min_value=0, max_value=50, places=2), min_size=1)
buffers = st.one_of(
    st.builds(Buffer, st.decimals(min_value=0, max_value=20, places=0)),
    st.builds(Buffer, st.decimals(min_value=0, max_value=100, places=1), st.just(BufferKind.PERCENT)),
)


def level(sku: str) -> InventoryLevel:
    return InventoryLevel(sku, f"gid://shopify/InventoryItem/{sku}", LOCATION, 0)


@given(st.integers(-5, 1000), weights)
def test_a_split_gives_out_every_unit_and_no_more(units: int, by_shop: dict[str, Decimal]) -> None:
    shares = split_units(units, by_shop)
    assert set(shares) == set(by_shop)
    assert all(share >= 0 for share in shares.values())
    weighed = any(w > 0 for w in by_shop.values())
    assert sum(shares.values()) == (max(units, 0) if weighed else 0)
    assert all(shares[shop] == 0 for shop, w in by_shop.items() if w <= 0)


def test_a_split_shares_by_weight_and_leaves_the_remainder_to_the_largest_remainders() -> None:
    assert split_units(10, {"a": Decimal(3), "b": Decimal(1)}) == {"a": 8, "b": 2}  # 7.5 and 2.5: a by name
    assert split_units(5, {"a": Decimal(1), "b": Decimal(1), "c": Decimal(0)}) == {"a": 3, "b": 2, "c": 0}


@given(
    available=st.integers(-5, 500),
    demand=st.integers(0, 100),
    on_hand=st.one_of(st.none(), st.integers(0, 500)),
    committed=st.integers(0, 100),
    by_shop=weights,
    buffer=buffers,
)
def test_under_split_what_all_shops_offer_never_exceeds_what_is_sellable(
    available: int, demand: int, on_hand: int | None, committed: int, by_shop: dict[str, Decimal], buffer: Buffer
) -> None:
    need = StockNeed(available, demand, on_hand, committed)
    shops = {shop: ShopLevels([level("CAP")], {LOCATION: "WH1"}) for shop in by_shop}
    rule = {"WH1": WarehouseSharing(Sharing.SPLIT, by_shop)}

    targets = shared_stock_targets(shops, {("CAP", "WH1"): need}, {}, BufferRules(default=buffer), rule)

    sellable = target_available(need.promisable, 0, buffer)
    assert sum(own[("CAP", LOCATION)] for own in targets.values()) <= sellable
    if len(by_shop) > 1 and any(w > 0 for w in by_shop.values()):
        assert sum(own[("CAP", LOCATION)] for own in targets.values()) == sellable  # none wasted


@given(red=st.integers(0, 60), grey=st.integers(0, 60), by_shop=weights)
def test_under_split_bundles_and_their_components_never_offer_a_component_beyond_the_shops_share(
    red: int, grey: int, by_shop: dict[str, Decimal]
) -> None:
    kit = [KitComponent("RED", Decimal(1), Decimal(0)), KitComponent("GREY", Decimal(2), Decimal(0))]
    buffers = BufferRules(per_sku={"RED": Buffer(Decimal(3)), "GREY": Buffer(Decimal(2)), "KIT": Buffer(Decimal(1))})
    needs = {("RED", "WH1"): StockNeed(red), ("GREY", "WH1"): StockNeed(grey)}
    shops = {shop: ShopLevels([level("KIT"), level("RED")], {LOCATION: "WH1"}) for shop in by_shop}

    targets = shared_stock_targets(shops, needs, {"KIT": kit}, buffers, {"WH1": WarehouseSharing(weights=by_shop)})

    red_sellable, grey_sellable = max(red - 3, 0), max(grey - 2, 0)
    assert sum(own[("RED", LOCATION)] for own in targets.values()) <= red_sellable
    for own in targets.values():  # a shop's bundles draw on its own share of each component, after its buffer
        assert own[("KIT", LOCATION)] <= max(min(own[("RED", LOCATION)], grey_sellable // 2) - 1, 0)
