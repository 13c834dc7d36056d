"""Fields of the catalogue and inventory types that are computed rather than stored."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.models.catalog import (
    QUANTITY_NAMES,
    InventoryItem,
    InventoryLevel,
    Location,
    Product,
    ProductVariant,
)
from shopify_sandbox.resolvers.context import state_of
from shopify_sandbox.resolvers.registry import NotImplementedBySandbox, resolves


@resolves("Product", "variants")
def product_variants(product: Product, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(product.variants, lambda v: v.position, **args)


@resolves("Product", "totalInventory")
def product_total_inventory(product: Product, info: GraphQLResolveInfo) -> int:
    return sum(variant_inventory_quantity(v, info) or 0 for v in product.variants)


@resolves("ProductVariant", "inventoryQuantity")
def variant_inventory_quantity(variant: ProductVariant, _info: GraphQLResolveInfo) -> int | None:
    item = variant.inventory_item
    if item is None or not item.tracked:
        return None
    return sum(level.quantity("available") for level in item.levels.values())


@resolves("ProductVariant", "productVariantComponents")
def variant_components(variant: ProductVariant, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    components = variant.product.bundle_components if variant.product else []
    rows = [
        _Component(number=index, product_variant=component, quantity=quantity)
        for index, (component, quantity) in enumerate(components, start=1)
    ]
    return paginate(rows, **args)


class _Component:
    typename = "ProductVariantComponent"

    def __init__(self, number: int, product_variant: ProductVariant, quantity: int) -> None:
        self.number = number
        self.product_variant = product_variant
        self.quantity = quantity
        self.id = f"gid://shopify/ProductVariantComponent/{product_variant.number}{number}"


@resolves("InventoryItem", "inventoryLevels")
def item_levels(item: InventoryItem, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    return paginate(list(item.levels.values()), **args)


@resolves("InventoryItem", "inventoryLevel")
def item_level(item: InventoryItem, info: GraphQLResolveInfo, locationId: str, **_args: Any) -> InventoryLevel | None:
    location = state_of(info).by_gid(locationId, "Location")
    return None if location is None else item.levels.get(location.number)


@resolves("InventoryItem", "locationsCount")
def item_locations_count(item: InventoryItem, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return {"count": len(item.levels), "precision": "EXACT"}


@resolves("Location", "inventoryLevels")
def location_levels(location: Location, info: GraphQLResolveInfo, **args: Any) -> Connection:
    levels = [lvl for lvl in state_of(info).all("InventoryLevel") if lvl.location is location]
    args.pop("query", None)
    return paginate(levels, **args)


@resolves("Location", "inventoryLevel")
def location_level(
    location: Location, info: GraphQLResolveInfo, inventoryItemId: str, **_args: Any
) -> InventoryLevel | None:
    item = state_of(info).by_gid(inventoryItemId, "InventoryItem")
    return None if item is None else item.levels.get(location.number)


@resolves("InventoryLevel", "quantities")
def level_quantities(
    level: InventoryLevel, _info: GraphQLResolveInfo, names: list[str], **_args: Any
) -> list[dict[str, Any]]:
    """Shopify's `quantities(names:)`: one entry per requested name, unknown names are an error."""
    unknown = [name for name in names if name not in QUANTITY_NAMES]
    if unknown:
        raise GraphQLError(f"Invalid quantity name(s): {', '.join(unknown)}. Valid names: {', '.join(QUANTITY_NAMES)}")
    return [
        {
            "__typename": "InventoryQuantity",
            "id": f"gid://shopify/InventoryQuantity/{level.number}?inventory_item_id="
            f"{level.item.number if level.item else 0}&name={name}",
            "name": name,
            "quantity": level.quantity(name),
            "updatedAt": level.updated_at,
        }
        for name in names
    ]


@resolves("Shop", "plan")
def shop_plan(_shop: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    plan = state_of(info).plan_name
    return {
        "displayName": plan.title(),
        "publicDisplayName": plan.title(),
        "partnerDevelopment": False,
        "shopifyPlus": plan in ("plus", "enterprise"),
    }


@resolves("Shop", "primaryDomain")
def shop_primary_domain(shop: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return {
        "__typename": "Domain",
        "id": f"gid://shopify/Domain/{shop.number}",
        "host": shop.myshopify_domain,
        "url": shop.url,
        "sslEnabled": True,
    }


@resolves("Company", "locations")
def company_locations(company: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None), args.pop("query", None)
    return paginate(company.locations, **args)


@resolves("Company", "contacts")
def company_contacts(company: Any, _info: GraphQLResolveInfo, **args: Any) -> Connection:
    args.pop("sortKey", None), args.pop("query", None)
    return paginate(company.contacts, **args)


@resolves("CompanyLocation", "buyerExperienceConfiguration")
def company_location_buyer_experience(location: Any, _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    if location.payment_terms_name is None:
        return {"paymentTermsTemplate": None, "checkoutToDraft": False, "editableShippingAddress": True}
    days = int("".join(c for c in location.payment_terms_name if c.isdigit()) or 0)
    template = {
        "id": f"gid://shopify/PaymentTermsTemplate/{days or 1}",
        "name": location.payment_terms_name,
        "paymentTermsType": "NET",
        "dueInDays": days,
        "translatedName": location.payment_terms_name,
    }
    return {"paymentTermsTemplate": template, "checkoutToDraft": False, "editableShippingAddress": True}


@resolves("Customer", "defaultEmailAddress")
def customer_email(customer: Any, _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return None if customer.email is None else {"emailAddress": customer.email, "marketingState": "NOT_SUBSCRIBED"}


@resolves("Customer", "defaultPhoneNumber")
def customer_phone(customer: Any, _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return None if customer.phone is None else {"phoneNumber": customer.phone, "marketingState": "NOT_SUBSCRIBED"}


@resolves("Product", "bundleComponents")
def product_bundle_components(product: Product, _info: GraphQLResolveInfo, **_args: Any) -> Connection:
    # The model keeps (variant, quantity) pairs, which are not ProductBundleComponent objects: say so rather
    # than answer something shaped wrong. Bundles are readable through ProductVariant.productVariantComponents.
    raise NotImplementedBySandbox("Product", "bundleComponents")
