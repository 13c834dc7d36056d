"""Seeded, reproducible trading: a shop to seed the sandbox with, and a plan of orders and follow-ups
(edits, address changes, cancellations, partial refunds) as Shopify Admin GraphQL operations.

    shop = generate_shop(7)
    plan = generate_trading(7, shop, orders=200, profile="black_friday")

`trading.cli.register(app)` adds the `trade` command that plays a plan against a running sandbox.
"""

from shopify_sandbox.trading.catalogue import generate_shop
from shopify_sandbox.trading.curve import PROFILES, orders_per_minute
from shopify_sandbox.trading.follow_ups import Operation, PlannedRefund
from shopify_sandbox.trading.order_money import Money, OrderTotals
from shopify_sandbox.trading.orders import PlannedOrder
from shopify_sandbox.trading.plan import TradeAction, generate_trading

__all__ = [
    "PROFILES",
    "Money",
    "Operation",
    "OrderTotals",
    "PlannedOrder",
    "PlannedRefund",
    "TradeAction",
    "generate_shop",
    "generate_trading",
    "orders_per_minute",
]
