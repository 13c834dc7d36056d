"""The record of an inventory mutation: an adjustment group and its changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from shopify_sandbox.models.base import Node
from shopify_sandbox.models.catalog import InventoryItem, Location


@dataclass(eq=False, repr=False)
class InventoryChange:
    typename: ClassVar[str] = "InventoryChange"
    name: str
    delta: int
    quantity_after_change: int
    item: InventoryItem
    location: Location
    ledger_document_uri: str | None = None


@dataclass(eq=False, repr=False)
class InventoryAdjustmentGroup(Node):
    typename: ClassVar[str] = "InventoryAdjustmentGroup"
    reason: str = ""
    reference_document_uri: str | None = None
    created_at: datetime | None = None
    changes: list[InventoryChange] = field(default_factory=list)
    app: Any = None
    staff_member: Any = None
