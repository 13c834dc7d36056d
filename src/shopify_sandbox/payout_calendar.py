"""Business days and payout days: when a transaction can be paid out, and when a payout run happens.

Shopify counts days in UTC; business days are Monday to Friday except, for an account in the United States,
federal holidays (the sandbox knows no other country's holidays). A charge is paid out `delay` business days
after the day it was taken, so with the US delay of two, Friday's, Saturday's and Sunday's charges are all paid
out on Tuesday: Shopify's "Friday to Sunday grouped". The holiday rules are the law's (5 U.S.C. 6103, a
Saturday holiday observed on Friday, a Sunday one on Monday), written here rather than taken from the
`holidays` package, which requires a python-dateutil older than the one Tryton's lock holds.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

from shopify_sandbox.models.payouts import PayoutSchedule

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 for the last) `weekday` (0 = Monday) of the month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def us_federal_holidays(year: int) -> frozenset[date]:
    """The days US federal holidays are observed in `year`."""
    fixed = [date(year, 1, 1), date(year, 6, 19), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25)]
    floating = [
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
    ]
    observed = {_observed(day) for day in fixed} | set(floating)
    # New Year's Day of the next year falling on a Saturday is observed on this year's December 31.
    if date(year + 1, 1, 1).weekday() == 5:
        observed.add(date(year, 12, 31))
    return frozenset(observed)


def is_business_day(day: date, country: str) -> bool:
    if day.weekday() >= 5:
        return False
    return not (country == "US" and day in us_federal_holidays(day.year))


def add_business_days(day: date, count: int, country: str) -> date:
    """The `count`-th business day after `day` (`day` itself when count is 0 and it is a business day)."""
    current = day
    if count == 0:
        while not is_business_day(current, country):
            current += timedelta(days=1)
        return current
    added = 0
    while added < count:
        current += timedelta(days=1)
        if is_business_day(current, country):
            added += 1
    return current


def next_business_day(day: date, country: str) -> date:
    return add_business_days(day, 1, country)


def is_payout_day(day: date, schedule: PayoutSchedule, country: str) -> bool:
    """Whether a scheduled payout run happens on `day` (never on a weekend or holiday: a weekly or monthly
    anchor that falls on one moves to the next business day)."""
    if schedule.interval == "MANUAL" or not is_business_day(day, country):
        return False
    if schedule.interval == "DAILY":
        return True
    previous = day - timedelta(days=1)
    while not is_business_day(previous, country):  # the anchor may have fallen on the days just before
        if _is_anchor(previous, schedule):
            return True
        previous -= timedelta(days=1)
    return _is_anchor(day, schedule)


def _is_anchor(day: date, schedule: PayoutSchedule) -> bool:
    if schedule.interval == "WEEKLY":
        return WEEKDAYS[day.weekday()] == (schedule.weekly_anchor or "MONDAY")
    anchor = schedule.monthly_anchor or 1
    return day.day == min(anchor, calendar.monthrange(day.year, day.month)[1])
