"""The webhook dispatcher: a `WebhookBus` that signs, schedules and delivers, with retries and faults.

`publish` only queues (one delivery per subscriber); a background thread hands due deliveries to a
small pool of sender threads. Every time is read from the injected clock, so four hours of retries
pass in milliseconds on a ManualClock or a ScaledClock.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from shopify_sandbox.clock import Clock
from shopify_sandbox.faults import FaultInjector, WebhookFaultDecision
from shopify_sandbox.webhooks.delivery_log import (
    DELIVERED,
    DROPPED,
    FAILED,
    RETRYING,
    Attempt,
    DeliveryRecord,
)
from shopify_sandbox.webhooks.registry import Endpoint, InMemorySubscriptionRegistry
from shopify_sandbox.webhooks.retry_schedule import retry_delays
from shopify_sandbox.webhooks.signing import encode_body, webhook_headers
from shopify_sandbox.webhooks.topics import is_known_rest_topic
from shopify_sandbox.webhooks.transport import HttpTransport, Transport

log = structlog.get_logger(__name__)


class UnknownTopic(ValueError):
    """The state published a topic Shopify does not have: a bug in the sandbox, said loudly."""


@dataclass(frozen=True)
class _Request:
    url: str
    body: bytes
    headers: dict[str, str]


class WebhookDispatcher:
    """Delivers webhooks as Shopify does. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self,
        registry: InMemorySubscriptionRegistry,
        *,
        api_secret: str,
        shop_domain: str,
        clock: Clock,
        api_version: str = "2026-10",
        transport: Transport | None = None,
        faults: FaultInjector | None = None,
        concurrency: int = 8,
        delays: tuple[float, ...] | None = None,
        remove_failing_subscriptions: bool = True,
        poll_interval: float = 0.01,
        max_log: int = 50_000,
    ) -> None:
        self._registry = registry
        self._api_secret = api_secret
        # The secret of each app other than the static one (its client secret signs its deliveries).
        self.app_secrets: dict[str, str] = {}
        self._shop_domain = shop_domain
        self._api_version = api_version
        self._clock = clock
        self._transport = transport or HttpTransport()
        self._faults = faults or FaultInjector()
        self._concurrency = concurrency
        self._delays = retry_delays() if delays is None else delays
        self._remove_failing = remove_failing_subscriptions
        self._poll_interval = poll_interval
        self._max_log = max_log
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, str]] = []  # (due on clock.monotonic(), tie-breaker, delivery id)
        self._sequence = itertools.count()
        self._records: dict[str, DeliveryRecord] = {}
        self._requests: dict[str, _Request] = {}
        self._in_flight = 0
        self._stopping = False
        self._scheduler: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    # -- the bus --------------------------------------------------------------------------------

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Queue `payload` for every current subscriber of `topic`; returns at once."""
        if not is_known_rest_topic(topic):
            raise UnknownTopic(f"Shopify has no webhook topic {topic!r}")
        endpoints = self._registry.endpoints_for(topic)
        if not endpoints:
            return
        body = encode_body(payload)
        event_id = str(uuid.uuid4())
        triggered_at = self._clock.now()
        with self._cond:
            for endpoint in endpoints:
                self._queue_delivery(endpoint, body, event_id, triggered_at, self._faults.decide_webhook())
            self._cond.notify_all()

    def _queue_delivery(
        self,
        endpoint: Endpoint,
        body: bytes,
        event_id: str,
        triggered_at: datetime,
        decision: WebhookFaultDecision,
    ) -> None:
        webhook_id = str(uuid.uuid4())
        headers = webhook_headers(
            body=body,
            api_secret=self.app_secrets.get(endpoint.app, self._api_secret),
            topic=endpoint.rest_topic,
            shop_domain=self._shop_domain,
            api_version=self._api_version,
            webhook_id=webhook_id,
            event_id=event_id,
            triggered_at=triggered_at,
        )
        copies = 2 if decision.duplicate and not decision.drop else 1
        for _ in range(copies):
            record = DeliveryRecord(
                delivery_id=str(uuid.uuid4()),
                webhook_id=webhook_id,
                event_id=event_id,
                topic=endpoint.rest_topic,
                subscription_id=endpoint.subscription_id,
                callback_url=endpoint.callback_url,
                triggered_at=triggered_at,
                faults=decision.labels,
            )
            self._remember(record)
            if decision.drop:
                record.status = DROPPED
                log.info("webhook.dropped", topic=record.topic, webhook_id=webhook_id)
                continue
            self._requests[record.delivery_id] = _Request(endpoint.callback_url, body, headers)
            self._schedule(record, decision.delay_seconds)

    def _remember(self, record: DeliveryRecord) -> None:
        self._records[record.delivery_id] = record
        if len(self._records) > self._max_log:
            oldest_finished = next((key for key, r in self._records.items() if r.finished), None)
            if oldest_finished is not None:
                del self._records[oldest_finished]

    def _schedule(self, record: DeliveryRecord, delay_seconds: float) -> None:
        record.next_attempt_at = self._clock.now() + timedelta(seconds=delay_seconds)
        due = self._clock.monotonic() + delay_seconds
        heapq.heappush(self._queue, (due, next(self._sequence), record.delivery_id))

    # -- the worker -----------------------------------------------------------------------------

    def start(self) -> WebhookDispatcher:
        """Start delivering in the background (idempotent)."""
        with self._cond:
            if self._scheduler is not None:
                return self
            self._stopping = False
            self._pool = ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="webhook-send")
            self._scheduler = threading.Thread(target=self._run, name="webhook-scheduler", daemon=True)
            self._scheduler.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking deliveries off the queue, let in-flight ones finish, close the transport.
        Deliveries still queued stay in the log as scheduled or retrying."""
        with self._cond:
            scheduler, pool = self._scheduler, self._pool
            self._stopping = True
            self._cond.notify_all()
        if scheduler is not None:
            scheduler.join(timeout)
        if pool is not None:
            pool.shutdown(wait=True)
        with self._cond:
            self._scheduler, self._pool = None, None
        self._transport.close()

    def __enter__(self) -> WebhookDispatcher:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                due = self._take_due()
                if not due:
                    # The clock may be manual or scaled: poll it rather than sleeping until a due time.
                    self._cond.wait(self._poll_interval)
                    continue
                pool = self._pool
            assert pool is not None
            for delivery_id in due:
                pool.submit(self._attempt, delivery_id)

    def _take_due(self) -> list[str]:
        now = self._clock.monotonic()
        due: list[str] = []
        while self._queue and self._queue[0][0] <= now and self._in_flight < self._concurrency:
            due.append(heapq.heappop(self._queue)[2])
            self._in_flight += 1
        return due

    def _attempt(self, delivery_id: str) -> None:
        try:
            request = self._requests[delivery_id]
            began = time.perf_counter()  # real time, whatever the sandbox's clock: how long the receiver took
            result = self._transport.send(request.url, request.body, request.headers)
            seconds = time.perf_counter() - began
            with self._cond:
                self._record_attempt(delivery_id, result.status_code, result.error, result.ok, seconds)
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def _record_attempt(
        self, delivery_id: str, status_code: int | None, error: str | None, ok: bool, seconds: float | None = None
    ) -> None:
        record = self._records[delivery_id]
        record.attempts.append(Attempt(len(record.attempts) + 1, self._clock.now(), status_code, error, seconds))
        retries_done = len(record.attempts) - 1
        if ok:
            record.status, record.next_attempt_at = DELIVERED, None
        elif retries_done < len(self._delays):
            record.status = RETRYING
            self._schedule(record, self._delays[retries_done])
        else:
            record.status, record.next_attempt_at = FAILED, None
            self._give_up(record)
        if record.finished:
            self._requests.pop(delivery_id, None)
        log.info("webhook.attempt", topic=record.topic, status=record.status, code=status_code, error=error)

    def _give_up(self, record: DeliveryRecord) -> None:
        # Shopify deletes an API-created subscription whose webhook failed every retry.
        subscription_id = record.subscription_id
        if self._remove_failing and subscription_id is not None and self._registry.delete(subscription_id):
            log.warning("webhook.subscription_removed", subscription_id=record.subscription_id)

    # -- inspection -----------------------------------------------------------------------------

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait (real time) until nothing is due now and nothing is in flight. Deliveries scheduled
        later on the clock do not count: advance the clock, then wait again. False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._in_flight or (self._queue and self._queue[0][0] <= self._clock.monotonic()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, self._poll_interval))
            return True

    def log(self, topic: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        """Every delivery (oldest first) with its outcome: status, faults, attempts, next attempt."""
        with self._cond:
            return [
                record.to_dict()
                for record in self._records.values()
                if (topic is None or record.topic == topic) and (status is None or record.status == status)
            ]

    def pending(self) -> int:
        """Deliveries queued for later (first attempts and retries)."""
        with self._cond:
            return len(self._queue)

    def summary(self) -> dict[str, int]:
        """Count of deliveries by status."""
        with self._cond:
            counts: dict[str, int] = {}
            for record in self._records.values():
                counts[record.status] = counts.get(record.status, 0) + 1
            return counts
