"""Values as Tryton sends them, read as trueup's: quantities (Float fields) and record ids.

trueup's ports carry ERP ids as opaque strings; this adapter's are the records' numbers ("17"), so the ids the
ledger already holds stay valid.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from trueup.domain.errors import Cause, StructuralError


def decimal_of(value: Any) -> Decimal:
    """A Tryton number (a Float field sends a float) as a Decimal; None or 0 as 0."""
    return Decimal(str(value)).normalize() if value else Decimal(0)


def units(value: Any) -> Decimal:
    """A stock quantity, never below zero (a negative stock promises nothing)."""
    return max(decimal_of(value), Decimal(0))


def erp_id(record_id: int) -> str:
    """A Tryton record id as trueup's opaque ERP id."""
    return str(record_id)


def record_id(erp_id: str, model: str) -> int:
    """The Tryton record id of an ERP id this adapter gave out; StructuralError for one it did not."""
    try:
        return int(erp_id)
    except (TypeError, ValueError):
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"{erp_id!r} is not the id of a Tryton {model}") from None
