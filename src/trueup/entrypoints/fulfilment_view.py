"""`trueup status`: the ERP shipments that could not be fulfilled in Shopify, by cause."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from trueup.entrypoints.terminal import order_name, table


def render_unfulfilled(groups: Sequence[dict[str, Any]], console: Console) -> None:
    if not groups:
        return
    rows = []
    for group in groups:
        example = group["examples"][0] if group["examples"] else {"shipment": "", "order": "", "detail": ""}
        rows.append(
            (
                group["cause"],
                group["count"],
                group["what_to_do"],
                f"{order_name(example['order'], example.get('shop', ''))}, shipment {example['shipment']}: "
                f"{example['detail']}",
            )
        )
    console.print(table("Shipments not fulfilled in Shopify", ("cause", "shipments", "what to do", "e.g."), rows))
