"""What changed in Shopify since an order was posted, and whether the warehouse is past the point of taking it.

The ERP sale is compared with the order mapped again: goods quantities by SKU (kits as their components,
as they were posted), the shipping address as the ERP keeps it, and the total. The difference is spelled
out for a person in business terms, never with customer details (an address is only "changed").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Address
from trueup.domain.sales import STAGE_ORDER, SaleProgress, SalesOrderRequest, ShipmentProgress, ShipmentStage


class CutOff(StrEnum):
    """The warehouse stage from which Shopify-side changes are no longer applied to the ERP."""

    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"


@dataclass(frozen=True)
class PostPurchasePolicy:
    """How changes after posting are handled: the cut-off, and how long a new order is held first."""

    cut_off: CutOff = CutOff.PICKED
    hold_minutes: int = 0  # 0: orders post as soon as they are paid


def cut_off_reached(progress: SaleProgress, cut_off: CutOff) -> bool:
    """Whether any of the sale's shipments (not cancelled) has reached `cut_off`, or goods have left."""
    limit = STAGE_ORDER.index(ShipmentStage(cut_off.value))
    reached = any(
        s.stage != ShipmentStage.CANCELLED and STAGE_ORDER.index(s.stage) >= limit for s in progress.shipments
    )
    return reached or any(line.shipped > 0 for line in progress.lines)


def furthest_shipment(progress: SaleProgress) -> ShipmentProgress | None:
    """The live shipment of the sale the warehouse has taken furthest (None without one)."""
    live = [s for s in progress.shipments if s.stage != ShipmentStage.CANCELLED]
    return max(live, key=lambda s: STAGE_ORDER.index(s.stage)) if live else None


@dataclass(frozen=True)
class LineChange:
    """One SKU whose quantity differs: `before` in the ERP sale, `after` in the order now."""

    sku: str
    before: Decimal
    after: Decimal

    def describe(self) -> str:
        if self.before == 0:
            return f"{self.sku} added ({_qty(self.after)})"
        if self.after == 0:
            return f"{self.sku} removed ({_qty(self.before)})"
        return f"{self.sku} quantity {_qty(self.before)} -> {_qty(self.after)}"


@dataclass(frozen=True)
class SaleChanges:
    """The difference between the posted ERP sale and the order as Shopify holds it now."""

    lines: tuple[LineChange, ...] = ()
    address_changed: bool = False
    total_before: Money | None = None  # set only when the totals differ
    total_after: Money | None = None

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.address_changed and self.total_before is None

    def items(self) -> list[str]:
        """Each change in a few words, for `needs` and the detail shown to a person."""
        described = [line.describe() for line in self.lines]
        if self.address_changed:
            described.append("shipping address changed")
        if self.total_before is not None and self.total_after is not None:
            described.append(f"total {self.total_before} -> {self.total_after}")
        return described

    def describe(self) -> str:
        return "; ".join(self.items())


def sale_changes(progress: SaleProgress, wanted: SalesOrderRequest) -> SaleChanges:
    """What must change in the ERP sale (`progress`) for it to be `wanted` (the order mapped again)."""
    before = _quantities_by_sku((line.sku, line.quantity) for line in progress.lines)
    after = _quantities_by_sku((line.sku, line.quantity) for line in wanted.lines if not line.is_shipping)
    lines = tuple(
        LineChange(sku, before.get(sku, Decimal(0)), after.get(sku, Decimal(0)))
        for sku in sorted(before.keys() | after.keys())
        if before.get(sku, Decimal(0)) != after.get(sku, Decimal(0))
    )
    expected = (wanted.untaxed + wanted.expected_tax).rounded()
    total_differs = progress.total.rounded() != expected
    return SaleChanges(
        lines=lines,
        address_changed=not same_address(progress.shipment_address, wanted.shipment_address),
        total_before=progress.total.rounded() if total_differs else None,
        total_after=expected if total_differs else None,
    )


def same_address(erp: Address | None, shopify: Address | None) -> bool:
    """Whether two shipping addresses are the same place for the warehouse, as far as the ERP keeps one
    (recipient, street, postcode, city, country), ignoring case and spacing. No address on the Shopify
    side (nothing to ship) never counts as a change."""
    if shopify is None:
        return True
    if erp is None:
        return False
    return _address_key(erp) == _address_key(shopify)


def _address_key(address: Address) -> tuple[str, ...]:
    street = " ".join(part for part in (address.address1, address.address2) if part)
    parts = (address.name, street, address.zip, address.city, address.country_code)
    return tuple(" ".join(part.split()).casefold() for part in parts)


def _quantities_by_sku(lines: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    quantities: dict[str, Decimal] = {}
    for sku, quantity in lines:
        if sku:
            quantities[sku] = quantities.get(sku, Decimal(0)) + Decimal(quantity)
    return {sku: q for sku, q in quantities.items() if q != 0}


def _qty(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


CANCELLED_IN_SHOPIFY = "order cancelled"


def changed_after_cut_off(
    order_name: str, progress: SaleProgress, changes: SaleChanges | None, cut_off: CutOff
) -> StructuralError:
    """The exception for a person: what changed (`changes`, or None for a cancellation), how far the warehouse
    is, and what to stop. `needs["changes"]` lists the difference, as `accept` takes it."""
    shipment = furthest_shipment(progress)
    where = (
        f"shipment {shipment.number} of {progress.number} is {shipment.stage}"
        if shipment
        else f"goods of {progress.number} have left"
    )
    if changes is None:
        detail = f"{order_name} cancelled in Shopify after the cut-off ({cut_off}): {where}. Stop the parcel."
        return StructuralError(Cause.CHANGED_AFTER_CUT_OFF, detail, needs={"changes": [CANCELLED_IN_SHOPIFY]})
    lead = "shipping address changed" if changes.address_changed and not changes.lines else "order edited"
    detail = (
        f"{lead} in Shopify after the cut-off ({cut_off}): {where}. Not applied: {changes.describe()}. "
        "Stop the parcel" + (" and correct its address." if changes.address_changed else " and amend it.")
    )
    return StructuralError(Cause.CHANGED_AFTER_CUT_OFF, detail, needs={"changes": changes.items()})


def accepted_as(needs: dict[str, list[str]]) -> str:
    """How a change after the cut-off is remembered once a person accepts it (its `needs`, in one line)."""
    return "; ".join(needs.get("changes", []))
