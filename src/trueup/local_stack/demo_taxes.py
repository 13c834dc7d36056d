"""Taxes for a demo or test database, matching the Shopify tax lines a shop charges.

Each Shopify tax line ("Texas State Tax" at 6.25 %) gets an ERP tax named by its mapping key
("Texas State Tax 6.25"), made as a copy of the demo business's first tax so it books to the same accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from trueup.adapters.tryton.jsonrpc import TrytonClient


def ensure_taxes(client: TrytonClient, taxes: Iterable[tuple[str, Decimal]]) -> dict[str, str]:
    """Create the missing percentage taxes for `(name, rate)` pairs; returns {name: ERP tax name}."""
    wanted = dict(taxes)
    existing = {
        row["name"]
        for row in client.call("account.tax", "search_read", [("name", "in", list(wanted))], 0, None, None, ["name"])
    }
    missing = [name for name in wanted if name not in existing]
    if missing:
        (model,) = client.call("account.tax", "search", [("type", "=", "percentage")], 0, 1, [("id", "ASC")])
        for name in missing:
            client.call("account.tax", "copy", [model], {"name": name, "description": name, "rate": wanted[name]})
    return {name: name for name in wanted}
