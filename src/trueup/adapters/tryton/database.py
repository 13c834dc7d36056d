"""One Tryton database as the adapter's collaborators share it: the JSON-RPC client, the reference data read
once (reference_data.py) and the product rows of the item master. Each collaborator (sales orders, amendments,
credit notes, restocks, item master, stock, shipments) holds this one object and nothing of another's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.reference_data import ReferenceData

# The product that books a tax rounding (and a credit note's money-only lines): a service with no tax, on the
# rounding account. Shipping's product is the configuration's (`shipping_sku`), named on each shipping line.
ROUNDING_PRODUCT = "TAX-ROUNDING"
_PRODUCT_FIELDS = ["code", "type", "sale_uom", "default_uom", "account_category.account_revenue"]


class TrytonDatabase:
    """The client, the reference data and the product rows of one Tryton database."""

    def __init__(self, client: TrytonClient) -> None:
        self.client = client
        self.reference = ReferenceData(client)

    def call(self, model: str, method: str, *args: Any, context: dict[str, Any] | None = None) -> Any:
        """`TrytonClient.call`: the collaborators' one way to Tryton."""
        return self.client.call(model, method, *args, context=context)

    @property
    def company(self) -> int:
        return int(self.client.context["company"])

    def product_rows(self, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The salable products whose codes are `skus`, by code: id, type, units and revenue account
        (`account_revenue`). One call; unknown SKUs are left out."""
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        domain = [("code", "in", wanted), ("salable", "=", True)]
        rows = self.call("product.product", "search_read", domain, 0, None, None, _PRODUCT_FIELDS)
        return {
            row["code"]: {**row, "account_revenue": (row.get("account_category.") or {}).get("account_revenue")}
            for row in rows
        }
