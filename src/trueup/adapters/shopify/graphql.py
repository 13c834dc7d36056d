"""The HTTP boundary to Shopify's Admin GraphQL API: one POST per operation, errors classed here.

- THROTTLED (HTTP 200, `errors[].extensions.code`) and HTTP 429 → TransientError with the wait:
  `Retry-After` when given, else (requested cost − currently available) / restore rate.
- 5xx, timeouts, connection failures, unreadable bodies → TransientError.
- 401 → the token source renews the token and the request is sent once more (an expiring token lapsed or was
  replaced); a second 401, or a 401 for a static token, → BadInput (the message never carries the token).
- 403 → BadInput. ACCESS_DENIED → BadInput (a scope).
- Any other GraphQL error → ShopifyQueryError: a bug in trueup's document, named.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx
import structlog

from trueup.adapters.shopify.access_tokens import AccessTokens, StaticToken
from trueup.adapters.shopify.api_usage import ApiUsageMeter
from trueup.adapters.shopify.cost_budget import CostBudget, ThrottleStatus
from trueup.adapters.shopify.queries import Operation
from trueup.domain.errors import BadInput, TransientError, TrueupError

DEFAULT_API_VERSION = "2026-10"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# When Shopify throttles without telling how long to wait.
FALLBACK_RETRY_AFTER = 1.0

log = structlog.get_logger(__name__)


class ShopifyThrottled(TransientError):
    """Shopify answered THROTTLED (or HTTP 429): retry after `retry_after`."""


class ShopifyQueryError(TrueupError):
    """Shopify rejected one of trueup's own documents: a bug in trueup, not in the data."""

    def __init__(self, operation: str, messages: list[str], codes: list[str] | None = None) -> None:
        super().__init__(f"Shopify rejected {operation}: {'; '.join(messages)}")
        self.operation = operation
        self.messages = messages
        self.codes = codes or []


def admin_endpoint(shop_domain: str, api_version: str, base_url: str | None = None) -> str:
    """`https://{shop}/admin/api/{version}/graphql.json`, or the same path under `base_url`."""
    root = (base_url or f"https://{shop_domain}").rstrip("/")
    return f"{root}/admin/api/{api_version}/graphql.json"


