"""How many orders arrive each minute: an ordinary day, or a Black Friday peak.

Arrival times are drawn as a Poisson process whose rate follows the profile's curve (by thinning),
from the plan's seeded generator, so the same seed gives the same instants.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

PROFILES = ("ordinary", "black_friday")


def _ordinary(minute: float) -> float:
    # About two orders a minute, swelling and ebbing over a four-hour cycle.
    return 2.0 * (1 + 0.5 * math.sin(2 * math.pi * minute / 240))


def _black_friday(minute: float) -> float:
    # Traffic builds for five minutes, the doors open at a peak of 150 orders a minute,
    # and the rush decays towards a busy floor of 40 a minute.
    if minute < 5:
        return 10 + 28 * minute
    return 40 + 110 * math.exp(-(minute - 5) / 25)


_CURVES: dict[str, tuple[Callable[[float], float], float]] = {
    "ordinary": (_ordinary, 3.0),
    "black_friday": (_black_friday, 150.0),
}


def orders_per_minute(profile: str, minute: float) -> float:
    """The profile's rate at `minute` after trading starts."""
    return _curve(profile)[0](minute)


def _curve(profile: str) -> tuple[Callable[[float], float], float]:
    try:
        return _CURVES[profile]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}") from None


def arrival_seconds(
    rng: random.Random, profile: str, *, orders: int | None = None, minutes: float | None = None
) -> list[float]:
    """Seconds after the start at which orders arrive: `orders` of them, or all within `minutes`."""
    if (orders is None) == (minutes is None):
        raise ValueError("give either a number of orders or a number of minutes")
    rate, peak = _curve(profile)
    arrivals: list[float] = []
    now = 0.0
    while True:
        now += rng.expovariate(peak / 60)
        if minutes is not None and now > minutes * 60:
            return arrivals
        if rng.random() < rate(now / 60) / peak:
            arrivals.append(round(now, 3))
            if orders is not None and len(arrivals) == orders:
                return arrivals
