"""`trueup status` lines for orders in their hold window and orders cancelled after posting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console

from trueup.entrypoints.terminal import order_name, say


def _in(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def render_post_purchase(
    held: Sequence[Mapping[str, object]], cancelled: Sequence[Mapping[str, str]], console: Console
) -> None:
    for order in held:
        name = order_name(order["order"], order.get("shop", ""))
        if order["overdue"]:
            say(
                console,
                f"Held {name}: its window ended at {order['held_until']} and it has not posted "
                "(are the workers running?)",
                "red",
            )
        else:
            left = float(str(order["seconds_left"]))
            say(
                console,
                f"Held {name}: posts in {_in(left)} ({order['held_until']}); `trueup release` to post now",
            )
    for order in cancelled:
        name = order_name(order["order"], order.get("shop", ""))
        say(console, f"Cancelled {name}: ERP sale {order['erp_number']} cancelled")
