"""Placeholders in a plan's variables for ids only the running sandbox knows.

A plan is generated before it is played, so it names things the way the shop spec does (a SKU, a
location name, an order's position in the plan) and the player swaps each placeholder for the id
the sandbox gave. A placeholder is a plain string, so the variables stay JSON and still validate
as `ID`s against the schema.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

PREFIX = "ref://"


def variant(sku: str) -> str:
    return f"{PREFIX}variant/{quote(sku, safe='')}"


def location(name: str) -> str:
    return f"{PREFIX}location/{quote(name, safe='')}"


def company_location(external_id: str, name: str) -> str:
    return f"{PREFIX}company-location/{quote(external_id, safe='')}/{quote(name, safe='')}"


def order(position: int) -> str:
    return f"{PREFIX}order/{position}"


def order_line(position: int, sku: str) -> str:
    """The line item of order `position` with this SKU (plans only refer to lines with unique SKUs)."""
    return f"{PREFIX}order/{position}/line/{quote(sku, safe='')}"


def order_sale(position: int) -> str:
    """The order's successful SALE transaction (the parent of a refund)."""
    return f"{PREFIX}order/{position}/sale"


def order_authorization(position: int) -> str:
    """The order's successful AUTHORIZATION transaction (the parent of a capture)."""
    return f"{PREFIX}order/{position}/authorization"


def calculated_order() -> str:
    """The calculated order of the edit in progress (from orderEditBegin, in the same action)."""
    return f"{PREFIX}edit/calculated-order"


def calculated_line(sku: str) -> str:
    """A calculated line item of the edit in progress: an existing line by SKU, or the one just added."""
    return f"{PREFIX}edit/line/{quote(sku, safe='')}"


def is_ref(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def parts(ref: str) -> list[str]:
    """ "ref://order/3/line/TEE-BLK-M" -> ["order", "3", "line", "TEE-BLK-M"]."""
    return [unquote(part) for part in ref[len(PREFIX) :].split("/")]
