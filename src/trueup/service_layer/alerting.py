"""Alerts: each check looks at the store, sees which conditions fire, records what changed (so a notice goes
out once per firing and once per recovery), and sends what is pending as one digest per notifier once the
oldest pending notice has waited the digest window (a burst of 100 exceptions is one e-mail).

Notices are pending in the store until sent: a notifier that cannot deliver now is tried at the next check,
and a restart loses none."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise

import structlog

from trueup.domain.alerts import (
    AlertState,
    Condition,
    QuietProfile,
    Rule,
    learn_quiet,
    notice_line,
    silence,
    transitions,
)
from trueup.domain.api_usage import minute_of
from trueup.domain.errors import TransientError
from trueup.domain.ledger import OrderState
from trueup.service_layer.overview import FindingSource
from trueup.service_layer.ports import AlertRecords, Clock, History, JobSeen, Notifier, Store

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class AlertRules:
    """The thresholds (`[alerts]` in the configuration)."""

    stuck_minutes: float = 30.0  # an order received and not moved on for this long
    spike_count: int = 20  # this many orders parked within `spike_minutes`
    spike_minutes: float = 10.0
    backlog_checks: int = 5  # the queue grew at this many checks in a row
    backlog_minimum: int = 100  # ... and holds at least this many jobs
    unreachable_minutes: float = 10.0  # the ERP or Shopify failing jobs for this long
    throttled_minutes: float = 10.0  # Shopify throttling jobs, or answering THROTTLED in most minutes, this long
    drift_units: int = 10  # a stock level off by more than this
    silence_factor: float = 1.5  # unusual: this many times the longest quiet spell seen at this hour of the week
    silence_floor_minutes: float = 10.0  # never less than this
    silence_min_active_minutes: int = 3  # minutes with webhooks needed at an hour of the week to learn it
    silence_history_days: int = 28
    silence_relearn_minutes: float = 60.0
    digest_seconds: float = 60.0  # notices wait this long to go out together


def failing_side(error: str | None) -> Rule | None:
    """Which side a retried job's last error blames (the adapters name it: "Tryton ...", "Shopify ...")."""
    text = (error or "").lower()
    if "throttl" in text or "budget exhausted" in text:  # the shop's cost budget held the call back
        return Rule.THROTTLED
    if "tryton" in text or "back-office" in text:
        return Rule.ERP_UNREACHABLE
    if "shopify" in text:
        return Rule.SHOPIFY_UNREACHABLE
    return None


