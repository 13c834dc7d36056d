"""A scripted stand-in for the Admin API, for the player's unit tests (httpx.MockTransport)."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from shopify_sandbox.spec import ShopSpec


def _cost(requested: int = 10, available: float = 1990.0) -> dict[str, Any]:
    status = {"maximumAvailable": 2000.0, "currentlyAvailable": available, "restoreRate": 100.0}
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": requested, "throttleStatus": status}}


@dataclass
class FakeAdminApi:
    """Knows the shop's SKUs and locations, places orders, and replays `script` first: a list of
    (status, body or None) answers sent before the real one (to test throttling and failures)."""

    shop: ShopSpec
    script: list[tuple[int, dict[str, Any] | None, dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The totals to answer, in the order orders arrive (the fake does no pricing of its own).
    totals: list[tuple[str, str]] = field(default_factory=list)
    wrong_total_for: set[int] = field(default_factory=set)  # orders (by arrival) answered with a wrong total

    def __post_init__(self) -> None:
        self._ids = itertools.count(1000)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle), base_url="http://fake")

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["x-shopify-access-token"] == "token"
        body = json.loads(request.content)
        self.requests.append(body)
        if self.script:
            status, answer, headers = self.script.pop(0)
            return httpx.Response(status, json=answer, headers=headers)
        name = re.search(r"(?:mutation|query) (\w+)", body["query"]).group(1)
        data = getattr(self, f"_{name}")(body["variables"])
        return httpx.Response(200, json={"data": data, "extensions": _cost()})

    def _TradeVariants(self, _variables):
        nodes = [
            {"id": f"gid://shopify/ProductVariant/{v.sku}", "sku": v.sku}
            for p in self.shop.products
            for v in p.variants
        ]
        return {"productVariants": {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}}

    def _TradeLocations(self, _variables):
        return {
            "locations": {
                "nodes": [
                    {"id": f"gid://shopify/Location/{i}", "name": loc.name} for i, loc in enumerate(self.shop.locations)
                ]
            }
        }

    def _TradeCompanyLocations(self, _variables):
        nodes = [
            {
                "id": f"gid://shopify/CompanyLocation/{c.external_id}-{i}",
                "name": loc.name,
                "company": {"externalId": c.external_id},
            }
            for c in self.shop.companies
            for i, loc in enumerate(c.locations)
        ]
        return {"companyLocations": {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}}

    def _TradeOrderCreate(self, variables):
        number = next(self._ids)
        order_input = variables["order"]
        lines = [
            {
                "id": f"gid://shopify/LineItem/{number}-{i}",
                "sku": li["variantId"].rsplit("/", 1)[1],
                "quantity": li["quantity"],
            }
            for i, li in enumerate(order_input["lineItems"])
        ]
        transactions = [
            {"id": f"gid://shopify/OrderTransaction/{number}", "kind": t["kind"], "status": "SUCCESS"}
            for t in order_input.get("transactions", [])
        ]
        shop, presentment = self.totals[len(self.orders)] if self.totals else ("0.00", "0.00")
        if len(self.orders) in self.wrong_total_for:
            shop = "999.99"
        total = {
            "shopMoney": {"amount": shop, "currencyCode": order_input["currency"]},
            "presentmentMoney": {"amount": presentment, "currencyCode": order_input["presentmentCurrency"]},
        }
        order = {
            "id": f"gid://shopify/Order/{number}",
            "name": f"#{number}",
            "totalPriceSet": total,
            "lineItems": {"nodes": lines},
            "transactions": transactions,
        }
        self.orders[order["id"]] = {"input": order_input, "order": order}
        return {"orderCreate": {"order": order, "userErrors": []}}

    def _TradeOrderUpdate(self, variables):
        assert variables["input"]["id"] in self.orders
        return {"orderUpdate": {"order": {"id": variables["input"]["id"]}, "userErrors": []}}

    def _TradeOrderCancel(self, variables):
        assert variables["orderId"] in self.orders
        return {"orderCancel": {"job": {"id": "gid://shopify/Job/1", "done": False}, "orderCancelUserErrors": []}}

    def _TradeRefundCreate(self, variables):
        assert variables["input"]["orderId"] in self.orders
        return {
            "refundCreate": {"refund": {"id": "gid://shopify/Refund/1", "totalRefundedSet": None}, "userErrors": []}
        }

    def _TradeOrderEditBegin(self, variables):
        order = self.orders[variables["id"]]["order"]
        lines = [
            {**line, "id": line["id"].replace("LineItem", "CalculatedLineItem")} for line in order["lineItems"]["nodes"]
        ]
        return {
            "orderEditBegin": {
                "calculatedOrder": {"id": "gid://shopify/CalculatedOrder/1", "lineItems": {"nodes": lines}},
                "userErrors": [],
            }
        }

    def _TradeOrderEditAddVariant(self, variables):
        return {
            "orderEditAddVariant": {
                "calculatedLineItem": {"id": "gid://shopify/CalculatedLineItem/new", "sku": None, "quantity": 1},
                "userErrors": [],
            }
        }

    def _TradeOrderEditSetQuantity(self, variables):
        assert variables["lineItemId"].startswith("gid://shopify/CalculatedLineItem/")
        return {
            "orderEditSetQuantity": {
                "calculatedLineItem": {"id": variables["lineItemId"], "quantity": 1},
                "userErrors": [],
            }
        }

    def _TradeOrderEditAddLineItemDiscount(self, variables):
        assert variables["lineItemId"] == "gid://shopify/CalculatedLineItem/new"
        return {
            "orderEditAddLineItemDiscount": {"calculatedLineItem": {"id": variables["lineItemId"]}, "userErrors": []}
        }

    def _TradeOrderEditCommit(self, variables):
        return {"orderEditCommit": {"order": {"id": "gid://shopify/Order/1"}, "userErrors": []}}


def planned_totals(plan) -> list[tuple[str, str]]:
    """What a faithful Admin API answers as each order's total, in arrival order."""
    orders = [a.order for a in plan if a.order is not None]
    return [(str(o.totals.total.shop), str(o.totals.total.presentment)) for o in orders]


def throttled(requested: int = 200, available: float = 50.0) -> tuple[int, dict[str, Any], dict[str, str]]:
    body = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": _cost(requested, available),
    }
    return 200, body, {}
