"""Reading the console's filters and selections from a request: bad values give a clear message."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from trueup.domain.errors import BadInput, Cause
from trueup.service_layer.console_actions import Bulk
from trueup.service_layer.exceptions_view import ExceptionFilter


def _text(params: Mapping[str, str], key: str, limit: int = 255) -> str | None:
    value = (params.get(key) or "").strip()
    if len(value) > limit:
        raise BadInput(f"{key} is too long")
    return value or None


def exception_filter(params: Mapping[str, str]) -> ExceptionFilter:
    cause_text = _text(params, "cause")
    if cause_text is not None and cause_text not in Cause.__members__.values():
        raise BadInput(f"unknown cause (known: {', '.join(sorted(Cause))})")
    since_text = _text(params, "since")
    since = None
    if since_text is not None:
        try:
            since = datetime.fromisoformat(since_text)
        except ValueError:
            raise BadInput("since is a date, e.g. 2026-11-27") from None
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
    return ExceptionFilter(
        shop=_text(params, "shop"),
        cause=Cause(cause_text) if cause_text else None,
        since=since,
        sku=_text(params, "sku"),
        order=_text(params, "order"),
    )


def bulk_action(value: str | None) -> Bulk:
    if value is None or value not in Bulk.__members__.values():
        raise BadInput(f"unknown action (known: {', '.join(Bulk)})")
    return Bulk(value)


def order_keys(values: list[str], limit: int = 10_000) -> list[tuple[str, str]]:
    """The (shop, order id) pairs of a confirmed preview, each sent as "shop|order id"."""
    if len(values) > limit:
        raise BadInput(f"at most {limit} orders at once")
    keys = []
    for value in values:
        shop, sep, order_id = value.partition("|")
        if not sep or not shop or not order_id.startswith("gid://shopify/Order/"):
            raise BadInput("a selected order is not one this console listed")
        keys.append((shop, order_id))
    return keys
