"""The QueryRoot fields: shop, catalogue, inventory, orders, customers, node(s)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import resolves
from shopify_sandbox.search_query import filter_items

# Types node(id:) may answer with (what the state stores under these names).
NODE_TYPES = frozenset(
    {
        "Order",
        "LineItem",
        "Product",
        "ProductVariant",
        "InventoryItem",
        "InventoryLevel",
        "Location",
        "Customer",
        "Company",
        "CompanyLocation",
        "CompanyContact",
        "FulfillmentOrder",
        "Fulfillment",
        "OrderTransaction",
        "Refund",
        "WebhookSubscription",
        "InventoryAdjustmentGroup",
    }
)

ORDER_SORT_KEYS = {
    "ID": lambda o: o.number,
    "CREATED_AT": lambda o: o.created_at,
    "UPDATED_AT": lambda o: o.updated_at,
    "PROCESSED_AT": lambda o: o.processed_at,
    "ORDER_NUMBER": lambda o: o.order_number,
    "TOTAL_PRICE": lambda o: o.total_price_set.shop,
    "PO_NUMBER": lambda o: o.po_number or "",
}
ORDER_SEARCH_FIELDS = {
    "id": lambda o: o.number,
    "updated_at": lambda o: o.updated_at,
    "created_at": lambda o: o.created_at,
    "processed_at": lambda o: o.processed_at,
    "name": lambda o: o.name,
    "email": lambda o: o.email,
    "tag": lambda o: o.tags,
    "financial_status": lambda o: (o.display_financial_status or "").lower(),
    "fulfillment_status": lambda o: o.display_fulfillment_status.lower(),
    "status": lambda o: "cancelled" if o.cancelled_at else ("closed" if o.closed_at else "open"),
    "sku": lambda o: [line.sku for line in o.line_items if line.sku],
    "po_number": lambda o: o.po_number,
}


@resolves("QueryRoot", "shop")
def shop(_root: Any, info: GraphQLResolveInfo) -> Any:
    return state_of(info).shop


def _listing(info: GraphQLResolveInfo, typename: str, search_fields: dict[str, Any], **args: Any) -> Connection:
    items = filter_items(state_of(info).all(typename), args.pop("query", None), search_fields)
    return paginate(items, **args)


@resolves("QueryRoot", "locations")
@resolves("Shop", "locations")
def locations(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    include_inactive = args.pop("includeInactive", False)
    items = [loc for loc in state_of(info).all("Location") if include_inactive or loc.is_active]
    args.pop("sortKey", None), args.pop("includeLegacy", None)
    items = filter_items(items, args.pop("query", None), {"name": lambda loc: loc.name, "id": lambda loc: loc.number})
    return paginate(items, **args)


@resolves("QueryRoot", "products")
@resolves("Shop", "products")
def products(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None), args.pop("savedSearchId", None)
    fields = {
        "title": lambda p: p.title,
        "sku": lambda p: [v.sku for v in p.variants],
        "vendor": lambda p: p.vendor,
        "updated_at": lambda p: p.updated_at,
        "id": lambda p: p.number,
    }
    return _listing(info, "Product", fields, **args)


@resolves("QueryRoot", "productVariants")
@resolves("Shop", "productVariants")
def product_variants(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None), args.pop("savedSearchId", None)
    fields = {
        "sku": lambda v: v.sku,
        "id": lambda v: v.number,
        "updated_at": lambda v: v.updated_at,
        "product_id": lambda v: v.product.number,
    }
    return _listing(info, "ProductVariant", fields, **args)


@resolves("QueryRoot", "inventoryItems")
@resolves("Shop", "inventoryItems")
def inventory_items(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    fields = {"sku": lambda i: i.sku, "id": lambda i: i.number, "updated_at": lambda i: i.updated_at}
    return _listing(info, "InventoryItem", fields, **args)


@resolves("QueryRoot", "customers")
@resolves("Shop", "customers")
def customers(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None)
    fields = {"email": lambda c: c.email, "id": lambda c: c.number, "updated_at": lambda c: c.updated_at}
    return _listing(info, "Customer", fields, **args)


@resolves("QueryRoot", "companies")
def companies(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None)
    fields = {"name": lambda c: c.name, "external_id": lambda c: c.external_id, "id": lambda c: c.number}
    return _listing(info, "Company", fields, **args)


@resolves("QueryRoot", "companyLocations")
def company_locations(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None)
    fields = {"name": lambda c: c.name, "external_id": lambda c: c.external_id, "id": lambda c: c.number}
    return _listing(info, "CompanyLocation", fields, **args)


@resolves("QueryRoot", "orders")
@resolves("Shop", "orders")
def orders(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    sort_key = ORDER_SORT_KEYS.get(args.pop("sortKey", None) or "ID", ORDER_SORT_KEYS["ID"])
    args.pop("savedSearchId", None)
    items = filter_items(state_of(info).all("Order"), args.pop("query", None), ORDER_SEARCH_FIELDS)
    return paginate(items, sort_key, **args)


def _by_id(typename: str) -> Any:
    def resolve(_root: Any, info: GraphQLResolveInfo, id: str | None = None, **_args: Any) -> Any:
        if id is None:  # location() without an id is the shop's primary location
            return next((loc for loc in state_of(info).all("Location") if loc.is_primary), None)
        return state_of(info).by_gid(id, typename)

    return resolve


for _field, _typename in {
    "order": "Order",
    "product": "Product",
    "productVariant": "ProductVariant",
    "inventoryItem": "InventoryItem",
    "inventoryLevel": "InventoryLevel",
    "location": "Location",
    "customer": "Customer",
    "company": "Company",
    "companyLocation": "CompanyLocation",
    "fulfillmentOrder": "FulfillmentOrder",
    "fulfillment": "Fulfillment",
    "refund": "Refund",
}.items():
    resolves("QueryRoot", _field)(_by_id(_typename))


@resolves("QueryRoot", "node")
def node(_root: Any, info: GraphQLResolveInfo, id: str, **_args: Any) -> Any:
    found = state_of(info).by_gid(id)
    return found if found is not None and found.typename in NODE_TYPES else None


@resolves("QueryRoot", "nodes")
def nodes(_root: Any, info: GraphQLResolveInfo, ids: list[str], **_args: Any) -> list[Any]:
    return [node(_root, info, id=one) for one in ids]
