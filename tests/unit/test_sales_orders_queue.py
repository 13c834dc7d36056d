"""A sale Tryton's queue worker is processing when trueup presses `process`: waited for, never failed early."""

from __future__ import annotations

from typing import Any

import pytest

from trueup.adapters.tryton import sales_orders
from trueup.adapters.tryton.sales_orders import TrytonSalesOrders
from trueup.domain.errors import TransientError


class QueueHoldingTryton:
    """Answers `process` as trytond does while trytond-worker holds the sale's row (HTTP 503), and reads the sale
    as confirmed for `confirmed_reads` reads, processing after."""

    def __init__(self, confirmed_reads: int) -> None:
        self.confirmed_reads = confirmed_reads
        self.calls: list[str] = []

    def call(self, model: str, method: str, *args: Any, context: dict[str, Any] | None = None) -> Any:
        self.calls.append(method)
        if method == "process":
            raise TransientError("Tryton answered HTTP 503")
        assert method == "read"
        self.confirmed_reads -= 1
        return [
            {"id": sale_id, "state": "confirmed" if self.confirmed_reads >= 0 else "processing"} for sale_id in args[0]
        ]


def test_a_sale_the_queue_worker_processes_meanwhile_is_processed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sales_orders.time, "sleep", lambda _: None)
    tryton = QueueHoldingTryton(confirmed_reads=2)

    TrytonSalesOrders(tryton)._process([7])  # type: ignore[arg-type]

    assert tryton.calls == ["process", "read", "read", "read"]


def test_a_sale_still_confirmed_after_the_wait_fails_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sales_orders, "QUEUE_WAIT_SECONDS", 0.0)
    tryton = QueueHoldingTryton(confirmed_reads=100)

    with pytest.raises(TransientError):
        TrytonSalesOrders(tryton)._process([7])  # type: ignore[arg-type]
    assert tryton.calls == ["process", "read"]
