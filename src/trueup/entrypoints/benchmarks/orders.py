"""Synthetic paid orders for the benchmarks: a few lines each, VAT at 20 %, balanced to the cent."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from trueup.domain.money import Money
from trueup.domain.orders import Customer, FinancialStatus, OrderLine, ShopifyOrder
from trueup.domain.taxes import TaxLine

SKUS = [f"SKU-{n:03d}" for n in range(50)]


def synthetic_order(shop: str, number: int, rng: random.Random) -> ShopifyOrder:
    usd = lambda amount: Money(Decimal(amount), "USD")  # noqa: E731
    lines = []
    for index in range(rng.randint(1, 4)):
        quantity, price = rng.randint(1, 3), Decimal(rng.randint(500, 9000)) / 100
        net = price * quantity
        tax = (net * Decimal("0.2")).quantize(Decimal("0.01"))
        lines.append(
            OrderLine(
                f"L{number}-{index}",
                rng.choice(SKUS),
                "item",
                quantity,
                usd(price),
                usd("0"),
                (TaxLine("VAT", Decimal("0.2"), usd(tax)),),
            )
        )
    tax_total = sum((line.tax.amount for line in lines), Decimal(0))
    total = sum((line.net.amount for line in lines), Decimal(0)) + tax_total
    now = datetime.now(UTC)
    return ShopifyOrder(
        shop,
        f"gid://shopify/Order/{number}",
        f"#{number}",
        "USD",
        FinancialStatus.PAID,
        tuple(lines),
        (),
        usd(total),
        usd(tax_total),
        False,
        Customer(f"gid://shopify/Customer/{number % 97}", f"c{number % 97}@x.io", "A", "B"),
        None,
        None,
        now,
        now,
    )
