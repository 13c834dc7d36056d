"""Line items of a new order from OrderCreateLineItemInput: by variant (bundles expanded) or custom."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopify_sandbox.models.catalog import ProductVariant
from shopify_sandbox.models.orders import LineItem, LineItemGroup
from shopify_sandbox.money import Currencies, MoneyBag, allocate, round_cents
from shopify_sandbox.order_pricing import bag_from_input
from shopify_sandbox.state import ShopState


class LineInputError(ValueError):
    def __init__(self, message: str, field: list[str]) -> None:
        super().__init__(message)
        self.field = field


def build_lines(
    state: ShopState, inputs: list[dict[str, Any]], currencies: Currencies, catalog_discount: Decimal
) -> list[LineItem]:
    """The order's line items; a native bundle becomes one line per component, grouped by a LineItemGroup."""
    lines: list[LineItem] = []
    for index, data in enumerate(inputs):
        field = ["order", "lineItems", str(index)]
        if data.get("quantity", 0) <= 0:
            raise LineInputError("Quantity must be greater than 0", [*field, "quantity"])
        variant = None
        if data.get("variantId"):
            variant = state.by_gid(data["variantId"], "ProductVariant")
            if variant is None:
                raise LineInputError("Variant does not exist", [*field, "variantId"])
        unit = _unit_price(data, variant, currencies, catalog_discount)
        if unit is None:
            raise LineInputError("Line items without a variant need a title and a priceSet", field)
        line = _line(state, data, variant, unit)
        line.source_index = index
        if variant is not None and variant.product and variant.product.bundle_components:
            lines.extend(_bundle_components(state, line, variant, currencies))
        else:
            lines.append(line)
    return lines


def _unit_price(
    data: dict[str, Any], variant: ProductVariant | None, currencies: Currencies, catalog_discount: Decimal
) -> MoneyBag | None:
    if data.get("priceSet"):
        return bag_from_input(data["priceSet"], currencies)
    if variant is None:
        return None
    # A B2B company's catalogue: a fixed percentage off the list price.
    return currencies.bag(round_cents(variant.price * (1 - catalog_discount / 100)))


def _line(state: ShopState, data: dict[str, Any], variant: ProductVariant | None, unit: MoneyBag) -> LineItem:
    product = variant.product if variant else None
    title = data.get("title") or (product.title if product else "")
    variant_title = data.get("variantTitle") or (
        variant.title if variant and variant.title != "Default Title" else None
    )
    # The schema defaults taxable to true and requiresShipping to false, so for a variant's line its own
    # settings decide (an explicit taxable: false still wins).
    taxable = data.get("taxable", True) is not False and (variant.taxable if variant else True)
    # requiresShipping defaults to false in the schema: an explicit true wins, a stocked (tracked) item ships.
    requires_shipping = bool(data.get("requiresShipping")) or (variant is not None and _ships(variant))
    return LineItem(
        number=state.new_number("LineItem"),
        title=title,
        name=f"{title} - {variant_title}" if variant_title else title,
        sku=data.get("sku") or (variant.sku if variant else None),
        vendor=data.get("vendor") or (product.vendor if product else None),
        variant=variant,
        variant_title=variant_title,
        quantity=data["quantity"],
        current_quantity=data["quantity"],
        taxable=taxable,
        requires_shipping=requires_shipping,
        is_gift_card=bool(data.get("giftCard")),
        original_unit_price_set=unit,
        custom_attributes=[{"key": p["name"], "value": p["value"]} for p in data.get("properties") or []],
    )


def _bundle_components(
    state: ShopState, bundle_line: LineItem, bundle: ProductVariant, currencies: Currencies
) -> list[LineItem]:
    """Component lines whose prices add up to the bundle's price (largest remainder on list-price weights)."""
    assert bundle.product is not None
    assert bundle_line.original_unit_price_set is not None
    components = bundle.product.bundle_components
    group = state.add(
        LineItemGroup(
            number=state.new_number("LineItemGroup"),
            title=bundle.product.title,
            quantity=bundle_line.quantity,
            variant_id=bundle.id,
            variant_sku=bundle.sku,
            product_id=bundle.product.id,
        )
    )
    weights = [variant.price * per_bundle for variant, per_bundle in components]
    # Split the whole bundle line (unit × quantity) so that the components add up to it exactly.
    bundle_total = bundle_line.original_unit_price_set.times(bundle_line.quantity)
    shop_shares = allocate(bundle_total.shop, weights)
    presentment_shares = allocate(bundle_total.presentment, weights)
    lines = []
    for (variant, per_bundle), shop_share, presentment_share in zip(
        components, shop_shares, presentment_shares, strict=True
    ):
        quantity = per_bundle * bundle_line.quantity
        share = currencies.bag(shop_share, presentment_share)
        component_unit = currencies.bag(shop_share / quantity, presentment_share / quantity)
        line = LineItem(
            number=state.new_number("LineItem"),
            title=variant.product.title if variant.product else variant.title,
            name=variant.display_name,
            sku=variant.sku,
            vendor=variant.product.vendor if variant.product else None,
            variant=variant,
            variant_title=None if variant.title == "Default Title" else variant.title,
            quantity=quantity,
            current_quantity=quantity,
            taxable=bundle_line.taxable,
            requires_shipping=bundle_line.requires_shipping or _ships(variant),
            original_unit_price_set=component_unit,
            line_item_group=group,
            source_index=bundle_line.source_index,
            original_total_override=None if component_unit.times(quantity) == share else share,
        )
        lines.append(line)
    return lines


def _ships(variant: ProductVariant) -> bool:
    """A stocked (tracked) item is a physical good: it needs shipping."""
    item = variant.inventory_item
    return bool(item and item.tracked and item.requires_shipping)
