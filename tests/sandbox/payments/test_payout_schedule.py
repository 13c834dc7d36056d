"""When Shopify pays out: business days in UTC, the account's delay, Friday to Sunday grouped, holidays, schedules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shopify_sandbox.models.payouts import PayoutSchedule
from shopify_sandbox.payout_calendar import add_business_days, is_payout_day, us_federal_holidays
from tests.sandbox.payments.factories import MONDAY, at, buy, of_payout, payouts, us_sandbox

DAY = timedelta(days=1)


def _issued_dates(client):
    return [(p["issuedAt"][:10], p["status"], p["net"]["amount"]) for p in payouts(client)]


def test_a_monday_charge_is_paid_out_two_business_days_later_and_paid_the_day_after():
    client, _ = us_sandbox()
    buy(client, "100.00")  # fee 1.5% + 0.25 = 1.75
    at(client, MONDAY + DAY)
    assert payouts(client) == []
    at(client, MONDAY + 2 * DAY)
    assert _issued_dates(client) == [("2026-11-04", "SCHEDULED", "98.25")]
    at(client, MONDAY + 3 * DAY)
    assert _issued_dates(client) == [("2026-11-04", "PAID", "98.25")]


def test_friday_to_sunday_charges_are_grouped_into_tuesdays_payout():
    client, _ = us_sandbox()
    at(client, MONDAY + 3 * DAY)  # Thursday
    buy(client, "10.00")
    for day in (4, 5, 6):  # Friday, Saturday, Sunday
        at(client, MONDAY + day * DAY)
        buy(client, "20.00")
    at(client, MONDAY + 9 * DAY)  # Wednesday of the week after
    made = payouts(client)
    assert [(p["issuedAt"][:10], p["net"]["amount"]) for p in made] == [("2026-11-09", "9.60"), ("2026-11-10", "58.35")]
    assert len(of_payout(client, made[1])) == 3


def test_a_federal_holiday_is_not_a_business_day():
    client, _ = us_sandbox()
    at(client, MONDAY + 7 * DAY)  # Monday 9th; Veterans Day is Wednesday 11th
    buy(client, "10.00")
    at(client, MONDAY + 12 * DAY)
    assert [p["issuedAt"][:10] for p in payouts(client)] == ["2026-11-12"]


def test_the_delay_is_the_accounts_setting():
    client, _ = us_sandbox(delayBusinessDays=3)
    buy(client, "10.00")
    at(client, MONDAY + 4 * DAY)
    assert [p["issuedAt"][:10] for p in payouts(client)] == ["2026-11-05"]


def test_a_weekly_schedule_pays_out_once_a_week_on_its_anchor():
    client, _ = us_sandbox(schedule={"interval": "WEEKLY", "weeklyAnchor": "FRIDAY"})
    for day in range(5):
        at(client, MONDAY + day * DAY)
        buy(client, "10.00")
    at(client, MONDAY + 14 * DAY)
    made = payouts(client)
    # Friday 6th pays what was available by then (Monday to Wednesday), Friday 13th the rest.
    assert [(p["issuedAt"][:10], p["net"]["amount"]) for p in made] == [
        ("2026-11-06", "28.80"),
        ("2026-11-13", "19.20"),
    ]


def test_a_monthly_anchor_past_the_months_end_pays_on_its_last_day_or_the_next_business_day():
    schedule = PayoutSchedule("MONTHLY", monthly_anchor=31)
    assert is_payout_day(date(2026, 11, 30), schedule, "US")  # November has 30 days; the 30th is a Monday
    assert not is_payout_day(date(2026, 10, 31), schedule, "US")  # a Saturday
    assert is_payout_day(date(2026, 11, 2), schedule, "US")  # the first business day after it


def test_a_manual_schedule_never_pays_out_by_itself():
    client, _ = us_sandbox(schedule={"interval": "MANUAL"})
    buy(client, "10.00")
    at(client, MONDAY + 10 * DAY)
    assert payouts(client) == []
    made = client.post("/sandbox/payments/payouts/run", json={}).json()["payouts"]
    assert [p["net"] for p in made] == ["9.60"]


def test_a_payout_under_the_minimum_waits_for_more():
    client, _ = us_sandbox(minimumPayout="5.00")
    buy(client, "3.00")  # fee 0.045 + 0.25 = 0.295, rounded half-up to 0.30: net 2.70
    at(client, MONDAY + 2 * DAY)
    assert payouts(client) == []
    buy(client, "3.00")
    at(client, MONDAY + 4 * DAY)
    assert [p["net"]["amount"] for p in payouts(client)] == ["5.40"]


@pytest.mark.parametrize(
    ("year", "observed"),
    [
        (2026, {date(2026, 1, 1), date(2026, 1, 19), date(2026, 7, 3), date(2026, 11, 26), date(2026, 12, 25)}),
        (2027, {date(2027, 6, 18), date(2027, 7, 5), date(2027, 12, 24), date(2027, 12, 31)}),
    ],
)
def test_us_federal_holidays_are_observed_on_the_nearest_weekday(year, observed):
    assert observed <= us_federal_holidays(year)
    assert len(us_federal_holidays(year)) in (11, 12)


def test_business_days_skip_weekends_and_holidays():
    assert add_business_days(date(2026, 11, 25), 2, "US") == date(2026, 11, 30)  # over Thanksgiving
    assert add_business_days(date(2026, 11, 25), 2, "FR") == date(2026, 11, 27)
    assert add_business_days(date(2026, 11, 28), 0, "US") == date(2026, 11, 30)
