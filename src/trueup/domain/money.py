"""Money: an exact Decimal amount in an explicit currency, and allocation that never loses a cent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

# Minor-unit exponents that differ from 2 (ISO 4217); everything else has cents.
_EXPONENTS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: Decimal("0.01") for EUR, Decimal("1") for JPY."""
    return Decimal(1).scaleb(-_EXPONENTS.get(currency, 2))


@dataclass(frozen=True, order=True)
class Money:
    """An amount in one currency. Arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, not {type(self.amount).__name__}")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        return cls(Decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, factor: int | Decimal) -> Money:
        return Money(self.amount * factor, self.currency)

    def rounded(self) -> Money:
        """Rounded to the currency's minor unit, half to even (banker's rounding, as ERPs do)."""
        return Money(self.amount.quantize(minor_unit(self.currency), rounding=ROUND_HALF_EVEN), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"


def total(amounts: Sequence[Money], currency: str) -> Money:
    """The sum of `amounts`, all in `currency` (zero for none)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def allocate(amount: Money, weights: Sequence[Decimal | int]) -> list[Money]:
    """Split `amount` over `weights` in minor units; the parts always add up to `amount` exactly.

    Largest remainder: each part gets its rounded-down share, and the cents left over go one by one to
    the parts with the largest remainders (the earliest first on ties), so the split is deterministic.
    Zero weights get nothing unless every weight is zero, in which case the split is even.
    """
    if not weights:
        raise ValueError("cannot allocate over no weights")
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("allocation weights must not be negative")
    unit = minor_unit(amount.currency)
    units = int((amount.amount / unit).to_integral_value())
    if Decimal(units) * unit != amount.amount:
        raise ValueError(f"{amount.amount} is not a whole number of {amount.currency} minor units")
    total_weight = sum((Decimal(w) for w in weights), Decimal(0))
    shares = [Decimal(w) for w in weights] if total_weight else [Decimal(1)] * len(weights)
    total_weight = total_weight or Decimal(len(weights))
    sign = -1 if units < 0 else 1
    exact = [Decimal(abs(units)) * s / total_weight for s in shares]
    floors = [int(e) for e in exact]
    leftover = abs(units) - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Money(Decimal(sign * f) * unit, amount.currency) for f in floors]
