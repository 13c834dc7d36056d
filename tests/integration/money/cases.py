"""The money cases: Shopify orders as Shopify charged them, and exactly what the ERP must hold for each.

Shopify's figures follow its rules (discounts allocated per line, tax per line and per tax rounded half
up); the ERP's are what Tryton must show to the cent: its lines (a price that does not divide is split,
a tax Tryton rounds differently is carried as Shopify charged it on the invoice, per tax), untaxed, tax
and total.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tests.factories import a_customer, an_order
from trueup.domain.money import Money, total
from trueup.domain.orders import Customer, OrderLine, ShippingLine, ShopifyOrder
from trueup.domain.taxes import TaxLine

SHOP = "money-suite.myshopify.com"
# SKU → list price: the goods every case sells, and the one kit (cap + two pairs of socks).
GOODS = {"M-TEE": "10.00", "M-MUG": "7.00", "M-CAP": "15.00", "M-SOCK": "5.00", "M-PEN": "0.50", "M-BOOK": "3.17"}
KITS = {"M-GIFT": [("M-CAP", 1), ("M-SOCK", 2)]}
# Shopify tax line key → rate: the ERP taxes the cases need (VAT20 and VAT5.5 come with the demo business).
US_TAXES = {
    "Texas State Tax 6.25": Decimal("0.0625"),
    "Austin City Tax 1": Decimal("0.01"),
    "Austin MTA Transit 1": Decimal("0.01"),
}
TAX_MAPPING = {"VAT 20": "VAT20", "VAT 5.5": "VAT5.5", **{key: key for key in US_TAXES}}


@dataclass(frozen=True)
class MoneyCase:
    name: str
    order: ShopifyOrder
    untaxed: str  # the ERP sale's untaxed amount
    tax: str
    total: str  # always Shopify's total
    lines: tuple[tuple[str, int, str], ...]  # (product code, quantity, amount) of each ERP sale line, in order


def _money(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


def _taxes(currency: str, *taxes: tuple[str, str, str]) -> tuple[TaxLine, ...]:
    return tuple(TaxLine(title, Decimal(rate), _money(amount, currency)) for title, rate, amount in taxes)


def vat20(amount: str, currency: str = "EUR") -> tuple[TaxLine, ...]:
    return _taxes(currency, ("VAT", "0.2", amount))


def line(
    sku: str,
    quantity: int,
    price: str,
    discount: str = "0.00",
    taxes: tuple[TaxLine, ...] = (),
    currency: str = "EUR",
    group: str | None = None,
) -> OrderLine:
    return OrderLine(
        f"gid://shopify/LineItem/{sku}",
        sku,
        f"Item {sku}",
        quantity,
        _money(price, currency),
        _money(discount, currency),
        taxes,
        group_id=group,
    )


def shipping(
    price: str, discount: str = "0.00", taxes: tuple[TaxLine, ...] = (), currency: str = "EUR"
) -> ShippingLine:
    return ShippingLine("Standard", _money(price, currency), _money(discount, currency), taxes)


def order(
    number: int,
    lines: list[OrderLine],
    ships: list[ShippingLine] | None = None,
    currency: str = "EUR",
    included: bool = False,
    customer: Customer | None = None,
    **changes: object,
) -> ShopifyOrder:
    ships = ships or []
    tax = total([item.tax for item in lines] + [s.tax for s in ships], currency)
    draft = replace(
        an_order(lines=[], number=number),
        shop=SHOP,
        currency=currency,
        lines=tuple(lines),
        shipping=tuple(ships),
        total_tax=tax,
        taxes_included=included,
        customer=customer or a_customer(),
    )
    return replace(draft, total_price=draft.computed_total(), **changes)


GUEST = Customer(None, "guest.money@example.com", "Grace", "Guest")

CASES = [
    MoneyCase(
        # 5.00 off the order, allocated by Shopify over 30.00, 7.00 and 9.98: 3.19, 0.75, 1.06.
        "order_discount_with_awkward_remainders",
        order(
            1,
            [
                line("M-TEE", 3, "10.00", "3.19", vat20("5.36")),
                line("M-MUG", 1, "7.00", "0.75", vat20("1.25")),
                line("M-CAP", 2, "4.99", "1.06", vat20("1.78")),
            ],
        ),
        "41.98",
        "8.39",
        "50.37",
        (("M-TEE", 3, "26.81"), ("M-MUG", 1, "6.25"), ("M-CAP", 2, "8.92")),
    ),
    MoneyCase(
        # 100.00 for 300 pens is 0.3333… each: 299 at 0.3333 and one carrying the remainder.
        "units_that_do_not_divide_the_net_amount",
        order(2, [line("M-PEN", 300, "0.50", "50.00")]),
        "100.00",
        "0.00",
        "100.00",
        (("M-PEN", 299, "99.66"), ("M-PEN", 1, "0.34")),
    ),
    MoneyCase(
        # A US shop: state, city and transit tax on goods, state tax only on shipping.
        "several_tax_lines_per_line",
        order(
            3,
            [
                line(
                    "M-TEE",
                    2,
                    "24.99",
                    taxes=_taxes(
                        "USD",
                        ("Texas State Tax", "0.0625", "3.12"),
                        ("Austin City Tax", "0.01", "0.50"),
                        ("Austin MTA Transit", "0.01", "0.50"),
                    ),
                    currency="USD",
                ),
                line(
                    "M-MUG",
                    1,
                    "7.00",
                    taxes=_taxes(
                        "USD",
                        ("Texas State Tax", "0.0625", "0.44"),
                        ("Austin City Tax", "0.01", "0.07"),
                        ("Austin MTA Transit", "0.01", "0.07"),
                    ),
                    currency="USD",
                ),
            ],
            [shipping("5.00", taxes=_taxes("USD", ("Texas State Tax", "0.0625", "0.31")), currency="USD")],
            currency="USD",
        ),
        "61.98",
        "5.01",
        "66.99",
        (("M-TEE", 2, "49.98"), ("M-MUG", 1, "7.00"), ("SHIPPING", 1, "5.00")),
    ),
    MoneyCase(
        # Prices include tax; Shopify rounds 4.165 and 0.1652 up, Tryton half to even on the untaxed
        # amounts (4.164 and 0.165): the invoice carries Shopify's 4.17 and 0.17 all the same.
        "tax_inclusive_prices",
        order(
            4,
            [
                line("M-TEE", 1, "24.99", taxes=vat20("4.17")),
                line("M-BOOK", 1, "3.17", taxes=_taxes("EUR", ("VAT", "0.055", "0.17"))),
            ],
            included=True,
        ),
        "23.82",
        "4.34",
        "28.16",
        (("M-TEE", 1, "20.82"), ("M-BOOK", 1, "3.00")),
    ),
    MoneyCase(
        "discounted_shipping",
        order(5, [line("M-MUG", 2, "7.00", taxes=vat20("2.80"))], [shipping("6.90", "2.00", vat20("0.98"))]),
        "18.90",
        "3.78",
        "22.68",
        (("M-MUG", 2, "14.00"), ("SHIPPING", 1, "4.90")),
    ),
    MoneyCase(
        # Two gift sets (a kit in the ERP) with 7.77 off: spread 3:2 by list price (cap 15.00, socks 2 × 5.00).
        "single_sku_bundle_with_a_discount",
        order(6, [line("M-GIFT", 2, "25.00", "7.77", vat20("8.45"))]),
        "42.23",
        "8.45",
        "50.68",
        (("M-CAP", 2, "25.34"), ("M-SOCK", 4, "16.89")),
    ),
    MoneyCase(
        # Shopify's own bundle: the components are line items already, with Shopify's share of the price.
        "native_bundle_components",
        order(
            7,
            [
                line("M-CAP", 1, "11.99", "2.00", vat20("2.00"), group="gid://shopify/LineItemGroup/7"),
                line("M-SOCK", 2, "4.00", "1.33", vat20("1.33"), group="gid://shopify/LineItemGroup/7"),
            ],
        ),
        "16.66",
        "3.33",
        "19.99",
        (("M-CAP", 1, "9.99"), ("M-SOCK", 2, "6.67")),
    ),
    MoneyCase(
        "guest_order",
        order(
            8, [line("M-TEE", 1, "10.00", taxes=vat20("2.00"))], [shipping("4.90", taxes=vat20("0.98"))], customer=GUEST
        ),
        "14.90",
        "2.98",
        "17.88",
        (("M-TEE", 1, "10.00"), ("SHIPPING", 1, "4.90")),
    ),
    MoneyCase(
        # Paid in pounds, posted in the shop's euros.
        "multi_currency_order",
        order(
            9,
            [line("M-TEE", 2, "10.00", "1.00", vat20("3.80"))],
            presentment_currency="GBP",
            presentment_total=Money(Decimal("19.38"), "GBP"),
        ),
        "19.00",
        "3.80",
        "22.80",
        (("M-TEE", 2, "19.00"),),
    ),
]
