"""`trueup status`: the ERP shipments that could not be fulfilled in Shopify, by cause."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table


def render_unfulfilled(groups: Sequence[dict[str, Any]], console: Console) -> None:
    if not groups:
        return
    table = Table(title="Shipments not fulfilled in Shopify")
    for column in ("cause", "shipments", "what to do", "e.g."):
        table.add_column(column)
    for group in groups:
        example = group["examples"][0] if group["examples"] else {"shipment": "", "order": "", "detail": ""}
        table.add_row(
            group["cause"],
            str(group["count"]),
            group["what_to_do"],
            f"{example['order']} ({example['shipment']}): {example['detail']}",
        )
    console.print(table)
