"""What happened to every webhook delivery: for tests, demos and the sandbox's inspection endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# A delivery's life: scheduled -> delivered | retrying -> ... -> delivered | failed; or dropped (a fault).
SCHEDULED, DELIVERED, RETRYING, FAILED, DROPPED = "scheduled", "delivered", "retrying", "failed", "dropped"


@dataclass(frozen=True)
class Attempt:
    number: int  # 1 for the first try, 2..9 for the retries
    at: datetime
    status_code: int | None
    error: str | None
    seconds: float | None = None  # how long the receiver took to answer (or to fail), in real seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": self.at.isoformat(),
            "status_code": self.status_code,
            "error": self.error,
            "seconds": None if self.seconds is None else round(self.seconds, 6),
        }


@dataclass
class DeliveryRecord:
    delivery_id: str  # the sandbox's own key (a duplicate is a second delivery with the same webhook id)
    webhook_id: str
    event_id: str
    topic: str
    subscription_id: int | None
    callback_url: str
    triggered_at: datetime
    faults: tuple[str, ...] = ()
    status: str = SCHEDULED
    next_attempt_at: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in (DELIVERED, FAILED, DROPPED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "topic": self.topic,
            "subscription_id": self.subscription_id,
            "callback_url": self.callback_url,
            "triggered_at": self.triggered_at.isoformat(),
            "faults": list(self.faults),
            "status": self.status,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "attempts": [attempt.to_dict() for attempt in self.attempts],
        }
