"""Which access scope each top-level field needs, and Shopify's ACCESS_DENIED error for a token without it.

Only the root fields the sandbox serves are listed; a root field not listed needs no scope here (shop,
webhook subscriptions, the app's own installation, jobs, nodes). A `write_x` scope grants `read_x` too.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

_READ_WRITE: dict[str, tuple[str, ...]] = {
    "read_orders": ("orders", "order", "draftOrders"),
    "write_orders": (
        "orderCreate",
        "orderUpdate",
        "orderCapture",
        "orderMarkAsPaid",
        "orderCancel",
        "refundCreate",
    ),
    "write_order_edits": (
        "orderEditBegin",
        "orderEditAddVariant",
        "orderEditSetQuantity",
        "orderEditAddLineItemDiscount",
        "orderEditCommit",
    ),
    "read_products": ("products", "product", "productVariants", "productVariant"),
    "read_locations": ("locations", "location"),
    "read_inventory": ("inventoryItems", "inventoryItem", "inventoryLevel"),
    "write_inventory": ("inventorySetQuantities", "inventoryAdjustQuantities"),
    "read_customers": ("customers", "customer"),
    "write_merchant_managed_fulfillment_orders": (
        "fulfillmentCreate",
        "fulfillmentTrackingInfoUpdate",
        "fulfillmentOrderHold",
        "fulfillmentOrderReleaseHold",
    ),
    "read_shopify_payments_payouts": ("shopifyPaymentsAccount",),
}
REQUIRED_SCOPE: dict[str, str] = {name: scope for scope, names in _READ_WRITE.items() for name in names}
DOCUMENTATION = "https://shopify.dev/api/usage/access-requirements"


def effective(scopes: frozenset[str]) -> frozenset[str]:
    """`scopes` with the read scope each write scope implies."""
    return scopes | {"read_" + s.removeprefix("write_") for s in scopes if s.startswith("write_")}


def access_denied(field_name: str, scope: str) -> GraphQLError:
    required = f"`{scope}` access scope."
    return GraphQLError(
        f"Access denied for {field_name} field. Required access: {required}",
        extensions={"code": "ACCESS_DENIED", "documentation": DOCUMENTATION, "requiredAccess": required},
    )


def check_root_field(info: GraphQLResolveInfo, granted: frozenset[str]) -> None:
    """Raise ACCESS_DENIED when `info` is a top-level field whose scope `granted` lacks."""
    if info.path.prev is not None:
        return
    scope = REQUIRED_SCOPE.get(info.field_name)
    if scope is not None and scope not in granted:
        raise access_denied(info.field_name, scope)


def scoped(resolver: Any, granted: frozenset[str]) -> Any:
    """`resolver`, refusing top-level fields outside `granted` (already widened by `effective`)."""

    def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        check_root_field(info, granted)
        return resolver(source, info, **args)

    return resolve
