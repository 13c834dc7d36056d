"""Each money case posts to the real Tryton and must land there to the cent (see cases.py).

The path is the engine's: the kits among the order's SKUs are read from Tryton, the sales order is built
from the Shopify order, TrytonBackOffice creates and confirms it, and the sale read back is compared with
the case's expected lines and totals, and with Shopify's total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.contract.back_office_harness import tryton_invoice_taxes
from tests.integration.money.cases import CASES, GOODS, KITS, TAX_MAPPING, US_TAXES, MoneyCase, vat20
from tests.integration.money.cases import line as case_line
from tests.integration.money.cases import order as case_order
from tests.integration.money.tryton_sales import sale_lines
from tests.support.tryton import catalogue_item, connect, seed_catalogue
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.bundles import KitComponent
from trueup.domain.money import Money
from trueup.domain.orders import ShopifyOrder
from trueup.domain.posting import PostingPolicy, build_sales_order, check_posted_totals
from trueup.domain.sales import PostedSale
from trueup.local_stack.demo_taxes import ensure_taxes
from trueup.local_stack.embedded_tryton import TrytonServer
from trueup.service_layer.bundles import bundles_among

pytestmark = pytest.mark.tryton

POLICY = PostingPolicy(taxes=TAX_MAPPING, warehouse="WH1")


@pytest.fixture(scope="module")
def client(tryton_server: TrytonServer) -> Iterator[TrytonClient]:
    """A client on a Tryton holding the cases' goods, kit and taxes."""
    with connect(tryton_server) as client:
        goods = [catalogue_item(sku, price) for sku, price in GOODS.items()]
        kits = [catalogue_item(sku, "25.00", components=parts) for sku, parts in KITS.items()]
        seed_catalogue(client, goods + kits)
        ensure_taxes(client, US_TAXES.items())
        yield client


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_erp_holds_exactly_what_shopify_charged(client: TrytonClient, case: MoneyCase) -> None:
    back_office = TrytonBackOffice(client)
    order = case.order
    kits = back_office.kit_components({line.sku for line in order.lines})

    request = build_sales_order(order, POLICY, kits)
    sale = back_office.create_sales_order(request)

    currency = order.currency
    assert order.total_price == Money(Decimal(case.total), currency), "the case itself must add up"
    assert (sale.untaxed, sale.tax, sale.total) == (
        Money(Decimal(case.untaxed), currency),
        Money(Decimal(case.tax), currency),
        Money(Decimal(case.total), currency),
    )
    assert sale_lines(client, int(sale.erp_id)) == [(sku, Decimal(q), Decimal(amount)) for sku, q, amount in case.lines]
    check_posted_totals(order, sale)
    shopify_per_tax = {code: amount for code, amount in request.expected_taxes if not amount.is_zero()}
    assert tryton_invoice_taxes(client, request.reference) == shopify_per_tax  # per rate, to the cent


def test_a_bundle_defined_in_configuration_posts_as_its_components_spread_by_trytons_list_prices(
    client: TrytonClient,
) -> None:
    # Not a kit in Tryton: a mug (7.00) and two pens (0.50), weighed 7:1; the odd cent goes to the mug.
    duo = (KitComponent("M-MUG", Decimal(1), Decimal(0)), KitComponent("M-PEN", Decimal(2), Decimal(0)))
    policy = replace(POLICY, bundles={"M-DUO": duo})
    order = case_order(901, [case_line("M-DUO", 1, "16.01", taxes=vat20("3.20"))])
    back_office = TrytonBackOffice(client)

    kits = bundles_among(back_office, policy.bundles, {"M-DUO"})
    sale = back_office.create_sales_order(build_sales_order(order, policy, kits))

    assert sale_lines(client, int(sale.erp_id)) == [
        ("M-MUG", Decimal(1), Decimal("14.01")),
        ("M-PEN", Decimal(2), Decimal("2.00")),
    ]
    assert sale.total == order.total_price == Money(Decimal("19.21"), "EUR")


def renumbered(order: ShopifyOrder, number: int) -> ShopifyOrder:
    return replace(order, order_id=f"gid://shopify/Order/{number}", name=f"#{number}")


def erp_document(client: TrytonClient, sale_id: int) -> dict[str, object]:
    """What a sale holds in Tryton, but for what names its Shopify order (reference, description, number)."""
    (sale,) = client.call(
        "sale.sale",
        "read",
        [sale_id],
        [
            "state",
            "currency",
            "party",
            "invoice_address",
            "shipment_address",
            "comment",
            "untaxed_amount",
            "tax_amount",
            "total_amount",
            "invoice_state",
        ],
    )
    lines = client.call(
        "sale.line",
        "search_read",
        [("sale", "=", sale_id)],
        0,
        None,
        [("sequence", "ASC"), ("id", "ASC")],
        ["type", "product.code", "description", "quantity", "unit_price", "amount", "taxes"],
    )
    taxes = {tax["id"]: tax["name"] for tax in client.call("account.tax", "search_read", [], 0, None, None, ["name"])}
    del sale["id"]
    return {
        "sale": sale,
        "lines": [
            (
                row["type"],
                (row.get("product.") or {}).get("code"),
                row["description"],
                Decimal(str(row["quantity"])),
                row["unit_price"],
                row["amount"],
                sorted(taxes[t] for t in row["taxes"]),
            )
            for row in lines
        ],
    }


def test_batched_and_single_posting_give_identical_erp_documents(client: TrytonClient) -> None:
    back_office = TrytonBackOffice(client)
    requests = []
    for n, case in enumerate(CASES):
        kits = back_office.kit_components({line.sku for line in case.order.lines})
        requests.append((n, case, kits))
    single = [
        back_office.create_sales_order(build_sales_order(renumbered(case.order, 7000 + n), POLICY, kits))
        for n, case, kits in requests
    ]

    batched = back_office.create_sales_orders(
        [build_sales_order(renumbered(case.order, 8000 + n), POLICY, kits) for n, case, kits in requests]
    )

    assert [type(sale).__name__ for sale in batched] == ["PostedSale"] * len(CASES)
    for case, one, many in zip(CASES, single, batched, strict=True):
        assert isinstance(many, PostedSale)
        assert (many.untaxed, many.tax, many.total) == (one.untaxed, one.tax, one.total), case.name
        assert many.total == Money(Decimal(case.total), case.order.currency), case.name
        assert erp_document(client, int(many.erp_id)) == erp_document(client, int(one.erp_id)), case.name
    for n, case, _ in requests:  # Shopify's tax per rate on each invoice, in the batch as alone
        alone = tryton_invoice_taxes(client, build_sales_order(renumbered(case.order, 7000 + n), POLICY).reference)
        together = tryton_invoice_taxes(client, build_sales_order(renumbered(case.order, 8000 + n), POLICY).reference)
        assert together == alone, case.name
