"""Alerts in the domain: a notice once per firing and once per recovery, and silence judged against what is
usual for the hour of the week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trueup.domain.alerts import AlertState, Condition, Rule, learn_quiet, notice_line, silence, transitions

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _known(*states: AlertState) -> dict[tuple[str, str], AlertState]:
    return {(s.rule, s.subject): s for s in states}


def test_a_new_firing_is_a_change_and_the_same_firing_again_is_not() -> None:
    fired = transitions({}, [Condition(Rule.SILENCE, "a", True, "quiet")], MONDAY_9)
    assert [(s.rule, s.firing, s.pending) for s in fired] == [(Rule.SILENCE, True, True)]

    sent = AlertState(Rule.SILENCE, "a", True, MONDAY_9, MONDAY_9, "quiet")
    assert transitions(_known(sent), [Condition(Rule.SILENCE, "a", True, "quieter")], MONDAY_9) == []
    recovered = transitions(
        _known(sent), [Condition(Rule.SILENCE, "a", False, "back")], MONDAY_9 + timedelta(minutes=1)
    )
    assert [(s.firing, s.pending, s.notified_at) for s in recovered] == [(False, True, MONDAY_9)]
    assert notice_line(recovered[0]) == "RECOVERED silence a: back"


def test_a_condition_never_seen_firing_is_not_recorded() -> None:
    assert transitions({}, [Condition(Rule.SILENCE, "a", False, "fine")], MONDAY_9) == []


def _trading(days: list[datetime], every_minutes: int, until_hour: int) -> list[datetime]:
    minutes = []
    for day in days:
        at = day
        while at.hour < until_hour:
            minutes.append(at)
            at += timedelta(minutes=every_minutes)
    return minutes


def test_silence_fires_only_when_longer_than_usual_for_that_hour_of_the_week() -> None:
    mondays = [MONDAY_9 + timedelta(weeks=w) for w in range(3)]
    profile = learn_quiet(_trading(mondays, every_minutes=4, until_hour=12))
    monday = MONDAY_9 + timedelta(weeks=3, hours=1)  # 10:00, a trading hour

    assert silence(profile, monday, monday + timedelta(minutes=5), 1.5, 3, 3)[0] is False  # usual: 4 × 1.5 = 6 min
    firing, detail = silence(profile, monday, monday + timedelta(minutes=7), 1.5, 3, 3)
    assert firing
    assert detail == "no webhooks for 7 min (usual at most 6 min at this hour of the week)"
    sunday_night = MONDAY_9 + timedelta(days=6, hours=-6)  # the shop never trades then
    assert silence(profile, sunday_night, sunday_night + timedelta(hours=5), 1.5, 3, 3)[0] is False


def test_the_night_after_closing_does_not_teach_that_any_silence_is_usual() -> None:
    mondays = [MONDAY_9 + timedelta(weeks=w) for w in range(3)]
    profile = learn_quiet(_trading(mondays, every_minutes=2, until_hour=10))  # each Monday 9:00–9:58, then a week

    nine = MONDAY_9 + timedelta(weeks=3, minutes=30)
    assert silence(profile, nine, nine + timedelta(minutes=11), 1.5, 10, 3)[0] is True
