"""Plays a trading plan against a running sandbox (or any Admin API), turning placeholders into ids."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shopify_sandbox.trading import operations, refs
from shopify_sandbox.trading.follow_ups import Operation
from shopify_sandbox.trading.graphql_client import AdminGraphQL
from shopify_sandbox.trading.plan import ORDER_CREATE, TradeAction

MAX_ERRORS_KEPT = 50


class Unresolved(Exception):
    """A placeholder with no id behind it (say, the order it refers to was never placed)."""


@dataclass
class PlacedOrder:
    id: str
    lines: dict[str, str] = field(default_factory=dict)  # sku -> line item id
    sale: str | None = None  # the SALE transaction id
    authorization: str | None = None  # the AUTHORIZATION transaction id


@dataclass
class TradeSummary:
    orders_placed: int = 0
    orders_failed: int = 0
    follow_ups_done: int = 0
    follow_ups_failed: int = 0
    total_value: dict[str, Decimal] = field(default_factory=dict)  # by shop currency
    mismatched_orders: list[int] = field(default_factory=list)  # positions whose total differs from the plan's
    requests: int = 0
    throttled: int = 0
    retried: int = 0
    elapsed_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def count(self, action: TradeAction, error: str | None) -> None:
        """Count an action's outcome (a placed order is counted when its answer is read)."""
        creates = action.kind == ORDER_CREATE
        if error is None:
            if not creates:
                self.follow_ups_done += 1
            return
        if creates:
            self.orders_failed += 1
        else:
            self.follow_ups_failed += 1
        self.note(f"{action.kind} (order {action.order_position}): {error}")

    def note(self, error: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)

    def to_json(self) -> dict[str, Any]:
        return {
            "orders_placed": self.orders_placed,
            "orders_failed": self.orders_failed,
            "follow_ups_done": self.follow_ups_done,
            "follow_ups_failed": self.follow_ups_failed,
            "total_value": {currency: str(amount) for currency, amount in self.total_value.items()},
            "mismatched_orders": list(self.mismatched_orders),
            "requests": self.requests,
            "throttled": self.throttled,
            "retried": self.retried,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "errors": list(self.errors),
        }