class ShopifyGraphQL:
    """Runs trueup's operations against one shop, within the shop's cost budget."""

    def __init__(
        self,
        shop_domain: str,
        access_token: str | AccessTokens,
        *,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str | None = None,
        http: httpx.Client | None = None,
        budget: CostBudget | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        usage: ApiUsageMeter | None = None,
    ) -> None:
        self.shop = shop_domain
        self.endpoint = admin_endpoint(shop_domain, api_version, base_url)
        self.budget = budget or CostBudget()
        self.usage = usage or ApiUsageMeter(shop_domain)  # per minute, in memory; the worker stores it
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self.tokens: AccessTokens = StaticToken(access_token) if isinstance(access_token, str) else access_token
        self._timeout = timeout
        self.api_version_served: str | None = None  # X-Shopify-API-Version of the last answer

    def close(self) -> None:
        """Close the HTTP client if this object made it (a client passed in belongs to the caller)."""
        if self._owns_http:
            self._http.close()

    def execute(self, operation: Operation, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of the operation's answer; raises a classed TrueupError otherwise."""
        cost = self.budget.estimate(operation.name, operation.estimated_cost)
        self.budget.acquire(cost)
        status: ThrottleStatus | None = None
        requested = actual = None
        throttled = False
        try:
            response = self._post(operation, variables)
            body = _decode(response, operation)
            status, requested, actual = _cost_of(body)
            _raise_for_errors(operation, body, status, requested)
        except ShopifyThrottled:
            throttled = True
            raise
        finally:
            self.budget.settle(cost, status, operation_name=operation.name, requested_cost=requested)
            self.usage.record(status, requested_cost=requested, actual_cost=actual, throttled=throttled)
        data = body.get("data")
        if not isinstance(data, dict):
            raise ShopifyQueryError(operation.name, ["the answer has no data"])
        return data

    def _post(self, operation: Operation, variables: Mapping[str, Any] | None) -> httpx.Response:
        payload = {"query": operation.document, "variables": dict(variables or {}), "operationName": operation.name}
        token = self.tokens.current()
        response = self._send(operation, payload, token)
        if response.status_code == 401:
            # An expiring token lapsed or was replaced: renew it and send once more; nothing was done.
            renewed = self.tokens.renew(token)
            if renewed is not None:
                log.info("shopify.token_rejected", shop=self.shop, operation=operation.name)
                response = self._send(operation, payload, renewed)
        _raise_for_status(response, operation, self.shop)
        self.api_version_served = response.headers.get("X-Shopify-API-Version")
        return response

    def _send(self, operation: Operation, payload: dict[str, Any], token: str) -> httpx.Response:
        headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}
        try:
            return self._http.post(self.endpoint, json=payload, headers=headers, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            raise TransientError(f"Shopify timed out on {operation.name} for {self.shop}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"cannot reach Shopify for {self.shop}: {type(exc).__name__}") from exc


def _raise_for_status(response: httpx.Response, operation: Operation, shop: str) -> None:
    code = response.status_code
    if code < 400:
        return
    if code == 429:
        wait = _retry_after_header(response) or FALLBACK_RETRY_AFTER
        log.info("shopify.throttled", shop=shop, operation=operation.name, http_status=code, retry_after=wait)
        raise ShopifyThrottled(f"Shopify throttled {operation.name} (HTTP 429)", retry_after=wait)
    if code in (401, 403):
        raise BadInput(f"Shopify refused the access token for {shop} (HTTP {code}): check the shop's token")
    if code == 404:
        raise BadInput(f"no Admin API at {shop} (HTTP 404): check the shop domain and the API version")
    if code >= 500 or code in (402, 423):
        # 402: the shop is frozen (unpaid), 423: locked; both can be lifted.
        raise TransientError(
            f"Shopify answered HTTP {code} to {operation.name}", retry_after=_retry_after_header(response)
        )
    raise ShopifyQueryError(operation.name, [f"HTTP {code}"])


def _retry_after_header(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None  # an HTTP date: rare for Shopify; the caller falls back to its own backoff


def _decode(response: httpx.Response, operation: Operation) -> dict[str, Any]:
    try:
        # Decimal for every JSON number: tax rates arrive as numbers and must stay exact.
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise TransientError(f"Shopify sent an unreadable answer to {operation.name}") from exc
    if not isinstance(body, dict):
        raise TransientError(f"Shopify sent an unexpected answer to {operation.name}")
    return body


def _points(value: object) -> int | None:
    return int(value) if isinstance(value, int | Decimal) else None


def _cost_of(body: dict[str, Any]) -> tuple[ThrottleStatus | None, int | None, int | None]:
    """The bucket as Shopify saw it, the requested and the actual cost of the query (each None when not said)."""
    cost = (body.get("extensions") or {}).get("cost")
    if not isinstance(cost, dict):
        return None, None, None
    throttle = cost.get("throttleStatus")
    status = None
    if isinstance(throttle, dict):
        try:
            status = ThrottleStatus(
                maximum_available=float(throttle["maximumAvailable"]),
                currently_available=float(throttle["currentlyAvailable"]),
                restore_rate=float(throttle["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            status = None
    return status, _points(cost.get("requestedQueryCost")), _points(cost.get("actualQueryCost"))


def _raise_for_errors(
    operation: Operation, body: dict[str, Any], status: ThrottleStatus | None, requested: int | None
) -> None:
    errors = body.get("errors")
    if not errors:
        return
    if not isinstance(errors, list):
        raise ShopifyQueryError(operation.name, [str(errors)])
    codes = [str((e.get("extensions") or {}).get("code", "")) for e in errors if isinstance(e, dict)]
    messages = [str(e.get("message", "")) if isinstance(e, dict) else str(e) for e in errors]
    if "THROTTLED" in codes:
        wait = throttled_wait(status, requested)
        log.info("shopify.throttled", operation=operation.name, retry_after=wait)
        raise ShopifyThrottled(f"Shopify throttled {operation.name}", retry_after=wait)
    if "INTERNAL_SERVER_ERROR" in codes:
        raise TransientError(f"Shopify failed internally on {operation.name}")
    if "ACCESS_DENIED" in codes:
        raise BadInput(f"the app lacks an access scope for {operation.name}: {'; '.join(messages)}")
    raise ShopifyQueryError(operation.name, messages, codes)


def throttled_wait(status: ThrottleStatus | None, requested: int | None) -> float:
    """How long until the bucket holds the requested cost again, by Shopify's own reading."""
    if status is None or requested is None or status.restore_rate <= 0:
        return FALLBACK_RETRY_AFTER
    needed = min(float(requested), status.maximum_available)
    return max((needed - status.currently_available) / status.restore_rate, 0.0)
