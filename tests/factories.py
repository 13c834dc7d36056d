"""Factories for trueup's domain objects in tests: sensible defaults, override what the test is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from trueup.domain.money import Money
from trueup.domain.orders import Customer, FinancialStatus, OrderLine, ShippingLine, ShopifyOrder
from trueup.domain.taxes import TaxLine

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
SHOP = "demo.myshopify.com"


def eur(amount: str | Decimal) -> Money:
    return Money(Decimal(amount), "EUR")


def vat(amount: str, rate: str = "0.2", title: str = "VAT") -> tuple[TaxLine, ...]:
    return (TaxLine(title, Decimal(rate), eur(amount)),)


def a_line(sku="TEE-M", quantity=1, price="10.00", discount="0.00", tax="0.00", line_id="1") -> OrderLine:
    taxes = vat(tax) if Decimal(tax) else ()
    return OrderLine(
        f"gid://shopify/LineItem/{line_id}", sku, f"Item {sku}", quantity, eur(price), eur(discount), taxes
    )


def a_shipping(price="5.00", discount="0.00", tax="0.00") -> ShippingLine:
    return ShippingLine("Standard", eur(price), eur(discount), vat(tax) if Decimal(tax) else ())


def a_customer(number: int = 1, email: str = "ada@example.com") -> Customer:
    return Customer(f"gid://shopify/Customer/{number}", email, "Ada", "Lovelace")


def an_order(
    lines=None,
    shipping=(),
    total=None,
    included=False,
    status=FinancialStatus.PAID,
    number: int = 1001,
    **changes,
) -> ShopifyOrder:
    lines = tuple(lines if lines is not None else [a_line()])
    tax_total = sum((line.tax for line in lines), eur("0")) + sum((s.tax for s in shipping), eur("0"))
    order = ShopifyOrder(
        shop=SHOP,
        order_id=f"gid://shopify/Order/{number}",
        name=f"#{number}",
        currency="EUR",
        financial_status=status,
        lines=lines,
        shipping=tuple(shipping),
        total_price=eur("0"),
        total_tax=tax_total,
        taxes_included=included,
        customer=a_customer(),
        shipping_address=None,
        billing_address=None,
        created_at=NOW,
        updated_at=NOW,
    )
    order = replace(order, total_price=eur(total) if total is not None else order.computed_total())
    return replace(order, **changes)
