"""Single-SKU bundles defined in configuration: they complement the ERP's kits and override them per SKU."""

from decimal import Decimal

from tests.factories import a_line, an_order, eur
from tests.unit.engine.harness import Engine

from trueup.domain.bundles import KitComponent
from trueup.domain.ledger import OrderState
from trueup.domain.posting import PostingPolicy, order_reference

TAXES = {"VAT 20": "VAT20"}
CAP_AND_SOCKS = (KitComponent("CAP", Decimal(1), Decimal(0)), KitComponent("SOCK", Decimal(2), Decimal(0)))


def posted_lines(engine: Engine, bundle_line):  # type: ignore[no-untyped-def]
    order = engine.shopify.put_order(an_order([bundle_line]))
    engine.notify(order.order_id)
    engine.run_until_idle()
    entry = engine.entry(order.order_id)
    assert (entry.state, entry.erp_total) == (OrderState.POSTED, order.total_price)
    return [(line.sku, line.quantity, line.amount) for line in engine.erp.requests[order_reference(order)].lines]


def test_a_bundle_the_erp_does_not_know_as_a_kit_posts_as_its_configured_components_by_list_price():
    engine = Engine(policy=PostingPolicy(taxes=TAXES, bundles={"GIFT": CAP_AND_SOCKS}))
    engine.erp.add_products("GIFT", "CAP", "SOCK")
    engine.erp.prices.update({"CAP": Decimal("15.00"), "SOCK": Decimal("5.00")})  # 15.00 against 2 × 5.00

    lines = posted_lines(engine, a_line(sku="GIFT", price="20.00"))

    assert lines == [("CAP", 1, eur("12.00")), ("SOCK", 2, eur("8.00"))]


def test_explicit_weights_spread_the_bundle_without_asking_the_erp_for_prices():
    weighted = (
        KitComponent("CAP", Decimal(1), Decimal(0), weight=Decimal(1)),
        KitComponent("SOCK", Decimal(2), Decimal(0), weight=Decimal("1.5")),
    )
    engine = Engine(policy=PostingPolicy(taxes=TAXES, bundles={"GIFT": weighted}))
    engine.erp.add_products("GIFT", "CAP", "SOCK")

    lines = posted_lines(engine, a_line(sku="GIFT", price="10.01", tax="2.00"))

    assert lines == [("CAP", 1, eur("2.50")), ("SOCK", 2, eur("7.51"))]
    assert "list_prices" not in engine.erp.calls


def test_the_configuration_overrides_the_erps_kit_for_the_same_sku():
    engine = Engine(policy=PostingPolicy(taxes=TAXES, bundles={"GIFT": CAP_AND_SOCKS}))
    engine.erp.add_kit("GIFT", [KitComponent("MUG", Decimal(1), Decimal("9.00"))])
    engine.erp.add_products("CAP", "SOCK")
    engine.erp.prices.update({"CAP": Decimal("10.00"), "SOCK": Decimal("5.00")})

    lines = posted_lines(engine, a_line(sku="GIFT", price="30.00"))

    assert lines == [("CAP", 1, eur("15.00")), ("SOCK", 2, eur("15.00"))]


def test_the_erps_kits_still_serve_the_skus_the_configuration_does_not_name():
    engine = Engine(policy=PostingPolicy(taxes=TAXES, bundles={"GIFT": CAP_AND_SOCKS}))
    engine.erp.add_kit(
        "DUO", [KitComponent("MUG", Decimal(1), Decimal("9.00")), KitComponent("TEA", Decimal(1), Decimal("3.00"))]
    )

    lines = posted_lines(engine, a_line(sku="DUO", price="8.00"))

    assert lines == [("MUG", 1, eur("6.00")), ("TEA", 1, eur("2.00"))]
