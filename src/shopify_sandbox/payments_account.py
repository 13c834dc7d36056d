"""The shop's Shopify Payments account: found or opened with the defaults of its country, and changed by the
sandbox's settings endpoint (validated: a bad value is refused with the reason, nothing half-applied)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from shopify_sandbox.models.payouts import FeeSchedule, PaymentsAccount, PayoutSchedule
from shopify_sandbox.payout_calendar import WEEKDAYS
from shopify_sandbox.state import ShopState

# Shopify's published pay periods, in business days, by the account's country (others: three).
DELAY_BY_COUNTRY = {"US": 2, "AU": 2, "CA": 3, "GB": 3, "IE": 3, "DE": 3, "NL": 3, "ES": 3, "DK": 3, "NZ": 3}
DELAY_BY_COUNTRY |= {"FR": 3, "HK": 4, "IT": 4, "SG": 4, "SE": 4}
DEFAULT_DELAY = 3
INTERVALS = ("DAILY", "WEEKLY", "MONTHLY", "MANUAL")


class InvalidPaymentsSettings(ValueError):
    """A setting that does not exist, or a value it cannot take."""


def payments_account(state: ShopState) -> PaymentsAccount:
    """The shop's account, opened on first use with its country's pay period and the shop's currency."""
    found = state.all("ShopifyPaymentsAccount")
    if found:
        account: PaymentsAccount = found[0]
        return account
    locations = state.all("Location")
    primary = next((loc for loc in locations if loc.is_primary), locations[0] if locations else None)
    country = (primary.address.country_code if primary and primary.address else None) or "US"
    return state.add(
        PaymentsAccount(
            number=state.new_number("ShopifyPaymentsAccount"),
            country=country,
            default_currency=state.shop.currency_code,
            payout_currencies=[state.shop.currency_code],
            delay_business_days=DELAY_BY_COUNTRY.get(country, DEFAULT_DELAY),
            processed_through=state.now(),
        )
    )


def account_settings(account: PaymentsAccount) -> dict[str, Any]:
    """The settings as JSON (amounts as strings)."""
    return {
        "country": account.country,
        "defaultCurrency": account.default_currency,
        "payoutCurrencies": list(account.currencies),
        "schedule": {
            "interval": account.schedule.interval,
            "weeklyAnchor": account.schedule.weekly_anchor,
            "monthlyAnchor": account.schedule.monthly_anchor,
        },
        "delayBusinessDays": account.delay_business_days,
        "minimumPayout": str(account.minimum_payout),
        "fees": {
            key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in dataclasses.asdict(account.fees).items()
        },
        "captureFailureRate": account.capture_failure_rate,
        "captureFailureCode": account.capture_failure_code,
        "captureFailureSeed": account.capture_failure_seed,
    }


def configure(account: PaymentsAccount, changes: dict[str, Any]) -> None:
    """Apply `changes` (the keys of `account_settings`, all optional) or raise InvalidPaymentsSettings."""
    known = {
        "payoutCurrencies",
        "schedule",
        "delayBusinessDays",
        "minimumPayout",
        "fees",
        "captureFailureRate",
        "captureFailureCode",
        "captureFailureSeed",
    }
    unknown = sorted(set(changes) - known)
    if unknown:
        raise InvalidPaymentsSettings(f"unknown settings: {', '.join(unknown)}")
    currencies = _currencies(changes.get("payoutCurrencies"), account)
    schedule = _schedule(changes.get("schedule"), account.schedule)
    delay = _integer(changes.get("delayBusinessDays", account.delay_business_days), "delayBusinessDays", 0, 10)
    minimum = _amount(changes.get("minimumPayout", account.minimum_payout), "minimumPayout")
    fees = _fees(changes.get("fees"), account.fees)
    rate = changes.get("captureFailureRate", account.capture_failure_rate)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise InvalidPaymentsSettings("captureFailureRate must be a number between 0 and 1")
    code = changes.get("captureFailureCode", account.capture_failure_code)
    if not isinstance(code, str) or not code.isupper():
        raise InvalidPaymentsSettings("captureFailureCode must be an OrderTransactionErrorCode, e.g. CARD_DECLINED")
    seed = _integer(changes.get("captureFailureSeed", account.capture_failure_seed), "captureFailureSeed", 0, 2**31)
    account.payout_currencies, account.schedule, account.delay_business_days = currencies, schedule, delay
    account.minimum_payout, account.fees = minimum, fees
    account.capture_failure_rate, account.capture_failure_code = float(rate), code
    if seed != account.capture_failure_seed:
        account.capture_failure_seed, account.capture_attempts = seed, 0


def _currencies(value: Any, account: PaymentsAccount) -> list[str]:
    if value is None:
        return list(account.currencies)
    if not isinstance(value, list) or not value or not all(isinstance(c, str) and len(c) == 3 for c in value):
        raise InvalidPaymentsSettings("payoutCurrencies must be a list of ISO 4217 codes")
    currencies = [c.upper() for c in value]
    if currencies[0] != account.default_currency:
        raise InvalidPaymentsSettings(
            f"payoutCurrencies must start with the default currency {account.default_currency}"
        )
    return list(dict.fromkeys(currencies))


def _schedule(value: Any, current: PayoutSchedule) -> PayoutSchedule:
    if value is None:
        return current
    if not isinstance(value, dict) or value.get("interval") not in INTERVALS:
        raise InvalidPaymentsSettings(f"schedule.interval must be one of {', '.join(INTERVALS)}")
    weekly, monthly = value.get("weeklyAnchor"), value.get("monthlyAnchor")
    if value["interval"] == "WEEKLY" and weekly not in WEEKDAYS[:5]:
        raise InvalidPaymentsSettings("schedule.weeklyAnchor must be a weekday, MONDAY to FRIDAY")
    if value["interval"] == "MONTHLY":
        _integer(monthly, "schedule.monthlyAnchor", 1, 31)
    return PayoutSchedule(value["interval"], weekly if value["interval"] == "WEEKLY" else None, monthly)


def _fees(value: Any, current: FeeSchedule) -> FeeSchedule:
    if value is None:
        return current
    if not isinstance(value, dict):
        raise InvalidPaymentsSettings("fees must be an object")
    names = {f.name for f in dataclasses.fields(FeeSchedule)}
    unknown = sorted(set(value) - names)
    if unknown:
        raise InvalidPaymentsSettings(f"unknown fees: {', '.join(unknown)}")
    changes: dict[str, Any] = {}
    for name, item in value.items():
        if name == "chargeback_fee_refunded_when_won":
            if not isinstance(item, bool):
                raise InvalidPaymentsSettings(f"fees.{name} must be true or false")
            changes[name] = item
        else:
            changes[name] = _amount(item, f"fees.{name}")
    return dataclasses.replace(current, **changes)


def _amount(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise InvalidPaymentsSettings(f"{name} must be a decimal amount") from error
    if not amount.is_finite() or amount < 0:
        raise InvalidPaymentsSettings(f"{name} must be a decimal amount of at least 0")
    return amount


def _integer(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidPaymentsSettings(f"{name} must be a whole number from {low} to {high}")
    return value
