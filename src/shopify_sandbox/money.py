"""Exact money: Decimal amounts in an explicit currency, rounded to the cent, totals kept by construction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value: object) -> Decimal:
    """An input amount (str, int, or a float from JSON) as an exact Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def round_cents(amount: Decimal) -> Decimal:
    """Rounded half-up to the cent, the way Shopify rounds shop money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal) -> str:
    """Two decimals, as a string ("10.00")."""
    return str(round_cents(amount))


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` (whole cents) across `weights` proportionally; the parts sum to `total` exactly.

    Largest remainder: every part gets its floor in cents, the leftover cents go to the largest
    fractional remainders (earliest first on ties), so no cent is created or lost.
    """
    if not weights:
        return []
    total_cents = int((total / CENT).to_integral_value())
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        weights, weight_sum = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [Decimal(total_cents) * w / weight_sum for w in weights]
    floors = [int(e.to_integral_value(rounding="ROUND_FLOOR")) for e in exact]
    leftover = total_cents - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return [Decimal(c) * CENT for c in floors]


@dataclass(frozen=True)
class MoneyV2:
    amount: Decimal
    currency_code: str

    typename = "MoneyV2"


@dataclass(frozen=True)
class MoneyBag:
    """An amount in the shop's currency and in the currency the buyer saw (presentment)."""

    shop_money: MoneyV2
    presentment_money: MoneyV2

    typename = "MoneyBag"

    @property
    def shop(self) -> Decimal:
        return self.shop_money.amount

    @property
    def presentment(self) -> Decimal:
        return self.presentment_money.amount

    def __add__(self, other: MoneyBag) -> MoneyBag:
        return MoneyBag(
            MoneyV2(self.shop + other.shop, self.shop_money.currency_code),
            MoneyV2(self.presentment + other.presentment, self.presentment_money.currency_code),
        )

    def __sub__(self, other: MoneyBag) -> MoneyBag:
        return self + other.negated()

    def negated(self) -> MoneyBag:
        return MoneyBag(
            MoneyV2(-self.shop, self.shop_money.currency_code),
            MoneyV2(-self.presentment, self.presentment_money.currency_code),
        )

    def times(self, quantity: int) -> MoneyBag:
        return MoneyBag(
            MoneyV2(self.shop * quantity, self.shop_money.currency_code),
            MoneyV2(self.presentment * quantity, self.presentment_money.currency_code),
        )


@dataclass(frozen=True)
class Currencies:
    """The shop currency, the presentment currency and the fixed rate between them (presentment = shop × rate)."""

    shop: str
    presentment: str
    rate: Decimal = Decimal(1)

    def bag(self, shop_amount: Decimal, presentment_amount: Decimal | None = None) -> MoneyBag:
        """A bag from a shop amount; the presentment amount converted at the rate unless given."""
        if presentment_amount is None:
            presentment_amount = round_cents(shop_amount * self.rate)
        return MoneyBag(
            MoneyV2(round_cents(shop_amount), self.shop), MoneyV2(round_cents(presentment_amount), self.presentment)
        )

    def zero(self) -> MoneyBag:
        return self.bag(ZERO, ZERO)

    def total(self, bags: Sequence[MoneyBag]) -> MoneyBag:
        """The sum of `bags`, currency by currency (never re-converted, so totals balance in both)."""
        result = self.zero()
        for bag in bags:
            result = result + bag
        return result
