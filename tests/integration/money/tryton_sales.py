"""What a sale holds in Tryton, read back the way a person would check it: its lines, in order."""

from __future__ import annotations

from decimal import Decimal

from trueup.adapters.tryton.jsonrpc import TrytonClient


def sale_lines(client: TrytonClient, sale_id: int) -> list[tuple[str, Decimal, Decimal]]:
    """(product code, quantity, amount) of each line of the sale, in the sale's order."""
    rows = client.call(
        "sale.line",
        "search_read",
        [("sale", "=", sale_id)],
        0,
        None,
        [("sequence", "ASC"), ("id", "ASC")],
        ["product.code", "quantity", "amount"],
    )
    return [(row["product."]["code"], Decimal(str(row["quantity"])), row["amount"]) for row in rows]