class Alerter:
    def __init__(
        self,
        store: Store,
        history: History,
        records: AlertRecords,
        notifiers: Sequence[Notifier],
        clock: Clock,
        shops: Sequence[str],
        rules: AlertRules = AlertRules(),
        sources: Sequence[FindingSource] = (),
    ) -> None:
        self._store, self._history, self._records = store, history, records
        self._notifiers, self._clock, self._shops = notifiers, clock, shops
        self.rules, self._sources = rules, sources
        self._backlog: deque[int] = deque(maxlen=rules.backlog_checks + 1)
        self._profiles: dict[str, tuple[datetime, QuietProfile]] = {}

    # --- what fires -----------------------------------------------------------------------------------
    def conditions(self) -> list[Condition]:
        now = self._clock.now()
        found: list[Condition] = []
        failing = self._history.failing_jobs()
        last_webhooks = self._history.last_received_by_shop(self._shops)
        for shop in self._shops:
            found += self._exceptions(shop, now)
            found.append(self._stuck(shop, now))
            found += self._failing(shop, [j for j in failing if j.shop == shop], now)
            found.append(self._drift(shop))
            found.append(self._silence(shop, last_webhooks.get(shop), now))
            found += self._findings(shop)
        found.append(self._growing_backlog())
        return found

    def _exceptions(self, shop: str, now: datetime) -> list[Condition]:
        parked = self._store.ledger_entries(OrderState.EXCEPTION, shop=shop)
        causes = {str(e.cause) for e in parked if e.cause is not None}
        known = {
            s.subject.split("|", 1)[1]
            for s in self._records.alert_states()
            if s.rule == Rule.EXCEPTION_CAUSE and s.subject.startswith(f"{shop}|")
        }
        found = [
            Condition(
                Rule.EXCEPTION_CAUSE,
                f"{shop}|{cause}",
                cause in causes,
                f"{sum(1 for e in parked if str(e.cause) == cause)} order(s) parked",
            )
            for cause in sorted(causes | known)
        ]
        recent = now - timedelta(minutes=self.rules.spike_minutes)
        burst = sum(1 for e in parked if e.state_since >= recent)
        detail = f"{burst} order(s) parked in the last {self.rules.spike_minutes:.0f} min"
        return [*found, Condition(Rule.EXCEPTION_SPIKE, shop, burst >= self.rules.spike_count, detail)]

    def _stuck(self, shop: str, now: datetime) -> Condition:
        received = self._store.ledger_entries(OrderState.RECEIVED, shop=shop)
        oldest = min(received, key=lambda e: e.state_since, default=None)
        if oldest is None:
            return Condition(Rule.ORDER_STUCK, shop, False, "no order waiting")
        minutes = (now - oldest.state_since) / timedelta(minutes=1)
        return Condition(
            Rule.ORDER_STUCK,
            shop,
            minutes > self.rules.stuck_minutes,
            f"{oldest.name} received {minutes:.0f} min ago and not posted",
        )

    def _failing(self, shop: str, failing: list[JobSeen], now: datetime) -> list[Condition]:
        limits = {
            Rule.ERP_UNREACHABLE: self.rules.unreachable_minutes,
            Rule.SHOPIFY_UNREACHABLE: self.rules.unreachable_minutes,
            Rule.THROTTLED: self.rules.throttled_minutes,
        }
        found = []
        for rule, limit in limits.items():
            jobs = [j for j in failing if failing_side(j.last_error) == rule]
            oldest = min((j.created_at for j in jobs), default=None)
            minutes = (now - oldest) / timedelta(minutes=1) if oldest else 0.0
            detail = (
                f"{len(jobs)} job(s) failing for {minutes:.0f} min: {jobs[0].last_error}" if jobs else "no job failing"
            )
            condition = Condition(rule, shop, bool(jobs) and minutes >= limit, detail[:500])
            found.append(self._throttled(shop, condition, now) if rule is Rule.THROTTLED else condition)
        return found

    def _throttled(self, shop: str, by_jobs: Condition, now: datetime) -> Condition:
        """Sustained THROTTLED: jobs failing on it for `throttled_minutes` (`by_jobs`), or Shopify answering
        THROTTLED in at least half of the last `throttled_minutes` minutes (the workers' per-minute API use),
        which also catches calls throttled and then served on a retry."""
        window = max(round(self.rules.throttled_minutes), 1)
        since = minute_of(now) - timedelta(minutes=window)
        throttled = [u for u in self._store.api_usage(since, shop) if u.throttled and u.minute < minute_of(now)]
        minutes = {u.minute for u in throttled}
        answers = sum(u.throttled for u in throttled)
        sustained = len(minutes) * 2 >= window
        if by_jobs.firing or not sustained:
            return by_jobs
        detail = f"Shopify answered THROTTLED {answers} time(s), in {len(minutes)} of the last {window} minutes"
        return Condition(Rule.THROTTLED, shop, True, detail)

    def _drift(self, shop: str) -> Condition:
        worst = max(self._store.open_drift(shop), key=lambda d: abs(d.difference), default=None)
        if worst is None:
            return Condition(Rule.STOCK_DRIFT, shop, False, "no drift")
        return Condition(
            Rule.STOCK_DRIFT,
            shop,
            abs(worst.difference) > self.rules.drift_units,
            f"{worst.sku} at {worst.location_id}: Shopify {worst.shopify}, should be {worst.target}",
        )

    def _profile(self, shop: str, now: datetime) -> QuietProfile:
        learned = self._profiles.get(shop)
        if learned is None or now - learned[0] >= timedelta(minutes=self.rules.silence_relearn_minutes):
            since = now - timedelta(days=self.rules.silence_history_days)
            learned = (now, learn_quiet(self._history.received_per_minute(since, shop)))
            self._profiles[shop] = learned
        return learned[1]

    def _silence(self, shop: str, last: datetime | None, now: datetime) -> Condition:
        r = self.rules
        firing, detail = silence(
            self._profile(shop, now), last, now, r.silence_factor, r.silence_floor_minutes, r.silence_min_active_minutes
        )
        return Condition(Rule.SILENCE, shop, firing, detail)

    def _findings(self, shop: str) -> list[Condition]:
        found = []
        for source in self._sources:
            findings = source.findings(shop) or []
            detail = f"{len(findings)} {source.title} finding(s)" + (
                f", e.g. {findings[0].get('what', '')}" if findings else ""
            )
            found.append(Condition(Rule.FINDINGS, f"{shop}|{source.title}", bool(findings), detail))
        return found

    def _growing_backlog(self) -> Condition:
        self._backlog.append(self._store.pending_jobs())
        samples = list(self._backlog)
        grew = len(samples) > self.rules.backlog_checks and all(b > a for a, b in pairwise(samples))
        firing = grew and samples[-1] >= self.rules.backlog_minimum
        return Condition(Rule.BACKLOG_GROWING, "all", firing, f"{samples[-1]} jobs waiting")

    # --- what changed, and the digests ------------------------------------------------------------------
    def check(self) -> list[AlertState]:
        """Evaluate every rule and record the changes; the states that changed."""
        now = self._clock.now()
        known = {(s.rule, s.subject): s for s in self._records.alert_states()}
        changed = transitions(known, self.conditions(), now)
        for state in changed:
            self._records.save_alert_state(state)
            if state.since == now:
                log.info("alert", rule=state.rule, subject=state.subject, firing=state.firing)
        return changed

    def flush(self) -> int:
        """Send the pending notices as one digest per notifier once the oldest has waited the digest window;
        how many notices went out."""
        now = self._clock.now()
        pending = [s for s in self._records.alert_states() if s.pending]
        if not pending or min(s.since for s in pending) > now - timedelta(seconds=self.rules.digest_seconds):
            return 0
        firing = sum(1 for s in pending if s.firing)
        subject = f"trueup: {firing} alert(s) firing, {len(pending) - firing} recovered"
        lines = [notice_line(s) for s in sorted(pending, key=lambda s: (not s.firing, s.rule, s.subject))]
        for notifier in self._notifiers:
            try:
                notifier.send(subject, lines)
            except TransientError as error:
                log.warning("alert.not_sent", notifier=notifier.name, error=str(error))
                return 0  # all stay pending: the next check sends the digest again, to every notifier
        for state in pending:
            self._records.save_alert_state(replace(state, notified_at=now))
        return len(pending)

    def run_once(self) -> int:
        self.check()
        return self.flush()
