"""One generated order: who buys what, at which price, with which discount, shipping and taxes."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, replace
from decimal import Decimal

from shopify_sandbox.spec import CompanyLocationSpec, CompanySpec, CustomerSpec, ProductSpec, ShopSpec, VariantSpec
from shopify_sandbox.trading.order_money import (
    ZERO,
    DiscountCode,
    Money,
    OrderLine,
    OrderTotals,
    ShippingLine,
    cents,
    discount_shares,
    taxes_on,
    totals_of,
)
from shopify_sandbox.trading.places import PLACES_BY_CITY, Place
from shopify_sandbox.trading.stock_ledger import StockLedger


@dataclass(frozen=True)
class Buyer:
    """A consumer, or a company location buying through its contact."""

    customer: CustomerSpec | None
    company: CompanySpec | None = None
    company_location: CompanyLocationSpec | None = None

    @property
    def email(self) -> str:
        if self.company is not None:
            return self.company.contact_email
        assert self.customer is not None
        return self.customer.email

    @property
    def city(self) -> str:
        location = self.company_location or self.customer
        assert location is not None
        return location.city


@dataclass(frozen=True)
class PlannedOrder:
    position: int  # 0-based among the plan's orders; follow-ups refer to it
    shop_currency: str
    presentment_currency: str
    rate: Decimal  # presentment = shop × rate
    buyer: Buyer
    place: Place
    lines: tuple[OrderLine, ...]
    shipping: ShippingLine | None
    discount_code: DiscountCode | None
    financial_status: str  # OrderCreateFinancialStatus: PAID, AUTHORIZED or PENDING
    po_number: str | None = None

    @property
    def totals(self) -> OrderTotals:
        return totals_of(self.lines, self.shipping)

    @property
    def is_b2b(self) -> bool:
        return self.buyer.company is not None


@dataclass(frozen=True)
class _Sellable:
    product: ProductSpec
    variant: VariantSpec


class OrderFactory:
    """Draws orders for one shop from the plan's generator, keeping clear of exhausted stock."""

    def __init__(self, shop: ShopSpec, rng: random.Random, skus: Collection[str] | None = None) -> None:
        self.shop = shop
        self.rng = rng
        self.ledger = StockLedger(shop)
        self._all_sellables = [_Sellable(p, v) for p in shop.products for v in p.variants]
        # `skus`: a run whose demand falls on these SKUs only (fast sellers), the rest of the shop untouched.
        if skus is not None:
            unknown = sorted(set(skus) - {s.variant.sku for s in self._all_sellables})
            if unknown or not skus:
                raise ValueError(f"SKUs not in the shop's catalogue: {', '.join(unknown) or '(none given)'}")
        self._sellables = [s for s in self._all_sellables if skus is None or s.variant.sku in skus]
        self._bundle_components = {p.variants[0].sku: p.bundle_components for p in shop.products if p.bundle_components}

    def order(self, position: int) -> PlannedOrder:
        rng = self.rng
        b2b = bool(self.shop.companies) and rng.random() < 0.08
        buyer = self._company_buyer() if b2b else Buyer(rng.choice(self.shop.customers))
        place = PLACES_BY_CITY[buyer.city]
        currency, rate = self.shop.currency, Decimal(1)
        if not b2b and self.shop.presentment_rates and rng.random() < 0.15:
            currency = rng.choice(sorted(self.shop.presentment_rates))
            rate = self.shop.presentment_rates[currency]
        price_factor = 1 - buyer.company.catalog_discount_percent / 100 if buyer.company else Decimal(1)
        lines = self._lines(b2b, rate, price_factor)
        code = None if b2b else self._discount_code(lines)
        lines = self._discounted_and_taxed(lines, code, rate, place)
        shipping = self._shipping(lines, code, rate, place)
        status = "PENDING" if b2b else rng.choices(("PAID", "AUTHORIZED", "PENDING"), (80, 8, 12))[0]
        po_number = f"PO-{rng.randint(10000, 99999)}" if b2b else None
        return PlannedOrder(
            position, self.shop.currency, currency, rate, buyer, place, lines, shipping, code, status, po_number
        )

    def _company_buyer(self) -> Buyer:
        company = self.rng.choice(self.shop.companies)
        return Buyer(None, company, self.rng.choice(company.locations))

    def _lines(self, b2b: bool, rate: Decimal, price_factor: Decimal) -> tuple[OrderLine, ...]:
        rng = self.rng
        wanted = rng.choices((1, 2, 3, 4), (45, 30, 15, 10))[0]
        picked: list[tuple[_Sellable, int]] = []
        avoid: set[str] = set()  # one line per SKU, and no SKU both alone and inside a bundle
        for sellable in rng.sample(self._sellables, min(len(self._sellables), 12)):
            quantity = rng.randint(5, 24) if b2b else rng.choices((1, 2, 3), (70, 22, 8))[0]
            skus = self._skus_in(sellable.variant.sku)
            if skus & avoid or not self.ledger.take(sellable.variant.sku, quantity, self._bundle_components):
                continue
            avoid |= skus
            picked.append((sellable, quantity))
            if len(picked) == wanted:
                break
        if not picked:  # the shop is sold out of everything drawn: buy what is never out of stock
            picked = [
                (next(s for s in self._all_sellables if not s.variant.tracked and not s.product.bundle_components), 1)
            ]
        return tuple(self._line(sellable, quantity, rate, price_factor) for sellable, quantity in picked)

    def _skus_in(self, sku: str) -> set[str]:
        return {sku, *(c.sku for c in self._bundle_components.get(sku, ()))}

    @staticmethod
    def _line(sellable: _Sellable, quantity: int, rate: Decimal, price_factor: Decimal) -> OrderLine:
        unit_shop = cents(sellable.variant.price * price_factor)
        unit = Money(unit_shop, cents(unit_shop * rate))
        title = sellable.product.title
        bundle = bool(sellable.product.bundle_components)
        ships = sellable.variant.tracked or bundle
        return OrderLine(sellable.variant.sku, title, quantity, unit, sellable.variant.taxable, ships, bundle)

    def _discount_code(self, lines: tuple[OrderLine, ...]) -> DiscountCode | None:
        rng = self.rng
        roll = rng.random()
        items = sum((line.subtotal.shop for line in lines), Decimal(0))
        if roll < 0.12:
            code, percent = rng.choice((("WELCOME10", 10), ("VIP15", 15), ("FLASH20", 20)))
            return DiscountCode("percentage", code, Decimal(percent))
        if roll < 0.20 and items > 30:
            code, amount = rng.choice((("TAKE5", 5), ("SAVE10", 10)))
            return DiscountCode("fixed", code, Decimal(amount))
        if roll < 0.25:
            return DiscountCode("free_shipping", "FREESHIP")
        return None

    @staticmethod
    def _discounted_and_taxed(
        lines: tuple[OrderLine, ...], code: DiscountCode | None, rate: Decimal, place: Place
    ) -> tuple[OrderLine, ...]:
        shares = discount_shares(code, lines, rate)
        rates = [(tax.title, tax.rate) for tax in place.taxes]
        return tuple(
            replace(line, discount=share, taxes=taxes_on(line.subtotal - share, rates) if line.taxable else ())
            for line, share in zip(lines, shares, strict=True)
        )

    def _shipping(
        self, lines: tuple[OrderLine, ...], code: DiscountCode | None, rate: Decimal, place: Place
    ) -> ShippingLine | None:
        if not any(line.requires_shipping for line in lines):
            return None
        title, shop_price = self.rng.choice((("Standard Shipping", Decimal("6.95")), ("Express", Decimal("14.95"))))
        if title == "Standard Shipping" and sum((line.subtotal.shop for line in lines), Decimal(0)) >= 100:
            shop_price = Decimal("0.00")  # free standard shipping over $100
        price = Money(shop_price, cents(shop_price * rate))
        discount = price if code is not None and code.kind == "free_shipping" else ZERO
        rates = [(tax.title, tax.rate) for tax in place.taxes] if place.taxes_shipping else []
        code_name = title.upper().replace(" ", "_")
        return ShippingLine(title, code_name, price, discount, taxes_on(price - discount, rates))
