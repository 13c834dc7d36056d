"""Plays a month of trading: each order, follow-up and Shopify-side event at its time on the sandbox's clock,
which this player moves (the sandbox must run on a manual clock). The payout runs happen on the way, as the
clock passes each day; at the end the clock is moved to the month's end and the payouts are counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from shopify_sandbox.trading.graphql_client import TradeError
from shopify_sandbox.trading.month import (
    CAPTURE,
    DAY,
    DISPUTE_CLOSE,
    DISPUTE_OPEN,
    MARK_PAID,
    PAYOUT_FAIL,
    RESERVE_HOLD,
    SETTINGS,
    MonthPlan,
    ShopEvent,
)
from shopify_sandbox.trading.plan import TradeAction
from shopify_sandbox.trading.player import TradePlayer, TradeSummary

NOT_MANUAL = "the sandbox's clock is not manual: serve it with `trueup sandbox serve --clock manual`"


class SandboxControl:
    """The sandbox's `/sandbox/...` endpoints: its clock and its Shopify Payments controls."""

    def __init__(self, url: str, http: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self._http = http or httpx.Client(timeout=30.0)
        self.now: datetime | None = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._http.request(method, f"{self.url}{path}", json=body)
        except httpx.TransportError as error:
            raise TradeError(f"the sandbox cannot be reached: {type(error).__name__}") from error
        answer = response.json()
        if response.status_code == 409 and path.startswith("/sandbox/clock"):
            raise TradeError(NOT_MANUAL)
        if response.status_code >= 400:
            raise ControlRefused(f"{path}: {answer.get('errors') or answer.get('error') or response.status_code}")
        return answer

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock on (also how the player waits for a throttled bucket to refill)."""
        answer = self.call("POST", "/sandbox/clock/advance", {"seconds": max(seconds, 0.0)})
        self.now = datetime.fromisoformat(answer["now"].replace("Z", "+00:00"))

    def advance_to(self, when: datetime) -> None:
        if self.now is None:
            self.advance(0)
        assert self.now is not None
        seconds = (when - self.now).total_seconds()
        if seconds > 0:
            self.advance(seconds)

    def close(self) -> None:
        self._http.close()


class ControlRefused(Exception):
    """The sandbox refused a control call (the message says why)."""


@dataclass
class MonthSummary:
    trade: TradeSummary
    started: str = ""
    ended: str = ""
    cases: dict[str, list[int]] = field(default_factory=dict)
    captures: Counter[str] = field(default_factory=Counter)  # succeeded / failed
    marked_paid: int = 0
    shop_events: list[str] = field(default_factory=list)
    payouts: dict[str, int] = field(default_factory=dict)  # "PAID USD" -> count

    def to_json(self) -> dict[str, Any]:
        return {
            **self.trade.to_json(),
            "started": self.started,
            "ended": self.ended,
            "cases": {name: len(positions) for name, positions in self.cases.items()},
            "captures": dict(self.captures),
            "marked_paid": self.marked_paid,
            "shop_events": list(self.shop_events),
            "payouts": dict(sorted(self.payouts.items())),
        }


class MonthPlayer:
    def __init__(self, player: TradePlayer, control: SandboxControl) -> None:
        self.player = player
        self.control = control
        self._disputes: dict[str, str] = {}

    def play(self, plan: MonthPlan, on_step: Callable[[], None] | None = None) -> MonthSummary:
        self.control.advance(0)
        assert self.control.now is not None
        start = self.control.now
        summary = MonthSummary(TradeSummary(), started=start.isoformat(), cases=plan.cases)
        timeline: list[tuple[float, int, TradeAction | ShopEvent]] = [(e.at_seconds, 0, e) for e in plan.events]
        timeline += [(a.at_seconds, 1, a) for a in plan.actions]
        timeline.sort(key=lambda item: (item[0], item[1]))
        started = self.player._monotonic()
        for at, _, item in timeline:
            if at > plan.days * DAY:
                continue
            self.control.advance_to(start.fromtimestamp(start.timestamp() + at, start.tzinfo))
            if isinstance(item, ShopEvent):
                self._shop_event(item, summary)
            else:
                self._trade(item, summary)
            if on_step is not None:
                on_step()
        self.control.advance_to(start.fromtimestamp(start.timestamp() + plan.days * DAY, start.tzinfo))
        self.player.finish(summary.trade, started)
        assert self.control.now is not None
        summary.ended = self.control.now.isoformat()
        payouts = self.control.call("GET", "/sandbox/payments/payouts")["payouts"]
        summary.payouts = dict(Counter(f"{p['status']} {p['currency']}" for p in payouts))
        return summary

    def _trade(self, action: TradeAction, summary: MonthSummary) -> None:
        error = self.player.run_action(action, summary.trade)
        if action.kind == CAPTURE:
            summary.captures["failed" if error else "succeeded"] += 1
        elif action.kind == MARK_PAID and error is None:
            summary.marked_paid += 1

    def _shop_event(self, event: ShopEvent, summary: MonthSummary) -> None:
        try:
            summary.shop_events.append(self._run_event(event))
        except ControlRefused as error:
            summary.trade.note(f"{event.kind}: {error}")

    def _run_event(self, event: ShopEvent) -> str:
        if event.kind == SETTINGS:
            self.control.call("POST", "/sandbox/payments/settings", event.body)
            return f"payout currencies {', '.join(event.body.get('payoutCurrencies', []))}"
        if event.kind == DISPUTE_OPEN:
            assert event.order_position is not None
            assert event.label is not None
            order_id = self.player.order_id(event.order_position)
            if order_id is None:
                raise ControlRefused(f"order {event.order_position} was not placed")
            opened = self.control.call("POST", "/sandbox/payments/disputes", {"orderId": order_id, **event.body})
            self._disputes[event.label] = opened["legacyResourceId"]
            return f"chargeback of {opened['amount']} {opened['currency']} opened on order {event.order_position}"
        if event.kind == DISPUTE_CLOSE:
            assert event.label is not None
            number = self._disputes.get(event.label)
            if number is None:
                raise ControlRefused(f"the {event.label} dispute was never opened")
            closed = self.control.call("POST", f"/sandbox/payments/disputes/{number}/close", event.body)
            return f"chargeback on order {event.order_position} {closed['status'].lower()}"
        if event.kind == RESERVE_HOLD:
            held = self.control.call("POST", "/sandbox/payments/reserves", event.body)
            return f"reserve of {held['amount']} held until {held['releaseAt']}"
        if event.kind == PAYOUT_FAIL:
            paid = self.control.call("GET", "/sandbox/payments/payouts?status=PAID")["payouts"]
            default = self.control.call("GET", "/sandbox/payments")["settings"]["defaultCurrency"]
            paid = [p for p in paid if p["currency"] == default] or paid
            if not paid:
                raise ControlRefused("no paid payout to fail yet")
            number = paid[-1]["legacyResourceId"]
            self.control.call("POST", f"/sandbox/payments/payouts/{number}/fail", event.body)
            return f"payout {number} of {paid[-1]['net']} {paid[-1]['currency']} failed"
        raise ValueError(f"unknown shop event {event.kind}")