class TradePlayer:
    """Sends each action's operations in order, at `speed` times the plan's pace (0: as fast as it can)."""

    def __init__(
        self,
        client: AdminGraphQL,
        *,
        speed: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.speed = speed
        self._sleep = sleep
        self._monotonic = monotonic
        self._ids: dict[str, str] = {}  # "variant/SKU", "location/name", "company-location/ext/name" -> gid
        self._orders: dict[int, PlacedOrder] = {}

    def load_ids(self) -> None:
        """Learn the sandbox's ids for SKUs, locations and company locations."""
        for node in self._pages(operations.VARIANTS_PAGE, "productVariants"):
            if node.get("sku"):
                self._ids.setdefault(f"variant/{node['sku']}", node["id"])
        answer = self.client.execute(operations.LOCATIONS)
        for node in ((answer.get("data") or {}).get("locations") or {}).get("nodes", []):
            self._ids[f"location/{node['name']}"] = node["id"]
        # Companies are optional: a sandbox without them still trades with consumers.
        for node in self._pages(operations.COMPANY_LOCATIONS_PAGE, "companyLocations", optional=True):
            external_id = (node.get("company") or {}).get("externalId")
            self._ids[f"company-location/{external_id}/{node['name']}"] = node["id"]

    def _pages(self, query: str, field_name: str, optional: bool = False) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        after = None
        while True:
            answer = self.client.execute(query, {"after": after})
            connection = (answer.get("data") or {}).get(field_name)
            if connection is None:
                if optional:
                    return nodes
                raise Unresolved(f"cannot list {field_name}: {answer.get('errors')}")
            nodes.extend(connection["nodes"])
            if not connection["pageInfo"]["hasNextPage"]:
                return nodes
            after = connection["pageInfo"]["endCursor"]

    def placed_orders(self) -> list[PlacedOrder]:
        """The orders placed so far, in the plan's order."""
        return [self._orders[position] for position in sorted(self._orders)]

    def play(self, plan: list[TradeAction], on_action: Callable[[TradeAction], None] | None = None) -> TradeSummary:
        summary = TradeSummary()
        started = self._monotonic()
        for action in plan:
            self._wait_for(action, started)
            self.run_action(action, summary)
            if on_action is not None:
                on_action(action)
        return self.finish(summary, started)

    def run_action(self, action: TradeAction, summary: TradeSummary) -> str | None:
        """Send one action's operations now; count its outcome. Returns its error, if any."""
        error = self._run(action, summary)
        summary.count(action, error)
        return error

    def finish(self, summary: TradeSummary, started: float) -> TradeSummary:
        summary.elapsed_seconds = self._monotonic() - started
        counters = self.client.counters
        summary.requests, summary.throttled, summary.retried = counters.requests, counters.throttled, counters.retried
        return summary

    def order_id(self, position: int) -> str | None:
        """The sandbox's id of the plan's order `position`, once placed."""
        placed = self._orders.get(position)
        return placed.id if placed else None

    def resolve(self, value: Any) -> Any:
        """`value` with its placeholders swapped for the sandbox's ids."""
        return self._resolve(value, {})

    def _wait_for(self, action: TradeAction, started: float) -> None:
        if self.speed > 0:
            delay = started + action.at_seconds / self.speed - self._monotonic()
            if delay > 0:
                self._sleep(delay)

    @staticmethod
    def _check_total(action: TradeAction, total_price_set: dict[str, Any], summary: TradeSummary) -> None:
        # The plan computed every order's money exactly; a different total is a disagreement worth showing.
        mismatch = _total_mismatch(action, total_price_set)
        if mismatch is not None:
            summary.mismatched_orders.append(action.order_position)
            summary.note(mismatch)

    def _run(self, action: TradeAction, summary: TradeSummary) -> str | None:
        edit: dict[str, str] = {}  # the edit in progress: "calculated-order" and "line/SKU" -> ids
        for operation in action.operations:
            try:
                variables = self._resolve(operation.variables, edit)
            except Unresolved as error:
                return str(error)
            answer = self.client.execute(operation.query, variables)
            problem = _problem(answer)
            if problem:
                return problem
            self._remember(action, operation, answer["data"], edit, summary)
        return None

    def _resolve(self, value: Any, edit: dict[str, str]) -> Any:
        if refs.is_ref(value):
            return self._id_for(refs.parts(value), edit)
        if isinstance(value, dict):
            return {key: self._resolve(item, edit) for key, item in value.items()}
        if isinstance(value, list):
            return [self._resolve(item, edit) for item in value]
        return value

    def _id_for(self, parts: list[str], edit: dict[str, str]) -> str:
        if parts[0] == "order":
            found = self._order_id_for(parts)
        elif parts[0] == "edit":
            found = edit.get("/".join(parts[1:]))
        else:
            found = self._ids.get("/".join(parts))
        if found is None:
            raise Unresolved(f"the sandbox has no {'/'.join(parts)}")
        return found

    def _order_id_for(self, parts: list[str]) -> str | None:
        """["order", "3"], ["order", "3", "sale"] or ["order", "3", "line", SKU]."""
        order = self._orders.get(int(parts[1]))
        if order is None:
            raise Unresolved(f"order {parts[1]} was not placed")
        if len(parts) == 2:
            return order.id
        if parts[2] == "sale":
            return order.sale
        if parts[2] == "authorization":
            return order.authorization
        return order.lines.get(parts[3])

    def _remember(
        self,
        action: TradeAction,
        operation: Operation,
        data: dict[str, Any],
        edit: dict[str, str],
        summary: TradeSummary,
    ) -> None:
        if "orderCreate" in data:
            order = data["orderCreate"]["order"]
            placed = PlacedOrder(order["id"])
            for line in order["lineItems"]["nodes"]:
                placed.lines.setdefault(line.get("sku") or "", line["id"])
            placed.sale = next((t["id"] for t in order.get("transactions", []) if t["kind"] == "SALE"), None)
            placed.authorization = next(
                (t["id"] for t in order.get("transactions", []) if t["kind"] == "AUTHORIZATION"), None
            )
            self._orders[action.order_position] = placed
            money = order["totalPriceSet"]["shopMoney"]
            currency = money["currencyCode"]
            summary.total_value[currency] = summary.total_value.get(currency, Decimal(0)) + Decimal(money["amount"])
            summary.orders_placed += 1
            self._check_total(action, order["totalPriceSet"], summary)
        elif "orderEditBegin" in data:
            calculated = data["orderEditBegin"]["calculatedOrder"]
            edit["calculated-order"] = calculated["id"]
            for line in calculated["lineItems"]["nodes"]:
                edit.setdefault(f"line/{line.get('sku') or ''}", line["id"])
        elif "orderEditAddVariant" in data:
            # Named by the SKU the plan asked for, whatever the answer's line says.
            sku = refs.parts(operation.variables["variantId"])[1]
            edit[f"line/{sku}"] = data["orderEditAddVariant"]["calculatedLineItem"]["id"]


def _total_mismatch(action: TradeAction, total_price_set: dict[str, Any]) -> str | None:
    planned = action.order.totals.total if action.order else None
    if planned is None:
        return None
    shop = Decimal(total_price_set["shopMoney"]["amount"])
    presentment = Decimal(total_price_set["presentmentMoney"]["amount"])
    if (shop, presentment) == (planned.shop, planned.presentment):
        return None
    return (
        f"order {action.order_position} totals {shop}/{presentment}, "
        f"the plan balanced at {planned.shop}/{planned.presentment} (shop/presentment)"
    )


def _problem(answer: dict[str, Any]) -> str | None:
    """The first GraphQL error or user error of an answer, if any."""
    errors = answer.get("errors")
    if errors:
        first = errors[0] if isinstance(errors, list) else errors
        return str(first.get("message", first) if isinstance(first, dict) else first)
    for payload in (answer.get("data") or {}).values():
        if not isinstance(payload, dict):
            continue
        for key in ("userErrors", "orderCancelUserErrors"):
            if payload.get(key):
                return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in payload[key])
    if not answer.get("data"):
        return "no data in the answer"
    return None
