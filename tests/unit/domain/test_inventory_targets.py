"""Available to promise: buffers, bundles, the plan of writes and drift (pure domain, property-tested)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.domain.bundles import KitComponent
from trueup.domain.inventory import (
    Buffer,
    BufferKind,
    BufferRules,
    InventoryLevel,
    StockNeed,
    bundle_available,
    find_drift,
    plan_writes,
    target_available,
)
from trueup.domain.stock_sharing import ShopLevels, shared_stock_targets

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
WH1 = "gid://shopify/Location/1"
WH2 = "gid://shopify/Location/2"

units = st.integers(min_value=-50, max_value=10_000)
demand = st.integers(min_value=0, max_value=500)
absolute = st.builds(Buffer, st.decimals(min_value=0, max_value=100, places=0))
percent = st.builds(Buffer, st.decimals(min_value=0, max_value=100, places=2), st.just(BufferKind.PERCENT))


def level(sku: str, available: int, location: str = WH1, updated_at: datetime | None = None) -> InventoryLevel:
    return InventoryLevel(sku, f"gid://shopify/InventoryItem/{sku}", location, available, updated_at)


@given(units, demand, st.one_of(absolute, percent))
def test_the_target_is_never_negative_nor_above_what_the_erp_can_promise(erp: int, taken: int, buffer: Buffer) -> None:
    target = target_available(erp, taken, buffer)
    assert target >= 0
    assert target <= max(erp - taken, 0)


@given(units, demand, st.decimals(min_value=0, max_value=100, places=2))
def test_a_percentage_buffer_rounds_towards_holding_more_back(erp: int, taken: int, share: Decimal) -> None:
    target = target_available(erp, taken, Buffer(share, BufferKind.PERCENT))
    promisable = max(erp - taken, 0)
    assert target <= promisable * (100 - share) / 100  # never offers a fraction of a unit it does not have


@pytest.mark.parametrize(
    ("erp", "taken", "buffer", "expected"),
    [
        (Decimal(10), 0, Buffer(Decimal(2)), 8),
        (Decimal("10.7"), 3, Buffer(Decimal(2)), 5),  # whole units only
        (Decimal(10), 9, Buffer(Decimal(2)), 0),  # never below zero
        (Decimal(10), 0, Buffer(Decimal(15), BufferKind.PERCENT), 8),  # 1.5 held back rounds up to 2
        (Decimal(100), 20, Buffer(Decimal(10), BufferKind.PERCENT), 72),
        (Decimal(5), 0, 1, 4),
    ],
)
def test_target_examples(erp: Decimal, taken: int, buffer: Buffer | int, expected: int) -> None:
    assert target_available(erp, taken, buffer) == expected


def test_a_skus_buffer_beats_its_locations_which_beats_the_default() -> None:
    rules = BufferRules(
        default=Buffer(Decimal(1)),
        per_sku={"TEE": Buffer(Decimal(5))},
        per_location={WH2: Buffer(Decimal(3))},
    )
    assert rules.buffer_for("TEE", WH2) == Buffer(Decimal(5))
    assert rules.buffer_for("CAP", WH2) == Buffer(Decimal(3))
    assert rules.buffer_for("CAP", WH1) == Buffer(Decimal(1))


def test_a_buffer_outside_its_range_is_refused() -> None:
    with pytest.raises(ValueError, match="percent"):
        Buffer(Decimal(120), BufferKind.PERCENT)
    with pytest.raises(ValueError, match="0 or more units"):
        Buffer(Decimal(-1))


components = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(min_value=1, max_value=5)),
    min_size=1,
    max_size=3,
    unique_by=lambda c: c[0],
)


@given(components, st.dictionaries(st.sampled_from(["A", "B", "C"]), st.integers(min_value=0, max_value=1000)))
def test_bundles_made_never_need_more_units_than_there_are(parts: list[tuple[str, int]], stock: dict[str, int]) -> None:
    kit = [KitComponent(sku, Decimal(q), Decimal(0)) for sku, q in parts]
    made = bundle_available(kit, stock)
    assert all(made * c.quantity <= stock.get(c.sku, 0) for c in kit)
    assert any((made + 1) * c.quantity > stock.get(c.sku, 0) for c in kit)  # and one more would


def test_the_scarcest_component_decides_a_bundles_level() -> None:
    kit = [KitComponent("CAP", Decimal(1), Decimal(0)), KitComponent("SOCK", Decimal(2), Decimal(0))]
    assert bundle_available(kit, {"CAP": 10, "SOCK": 7}) == 3
    assert bundle_available(kit, {"CAP": 10}) == 0


def test_targets_follow_the_location_mapping_demand_buffers_and_bundle_components() -> None:
    kit = [KitComponent("CAP", Decimal(1), Decimal(0)), KitComponent("SOCK", Decimal(2), Decimal(0))]
    levels = [level("CAP", 0), level("SOCK", 0), level("SET", 0), level("CAP", 0, WH2), level("ODD", 4)]
    needs = {
        ("CAP", "WH1"): StockNeed(10, demand=1),
        ("SOCK", "WH1"): StockNeed(9, demand=2),
        ("CAP", "WH2"): StockNeed(4),
    }
    shop = ShopLevels(levels, {WH1: "WH1", WH2: "WH2"})
    buffers = BufferRules(per_location={WH2: Buffer(Decimal(1))})
    targets = shared_stock_targets({"alpha": shop}, needs, {"SET": kit}, buffers, {})["alpha"]
    assert targets == {("CAP", WH1): 9, ("SOCK", WH1): 7, ("SET", WH1): 3, ("CAP", WH2): 3}  # ODD: not in the ERP


@given(
    st.lists(st.tuples(st.sampled_from("ABCDEFGH"), st.integers(0, 20), st.integers(0, 20)), unique_by=lambda t: t[0])
)
def test_the_plan_writes_exactly_the_differences(rows: list[tuple[str, int, int]]) -> None:
    levels = [level(sku, shopify) for sku, shopify, _ in rows]
    targets = {(sku, WH1): target for sku, _, target in rows}
    writes = plan_writes(levels, targets)
    assert {(w.sku, w.quantity, w.expected) for w in writes} == {(s, t, a) for s, a, t in rows if a != t}


def test_drift_is_dated_by_its_first_sighting_or_shopifys_last_change() -> None:
    earlier, later = NOW - timedelta(hours=3), NOW - timedelta(hours=1)
    levels = [level("TEE", 7, updated_at=later), level("CAP", 2, updated_at=later), level("MUG", 5)]
    targets = {("TEE", WH1): 5, ("CAP", WH1): 2, ("MUG", WH1): 6}
    drift = find_drift(levels, targets, {("TEE", WH1): earlier}, NOW)
    assert [(d.sku, d.difference, d.since) for d in drift] == [("TEE", 2, earlier), ("MUG", -1, NOW)]
