"""Factories for Shopify Admin GraphQL answers, shaped like shopify.dev's documented examples
(Decimal amounts as strings, `rate` as a JSON number, gids, ISO timestamps with Z)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx

Body = dict[str, Any]


def money_bag(amount: str, currency: str = "EUR", presentment: tuple[str, str] | None = None) -> Body:
    shown_amount, shown_currency = presentment or (amount, currency)
    return {
        "shopMoney": {"amount": amount, "currencyCode": currency},
        "presentmentMoney": {"amount": shown_amount, "currencyCode": shown_currency},
    }


def tax_line(amount: str, rate: float = 0.2, title: str = "VAT", currency: str = "EUR") -> Body:
    return {"title": title, "rate": rate, "priceSet": money_bag(amount, currency)}


def line_item(
    number: int = 1,
    sku: str | None = "TEE-M",
    quantity: int = 1,
    unit_price: str = "20.00",
    discounts: tuple[str, ...] = (),
    taxes: tuple[Body, ...] = (),
    group: Body | None = None,
    currency: str = "EUR",
) -> Body:
    return {
        "id": f"gid://shopify/LineItem/{number}",
        "sku": sku,
        "title": f"Item {number}",
        "currentQuantity": quantity,
        "originalUnitPriceSet": money_bag(unit_price, currency),
        "discountAllocations": [{"allocatedAmountSet": money_bag(d, currency)} for d in discounts],
        "taxLines": list(taxes),
        "lineItemGroup": group,
    }


def address(**overrides: Any) -> Body:
    base = {
        "name": "Ada Lovelace",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "company": None,
        "address1": "1 Analytical Row",
        "address2": None,
        "city": "London",
        "zip": "N1 9GU",
        "provinceCode": None,
        "countryCodeV2": "GB",
        "phone": None,
    }
    return {**base, **overrides}


def order_node(
    number: int = 1001,
    lines: list[Body] | None = None,
    total: str = "20.00",
    tax: str = "0.00",
    currency: str = "EUR",
    updated_at: str = "2026-11-27T08:00:00Z",
    line_items_next: str | None = None,
    **overrides: Any,
) -> Body:
    """An `order` node as selected by trueup's TrueupOrder fragment."""
    node: Body = {
        "id": f"gid://shopify/Order/{number}",
        "name": f"#{number}",
        "createdAt": "2026-11-27T07:59:00Z",
        "updatedAt": updated_at,
        "cancelledAt": None,
        "displayFinancialStatus": "PAID",
        "currencyCode": currency,
        "presentmentCurrencyCode": currency,
        "taxesIncluded": False,
        "poNumber": None,
        "tags": [],
        "email": "ada@example.com",
        "currentTotalPriceSet": money_bag(total, currency),
        "currentTotalTaxSet": money_bag(tax, currency),
        "customer": {
            "id": "gid://shopify/Customer/7",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "defaultEmailAddress": {"emailAddress": "ada@example.com"},
            "defaultPhoneNumber": None,
        },
        "shippingAddress": address(),
        "billingAddress": address(),
        "purchasingEntity": {"__typename": "Customer"},
        "paymentTerms": None,
        "lineItems": {
            "pageInfo": {"hasNextPage": line_items_next is not None, "endCursor": line_items_next},
            "nodes": lines if lines is not None else [line_item(currency=currency)],
        },
        "shippingLines": {"nodes": []},
    }
    node.update(overrides)
    return node


def cost_extensions(requested: int = 10, available: int = 1990, maximum: int = 2000, rate: int = 100) -> Body:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": requested,
            "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate},
        }
    }


def answer(data: Body, **cost: int) -> Body:
    return {"data": data, "extensions": cost_extensions(**cost)}


class ScriptedShopify:
    """An httpx transport answering trueup's operations by name with a function of the variables."""

    def __init__(self, handlers: dict[str, Callable[[Body], Body | httpx.Response]]) -> None:
        self.handlers = handlers
        self.requests: list[tuple[str, Body, httpx.Headers]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        name = payload["operationName"]
        self.requests.append((name, payload["variables"], request.headers))
        result = self.handlers[name](copy.deepcopy(payload["variables"]))
        return result if isinstance(result, httpx.Response) else httpx.Response(200, json=result)

    def names(self) -> list[str]:
        return [name for name, _, _ in self.requests]

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def company_address(**overrides: Any) -> Body:
    """A CompanyAddress (a company location's address, country in `countryCode`), as trueup selects it."""
    base = {
        "firstName": "Accounts",
        "lastName": "Payable",
        "address1": "5 Main St",
        "address2": None,
        "city": "Delft",
        "zip": "2611",
        "countryCode": "NL",
        "phone": None,
    }
    return {**base, **overrides}


def purchasing_company(
    company: int = 4, location: int = 5, billing: Body | None = None, shipping: Body | None = None
) -> Body:
    """A `purchasingEntity` of a B2B order, as the sandbox answers it for a company location order."""
    return {
        "__typename": "PurchasingCompany",
        "company": {"id": f"gid://shopify/Company/{company}", "name": "Acme BV", "externalId": "ACME-1"},
        "location": {
            "id": f"gid://shopify/CompanyLocation/{location}",
            "name": "Acme HQ",
            "externalId": None,
            "billingAddress": billing,
            "shippingAddress": shipping,
        },
    }
