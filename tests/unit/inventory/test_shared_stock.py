"""Two shops on one warehouse: every hold counts against it whichever shop took it, and under `split` their
offers add up to what is sellable, so selling at once in both never oversells."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.inventory.shared_stock_harness import ALPHA, BETA, SharedStock
from trueup.domain.bundles import KitComponent
from trueup.domain.inventory import Buffer, BufferRules
from trueup.domain.stock_sharing import Sharing, WarehouseSharing

POOL = WarehouseSharing(Sharing.POOL)


def test_split_shares_the_sellable_units_out_so_the_offers_add_up_to_them() -> None:
    stock = SharedStock()
    stock.stock("CAP", 6)

    stock.reconcile()

    assert (stock.shows(ALPHA, "CAP"), stock.shows(BETA, "CAP")) == (3, 2)  # 6 less the buffer of 1


def test_split_follows_the_configured_weights() -> None:
    stock = SharedStock(WarehouseSharing(weights={ALPHA: Decimal(3), BETA: Decimal(1)}))
    stock.stock("CAP", 9)

    stock.reconcile()

    assert (stock.shows(ALPHA, "CAP"), stock.shows(BETA, "CAP")) == (6, 2)


def test_pool_offers_every_shop_everything_sellable() -> None:
    stock = SharedStock(POOL)
    stock.stock("CAP", 6)

    stock.reconcile()

    assert (stock.shows(ALPHA, "CAP"), stock.shows(BETA, "CAP")) == (5, 5)


@pytest.mark.parametrize(
    ("sharing", "before", "after"), [(WarehouseSharing(), 2, (1, 1)), (POOL, 5, (2, 2))], ids=["split", "pool"]
)
def test_a_pending_order_in_one_shop_lowers_the_others_offer_at_the_next_sync(
    sharing: WarehouseSharing, before: int, after: tuple[int, int]
) -> None:
    stock = SharedStock(sharing)
    stock.stock("CAP", 6)
    stock.reconcile()
    stock.sync()  # its first cursor
    assert stock.shows(BETA, "CAP") == before

    stock.pending_order(ALPHA, "CAP", 3)
    stock.sync()

    assert stock.store.unposted_demand(ALPHA) == {("CAP", "WH1"): 3}
    # 6 units - 3 waiting for payment in alpha - a buffer of 1: 2 sellable, shared out (split) or offered to both
    assert (stock.shows(ALPHA, "CAP"), stock.shows(BETA, "CAP")) == after


def test_units_committed_in_one_shop_before_trueup_hears_of_the_order_count_in_the_other() -> None:
    stock = SharedStock(POOL)
    stock.stock("CAP", 6)
    stock.reconcile()

    assert stock.sell(ALPHA, "CAP", 4)  # Shopify took it; no webhook yet: only alpha's `committed` has it
    stock.reconcile()

    assert stock.shows(BETA, "CAP") == 1


def test_under_pool_shops_selling_at_once_oversell_and_under_split_they_cannot() -> None:
    pool, split = SharedStock(POOL), SharedStock()
    for stock in (pool, split):
        stock.stock("CAP", 6)
        stock.reconcile()
        while stock.sell(ALPHA, "CAP", 1) | stock.sell(BETA, "CAP", 1):  # both sell before any update
            pass

    assert pool.committed(ALPHA, "CAP") + pool.committed(BETA, "CAP") == 10  # 5 beyond the 5 sellable
    assert split.committed(ALPHA, "CAP") + split.committed(BETA, "CAP") == 5


def test_after_a_sale_the_other_shop_is_lowered_before_the_seller_is_raised() -> None:
    stock = SharedStock()
    stock.stock("CAP", 11)
    stock.reconcile()
    stock.sync()
    assert (stock.shows(ALPHA, "CAP"), stock.shows(BETA, "CAP")) == (5, 5)
    assert stock.sell(ALPHA, "CAP", 5)
    stock.erp.receive("CAP", "WH1", 0)  # nothing moved: the sync is told of the sale by `committed` alone
    stock.reconcile()

    assert (stock.shows(ALPHA, "CAP"), stock.shows(BETA, "CAP")) == (3, 2)  # 5 left: shared again
    batches = stock.shops[BETA].inventory.batches[-1:] + stock.shops[ALPHA].inventory.batches[-1:]
    (lowered,) = batches[0][1]
    (raised,) = batches[1][1]
    assert (lowered.expected, lowered.quantity, raised.expected, raised.quantity) == (5, 2, 0, 3)


def test_a_bundle_never_takes_a_component_below_its_buffer() -> None:
    """BEAN-RED 10 with a buffer of 3; a bundle of 1 BEAN-RED + 2 BEAN-GRY (30, buffer 2) with a buffer of 1."""
    kit = [KitComponent("BEAN-RED", Decimal(1), Decimal(0)), KitComponent("BEAN-GRY", Decimal(2), Decimal(0))]
    buffers = BufferRules(
        per_sku={"BEAN-RED": Buffer(Decimal(3)), "BEAN-GRY": Buffer(Decimal(2)), "KIT": Buffer(Decimal(1))}
    )
    stock = SharedStock(POOL, buffers, {"KIT": kit})
    stock.stock("BEAN-RED", 10)
    stock.stock("BEAN-GRY", 30)
    stock.stock("KIT", 0)

    stock.reconcile()

    assert stock.shows(ALPHA, "BEAN-RED") == 7
    assert stock.shows(ALPHA, "KIT") == 6  # min(10 - 3, (30 - 2) / 2) - 1, not min(10, 15) - 1 = 9
    assert stock.shows(BETA, "KIT") == 6


@settings(max_examples=80, deadline=None)
@given(
    units=st.integers(0, 12),
    weights=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    steps=st.lists(
        st.one_of(
            st.tuples(st.sampled_from([ALPHA, BETA]), st.integers(1, 3)),  # a sale in a shop
            st.sampled_from(["sync", "reconcile", "receipt"]),
        ),
        max_size=25,
    ),
)
def test_under_split_no_interleaving_of_sales_and_updates_sells_beyond_the_warehouse(
    units: int, weights: tuple[int, int], steps: list[object]
) -> None:
    sharing = WarehouseSharing(weights={ALPHA: Decimal(weights[0]), BETA: Decimal(weights[1])})
    stock = SharedStock(sharing)
    stock.stock("CAP", units)
    stock.reconcile()
    stock.sync()
    received = units
    for step in steps:
        if step == "sync":
            stock.sync()
        elif step == "reconcile":
            stock.reconcile()
        elif step == "receipt":
            stock.erp.receive("CAP", "WH1", 2)
            received += 2
        else:
            shop, quantity = step  # type: ignore[misc]
            stock.sell(shop, "CAP", quantity)
        sold = stock.committed(ALPHA, "CAP") + stock.committed(BETA, "CAP")
        offered = stock.shows(ALPHA, "CAP") + stock.shows(BETA, "CAP")
        assert sold + offered <= max(received - 1, 0), (step, sold, offered, received)


def test_a_sale_in_one_shop_while_its_offer_is_being_lowered_never_lets_the_other_be_raised_into_it() -> None:
    stock = SharedStock()
    stock.stock("CAP", 11)
    stock.reconcile()
    assert stock.sell(ALPHA, "CAP", 5)  # alpha sold its share: the next pass lowers beta and raises alpha
    beta, write_level = stock.shops[BETA], stock.shops[BETA].set_available
    exposed = []  # units sold or still offered, just after beta's customers bought

    def beta_sells_everything_first(writes, key):  # type: ignore[no-untyped-def]
        stock.sell(BETA, "CAP", stock.shows(BETA, "CAP"))  # its customers were quicker than the write
        sold = stock.committed(ALPHA, "CAP") + stock.committed(BETA, "CAP")
        exposed.append(sold + stock.shows(ALPHA, "CAP") + stock.shows(BETA, "CAP"))
        beta.set_available = write_level  # type: ignore[method-assign]
        return write_level(writes, key)

    beta.set_available = beta_sells_everything_first  # type: ignore[method-assign]
    stock.reconcile()

    assert exposed == [10]  # alpha had not been raised into what beta was selling
    assert stock.committed(ALPHA, "CAP") + stock.committed(BETA, "CAP") == 10
    assert stock.shows(ALPHA, "CAP") + stock.shows(BETA, "CAP") == 0
