"""The stock side of FakeBackOffice, held to Tryton's by tests/contract/test_back_office_stock_contract.py.

A warehouse's stock moves by receipts (`receive`), goods leaving (`issue`) and sales posted (their goods are
due out at once, as Tryton's forecast counts a confirmed sale's moves). Each movement is logged as a stock
change, in order; the cursor is the number of the last change read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.inventory import StockChange, WarehouseStock
from trueup.domain.sales import SalesOrderRequest
from trueup.local_stack.demo_business import ROUNDING_CODE, SHIPPING_CODE

if TYPE_CHECKING:
    from tests.fakes.back_office import FakeBackOffice

SERVICE_PRODUCTS = frozenset({SHIPPING_CODE, ROUNDING_CODE})  # in the demo Tryton business: not stock


def move(fake: FakeBackOffice, sku: str, warehouse: str, quantity: Decimal) -> None:
    """`quantity` units of `sku` in (positive) or out (negative) of `warehouse`, logged as a change."""
    fake.skus.add(sku)
    fake.stock[(sku, warehouse)] = fake.stock.get((sku, warehouse), Decimal(0)) + quantity
    fake.stock_log.append(StockChange(sku, warehouse))


def note_sale(fake: FakeBackOffice, order: SalesOrderRequest) -> None:
    """A posted sale's goods are due out of its warehouse (the default one: the first by code)."""
    warehouse = order.warehouse or min(fake.warehouses)
    for line in order.lines:
        if line.is_shipping or line.sku in SERVICE_PRODUCTS:
            continue
        key = (line.sku, warehouse)
        fake.due_out[key] = fake.due_out.get(key, Decimal(0)) + Decimal(line.quantity)
        fake.stock_log.append(StockChange(line.sku, warehouse))


def stock_changes(fake: FakeBackOffice, since_cursor: str | None) -> tuple[list[StockChange], str | None]:
    if since_cursor is None:
        return [], str(len(fake.stock_log))
    start = int(since_cursor)
    fresh = fake.stock_log[start:]
    if not fresh:
        return [], since_cursor
    return list(dict.fromkeys(fresh)), str(len(fake.stock_log))


def warehouse_stock(fake: FakeBackOffice, warehouse: str, skus: Iterable[str] | None) -> list[WarehouseStock]:
    if warehouse not in fake.warehouses:
        raise StructuralError(Cause.UNMAPPED_LOCATION, f"no warehouse {warehouse}", needs={"warehouses": [warehouse]})
    known = fake.skus - SERVICE_PRODUCTS if skus is None else set(skus) & (fake.skus - SERVICE_PRODUCTS)
    return [
        WarehouseStock(sku, warehouse, _promisable(fake, sku, warehouse), _on_hand(fake, sku, warehouse))
        for sku in sorted(known)
    ]


def _on_hand(fake: FakeBackOffice, sku: str, warehouse: str) -> Decimal:
    """Units physically there (due-out units not taken off); a kit as its scarcest component allows."""
    components = fake.kits.get(sku)
    if components:
        return Decimal(min(math.floor(_on_hand(fake, c.sku, warehouse) / c.quantity) for c in components))
    return max(fake.stock.get((sku, warehouse), Decimal(0)), Decimal(0))


def _promisable(fake: FakeBackOffice, sku: str, warehouse: str) -> Decimal:
    components = fake.kits.get(sku)
    if components:
        return Decimal(min(math.floor(_promisable(fake, c.sku, warehouse) / c.quantity) for c in components))
    on_hand = fake.stock.get((sku, warehouse), Decimal(0))
    return max(on_hand - fake.due_out.get((sku, warehouse), Decimal(0)), Decimal(0))
