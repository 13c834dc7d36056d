"""Alerts: conditions that fire and recover, notices deduplicated by (rule, subject), and silence judged
against what is usual for this hour of the week, learned from the shop's own history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise


class Rule(StrEnum):
    EXCEPTION_CAUSE = "exception_cause"  # a cause has parked orders (new cause: fires; none left: recovers)
    EXCEPTION_SPIKE = "exception_spike"  # many orders parked within a few minutes
    ORDER_STUCK = "order_stuck"  # an order received and not moved on for too long
    BACKLOG_GROWING = "backlog_growing"  # the queue grew at every check for a while
    ERP_UNREACHABLE = "erp_unreachable"
    SHOPIFY_UNREACHABLE = "shopify_unreachable"
    THROTTLED = "throttled"  # Shopify kept throttling
    STOCK_DRIFT = "stock_drift"  # a level drifted by more than the threshold
    SILENCE = "silence"  # no webhooks for longer than usual at this hour of the week
    FINDINGS = "findings"  # another reconciliation (payouts, completeness) has findings


@dataclass(frozen=True)
class Condition:
    """What a check sees now: a rule firing or not for a subject (a shop, "shop|cause", "all")."""

    rule: Rule
    subject: str
    firing: bool
    detail: str = ""


@dataclass(frozen=True)
class AlertState:
    """The last known state of (rule, subject) and whether a notice of it went out."""

    rule: str
    subject: str
    firing: bool
    since: datetime
    notified_at: datetime | None
    detail: str

    @property
    def pending(self) -> bool:
        """A change not yet notified (a firing, or a recovery)."""
        return self.notified_at is None or self.notified_at < self.since


def transitions(
    known: Mapping[tuple[str, str], AlertState], now_seen: Iterable[Condition], at: datetime
) -> list[AlertState]:
    """The states that change: a condition firing that was not (or was unknown), one recovering; conditions
    that stay as they were make no new notice (a pending one only takes the latest detail). A known firing
    state absent from `now_seen` is left as it is: the check that sees it did not run."""
    changed = []
    for condition in now_seen:
        state = known.get((condition.rule, condition.subject))
        was_firing = state is not None and state.firing
        if condition.firing != was_firing and (condition.firing or state is not None):
            notified = state.notified_at if state else None
            changed.append(
                AlertState(condition.rule, condition.subject, condition.firing, at, notified, condition.detail)
            )
        elif state is not None and state.pending and state.detail != condition.detail:
            changed.append(replace(state, detail=condition.detail))  # its notice, still to go, says how it is now
    return changed


def notice_line(state: AlertState) -> str:
    """One line of a digest: "FIRING silence alpha.myshopify.com: no webhooks for 42 min (usual at most 12)"."""
    head = "FIRING" if state.firing else "RECOVERED"
    return f"{head} {state.rule} {state.subject}: {state.detail}".rstrip(": ")


# --- silence ---------------------------------------------------------------------------------------------
HOUR_OF_WEEK = 7 * 24


def hour_of_week(at: datetime) -> int:
    return at.weekday() * 24 + at.hour


@dataclass(frozen=True)
class QuietProfile:
    """The usual quiet spell (the 95th percentile of the gaps between webhooks) starting in each hour of the
    week, in minutes, over the history learned. A percentile, not the longest: the night after the last order
    of the day must not teach that any silence is usual at that hour."""

    usual_gap: dict[int, float]  # hour of week → minutes
    active_minutes: dict[int, int]  # hour of week → minutes with at least one webhook

    def usual_quiet(self, at: datetime, factor: float, floor_minutes: float, min_active: int) -> float | None:
        """How long a silence starting at `at` may last before it is unusual (minutes); None when the shop is
        usually quiet at this hour of the week (too few active minutes to learn from)."""
        slot = hour_of_week(at)
        if self.active_minutes.get(slot, 0) < min_active:
            return None
        return max(floor_minutes, self.usual_gap.get(slot, 0.0) * factor)


def learn_quiet(active: Iterable[datetime]) -> QuietProfile:
    """Learn from the minutes that had webhooks (each a minute's start): each gap between two active minutes
    counts for the hour of the week it started in. The spell still running (after the last one) is not learned."""
    minutes = sorted(set(active))
    gaps: dict[int, list[float]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for before, after in pairwise(minutes):
        gaps[hour_of_week(before)].append((after - before) / timedelta(minutes=1))
    for minute in minutes:
        counts[hour_of_week(minute)] += 1
    return QuietProfile({slot: _p95(spells) for slot, spells in gaps.items()}, dict(counts))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def silence(
    profile: QuietProfile, last: datetime | None, now: datetime, factor: float, floor_minutes: float, min_active: int
) -> tuple[bool, str]:
    """Whether the silence since `last` is longer than usual for the hour of the week it started in."""
    if last is None:
        return False, "no webhook received yet"
    quiet = (now - last) / timedelta(minutes=1)
    usual = profile.usual_quiet(last, factor, floor_minutes, min_active)
    if usual is None:
        return False, f"quiet for {quiet:.0f} min, as usual at this hour"
    return quiet > usual, f"no webhooks for {quiet:.0f} min (usual at most {usual:.0f} min at this hour of the week)"
