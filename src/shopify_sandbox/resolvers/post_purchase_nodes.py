"""node(id:) / nodes(ids:) also answering with the post-purchase types (H1's list plus these)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.query_root import NODE_TYPES
from shopify_sandbox.resolvers.registry import resolves

POST_PURCHASE_NODE_TYPES = frozenset(
    {
        "FulfillmentHold",
        "FulfillmentLineItem",
        "RefundShippingLine",
        "CalculatedOrder",
        "BulkOperation",
        "ShopifyPaymentsBalanceTransaction",
        "ShopifyPaymentsPayout",
        "ShopifyPaymentsDispute",
        "OrderAdjustment",
    }
)


@resolves("QueryRoot", "node")
def node(_root: Any, info: GraphQLResolveInfo, id: str) -> Any:
    found = state_of(info).by_gid(id)
    return found if found is not None and found.typename in NODE_TYPES | POST_PURCHASE_NODE_TYPES else None


@resolves("QueryRoot", "nodes")
def nodes(_root: Any, info: GraphQLResolveInfo, ids: list[str]) -> list[Any]:
    return [node(_root, info, id=one) for one in ids]
