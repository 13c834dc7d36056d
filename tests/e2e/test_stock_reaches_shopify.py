"""Stock from Tryton to Shopify through the real processes: a receipt shows in Shopify less the buffer within
seconds, a bundle's level follows its components, and a full reconciliation fixes drift made in Shopify,
writing only the differences.

One stack for the module (its SKUs kept apart per test): Reno DC is mapped to WH1, Columbus DC to WH2,
Brooklyn Store to nothing; the default buffer is 2; BTL-HRT-BLU is configured as a bundle of one BEAN-RED and
two BEAN-SMT-GRY.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import TRYTON_CACHE
from tests.e2e.stock import (
    available,
    count_stock,
    levels,
    receive,
    reconcile,
    sell,
    set_available,
    wait_for,
    wait_stock_ready,
)
from trueup.local_stack.stack import LocalStack, StackOptions

pytestmark = [pytest.mark.slow, pytest.mark.tryton]

BUFFER = 2
RENO, COLUMBUS, BROOKLYN = "Reno DC", "Columbus DC", "Brooklyn Store"
RECEIVED = "BTL-BLU"
BUNDLE, PART_1, PART_2 = "BTL-HRT-BLU", "BEAN-RED", "BEAN-SMT-GRY"  # one PART_1 and two PART_2 per bundle
DRIFT_RENO, DRIFT_COLUMBUS = "BTL-HVY-STL", "BEAN-ORG-GRY"
UNTOUCHED = ("BTL-HRT-STL", "BEAN-HVY-RED", "TOTE-NAT")
WH1 = {RECEIVED: 10, PART_1: 4, PART_2: 20, DRIFT_RENO: 7, "BTL-HRT-STL": 5}
WH2 = {DRIFT_COLUMBUS: 3, "BEAN-HVY-RED": 6}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    options = StackOptions(
        dir=Path(tmp_path_factory.mktemp("stock")),
        tryton_cache=TRYTON_CACHE,
        poll_interval_seconds=3.0,
        lease_seconds=10.0,
        inventory=True,
        inventory_buffer=BUFFER,
        locations={RENO: "WH1", COLUMBUS: "WH2"},
        stock_sync_interval_seconds=1.0,
        bundles={BUNDLE: {PART_1: 1, PART_2: 2}},
        stock={"WH1": WH1, "WH2": WH2},
    )
    with LocalStack(options) as running:
        # The reconciliation at start brings every mapped level to target (the rest of the catalogue to 0).
        expected = {RECEIVED: 8, PART_1: 2, PART_2: 18, BUNDLE: 0, DRIFT_RENO: 5, "TOTE-NAT": 0}
        wait_for("the reconciliation at start", lambda: available(running, expected, RENO), expected.__eq__, 90)
        wait_stock_ready(running)
        yield running


def test_a_receipt_in_tryton_shows_in_shopify_less_the_buffer_within_seconds(stack: LocalStack) -> None:
    latencies = []
    for units, shown in ((5, 13), (1, 14), (2, 16), (1, 17), (3, 20)):
        receive(stack, {RECEIVED: units}, "WH1")
        _, took = wait_for(
            f"{RECEIVED} at {RENO}", lambda: available(stack, [RECEIVED], RENO), {RECEIVED: shown}.__eq__, 30
        )
        latencies.append(took)
    print(f"\nreceipt in Tryton -> Shopify level: {', '.join(f'{s:.2f} s' for s in latencies)}")

    after = levels(stack, [RECEIVED])
    assert after[(RECEIVED, COLUMBUS)].available == 0  # WH2 has none: another warehouse's receipt is not its stock


def test_a_bundle_follows_its_components(stack: LocalStack) -> None:
    skus = [BUNDLE, PART_1, PART_2]
    # A bundle is made of what each component may still sell after its own buffer, less the bundle's buffer:
    # PART_1 is the scarcer: 4 - 2 units make 2 bundles (PART_2: (20 - 2) / 2 = 9), less the buffer: none.
    assert available(stack, skus, RENO) == {BUNDLE: 0, PART_1: 2, PART_2: 18}

    receive(stack, {PART_1: 6}, "WH1")  # 10 of PART_1: 8 may sell, 8 bundles (PART_2: 9)
    wait_for("the bundle up", lambda: available(stack, skus, RENO), {BUNDLE: 6, PART_1: 8, PART_2: 18}.__eq__, 30)

    count_stock(stack, {PART_2: 12}, "WH1")  # 8 of PART_2 lost: 12 left, 10 may sell, 5 bundles
    wait_for("the bundle down", lambda: available(stack, skus, RENO), {BUNDLE: 3, PART_1: 8, PART_2: 10}.__eq__, 30)

    sell(stack, PART_2, 4)  # Shopify lowers PART_2 at once; trueup posts the sale: 8 left, 6 may sell, 3 bundles
    wait_for(
        "the bundle after a sale", lambda: available(stack, skus, RENO), {BUNDLE: 1, PART_1: 8, PART_2: 6}.__eq__, 30
    )
    assert stack.wait_settled(timeout=60)
    assert available(stack, skus, RENO) == {BUNDLE: 1, PART_1: 8, PART_2: 6}


def test_a_full_reconciliation_fixes_drift_made_in_shopify_and_writes_only_the_differences(
    stack: LocalStack,
) -> None:
    watched = [DRIFT_RENO, DRIFT_COLUMBUS, *UNTOUCHED]
    before = levels(stack, watched)
    assert before[(DRIFT_RENO, RENO)].available == 5
    assert before[(DRIFT_COLUMBUS, COLUMBUS)].available == 1
    brooklyn = before[(DRIFT_RENO, BROOKLYN)]
    set_available(
        stack,
        [(before[(DRIFT_RENO, RENO)], 9), (before[(DRIFT_COLUMBUS, COLUMBUS)], 0), (brooklyn, brooklyn.available + 7)],
    )
    drifted = levels(stack, watched)

    report = reconcile(stack)

    found = {(d["sku"], d["location_id"]): (d["shopify"], d["target"], d["difference"]) for d in report["drift"]}
    assert found == {
        (DRIFT_RENO, drifted[(DRIFT_RENO, RENO)].location_id): (9, 5, 4),
        (DRIFT_COLUMBUS, drifted[(DRIFT_COLUMBUS, COLUMBUS)].location_id): (0, 1, -1),
    }
    assert report["written"] == 2
    assert report["still_stale"] == 0
    assert report["levels_read"] > 100  # every tracked SKU at the two mapped locations

    after = levels(stack, watched)
    assert after[(DRIFT_RENO, RENO)].available == 5
    assert after[(DRIFT_COLUMBUS, COLUMBUS)].available == 1
    assert after[(DRIFT_RENO, BROOKLYN)] == drifted[(DRIFT_RENO, BROOKLYN)]  # unmapped: left alone
    fixed = {(DRIFT_RENO, RENO), (DRIFT_COLUMBUS, COLUMBUS)}
    assert {key: level for key, level in after.items() if key not in fixed} == {
        key: level for key, level in drifted.items() if key not in fixed
    }  # nothing else written: not even its updatedAt moved

    again = reconcile(stack)
    assert again["drift"] == []
    assert again["written"] == 0
