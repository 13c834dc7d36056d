"""From a Shopify order to the sales order the ERP must hold: lines at the prices actually charged.

Totals are preserved by construction: each ERP line carries its exact net amount, also when it does not
divide evenly by the quantity; the back-office adapter expresses it in the ERP's precision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from trueup.domain.bundles import ComponentShare, KitComponent, explode_kit
from trueup.domain.buyers import GuestRule, erp_payment_term, sale_note, sales_addresses, sales_customer
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money, total
from trueup.domain.orders import OrderLine, ShippingLine, ShopifyOrder
from trueup.domain.party_fields import MetafieldMapping, party_field_values
from trueup.domain.sales import PostedSale, SalesLine, SalesOrderRequest
from trueup.domain.taxes import TaxLine, erp_tax_codes, shopify_rates, tax_by_erp_tax

SHIPPING_SKU = "SHIPPING"


@dataclass(frozen=True)
class PostingPolicy:
    """How a shop's orders are posted: tax mapping and where the goods ship from."""

    # Shopify tax line key ("<title> <rate as percent>", e.g. "VAT 20") -> ERP tax code.
    taxes: Mapping[str, str] = field(default_factory=dict)
    warehouse: str | None = None
    shipping_sku: str = SHIPPING_SKU
    # The largest difference between the ERP's tax and Shopify's booked as rounding (shop currency).
    tax_rounding_tolerance: Decimal = Decimal("0.05")
    # Shopify payment terms name ("Net 30") -> ERP payment term name; unmapped terms park the order.
    payment_terms: Mapping[str, str] = field(default_factory=dict)
    guest_rule: GuestRule = GuestRule.BY_EMAIL
    # Single-SKU bundles defined in configuration, by SKU: they complement the ERP's kits and override them
    # for the SKUs named. A component without an explicit weight is weighted by the ERP's list price.
    bundles: Mapping[str, tuple[KitComponent, ...]] = field(default_factory=dict)
    # Shopify customer and company metafields -> ERP party fields.
    party_metafields: tuple[MetafieldMapping, ...] = ()
    # Shopify location id (numeric or gid) -> the ERP warehouse its goods ship from (fulfilment by location).
    locations: Mapping[str, str] = field(default_factory=dict)
    # Park an order whose ERP tax differs from Shopify's beyond the tolerance (default: post it with Shopify's
    # tax and report a tax variance to finance).
    park_on_tax_variance: bool = False


def order_reference(order: ShopifyOrder) -> str:
    """The external reference a shop order carries in the ERP: unique per shop, stable across retries."""
    return f"shopify:{order.shop}:{order.numeric_id}"


def _untaxed(net: Money, tax: Money, taxes_included: bool) -> Money:
    """The amount before tax: ERP prices exclude tax, so an inclusive price gives up Shopify's tax."""
    return net - tax if taxes_included else net


def _product_lines(line: OrderLine, policy: PostingPolicy, taxes_included: bool) -> list[SalesLine]:
    codes = erp_tax_codes(line.taxes, policy.taxes)
    untaxed = _untaxed(line.net, line.tax, taxes_included)
    quantity = Decimal(line.quantity)
    unit_price = Money(untaxed.amount / quantity, untaxed.currency)
    return [SalesLine(line.sku, line.title, quantity, unit_price, codes, net_amount=untaxed)]


def _goods_lines(
    order: ShopifyOrder, policy: PostingPolicy, kits: Mapping[str, Sequence[KitComponent]]
) -> list[SalesLine]:
    inclusive = order.taxes_included
    lines: list[SalesLine] = []
    for line in order.lines:
        if line.quantity <= 0:
            continue
        components = kits.get(line.sku)
        if components:
            lines += _component_lines(line, components, policy, inclusive)
        else:
            lines += _product_lines(line, policy, inclusive)
    return lines


def _component_lines(
    line: OrderLine, components: Sequence[KitComponent], policy: PostingPolicy, taxes_included: bool
) -> list[SalesLine]:
    """A single-SKU bundle as its components (the warehouse picks those), each at its exact share."""
    codes = erp_tax_codes(line.taxes, policy.taxes)
    return [_share_line(share, codes, taxes_included) for share in explode_kit(line, components)]


def _share_line(share: ComponentShare, codes: tuple[str, ...], taxes_included: bool) -> SalesLine:
    untaxed = _untaxed(share.net, share.tax, taxes_included)
    unit_price = Money(untaxed.amount / share.quantity, untaxed.currency)
    description = f"{share.bundle_title} ({share.bundle_sku}): {share.sku}"
    return SalesLine(share.sku, description, share.quantity, unit_price, codes, net_amount=untaxed)


def _shipping_line(shipping: ShippingLine, policy: PostingPolicy, taxes_included: bool) -> SalesLine:
    return SalesLine(
        sku=policy.shipping_sku,
        description=shipping.title,
        quantity=Decimal(1),
        unit_price=_untaxed(shipping.net, shipping.tax, taxes_included),
        tax_codes=erp_tax_codes(shipping.taxes, policy.taxes),
        is_shipping=True,
    )


def _check_lines(order: ShopifyOrder) -> None:
    missing = [line.title for line in order.lines if line.quantity > 0 and not line.sku]
    if missing:
        raise StructuralError(
            Cause.SKU_NOT_IN_ITEM_MASTER, f"{len(missing)} line(s) have no SKU in Shopify", needs={"skus": [""]}
        )


def build_sales_order(
    order: ShopifyOrder, policy: PostingPolicy, kits: Mapping[str, Sequence[KitComponent]] | None = None
) -> SalesOrderRequest:
    """The ERP sales order for `order`; raises StructuralError naming what is missing.

    Lines with no quantity left (removed by an edit) are left out. A line whose SKU is in `kits` (the ERP's
    kit definitions, by SKU) posts as its components. Checks that the lines, shipping and tax add up to
    Shopify's total before anything is posted.
    """
    _check_lines(order)
    invoice_address, shipment_address = sales_addresses(order)
    inclusive = order.taxes_included
    lines = _goods_lines(order, policy, kits or {})
    lines += [_shipping_line(s, policy, inclusive) for s in order.shipping if not s.price.is_zero()]
    customer = sales_customer(order, policy.guest_rule)
    request = SalesOrderRequest(
        reference=order_reference(order),
        description=order.name,
        currency=order.currency,
        customer=customer,
        invoice_address=invoice_address,
        shipment_address=shipment_address,
        lines=tuple(lines),
        expected_untaxed=total([line.amount for line in lines], order.currency),
        expected_tax=order.total_tax,
        warehouse=policy.warehouse,
        po_number=order.po_number,
        payment_term=erp_payment_term(order, policy.payment_terms),
        note=sale_note(order),
        party_fields=party_field_values(order, policy.party_metafields, own_party=customer.shopify_id is not None),
        tax_rounding_tolerance=Money(policy.tax_rounding_tolerance, order.currency),
        expected_taxes=tuple(sorted(tax_by_erp_tax(_charged_taxes(order), policy.taxes, order.currency).items())),
        tax_rates=tuple(sorted(shopify_rates(_charged_taxes(order), policy.taxes).items())),
        park_on_tax_variance=policy.park_on_tax_variance,
    )
    check_totals(order, request)
    return request


def _charged_taxes(order: ShopifyOrder) -> list[TaxLine]:
    """Every tax line Shopify charged on what the sale books: its goods and its priced shipping."""
    goods = [tax for line in order.lines if line.quantity > 0 for tax in line.taxes]
    return goods + [tax for s in order.shipping if not s.price.is_zero() for tax in s.taxes]


def check_totals(order: ShopifyOrder, request: SalesOrderRequest) -> None:
    """Lines + shipping − discounts + tax must equal Shopify's total, or the order is not posted."""
    expected = request.untaxed + request.expected_tax
    if expected.rounded() != order.total_price.rounded():
        raise StructuralError(
            Cause.TOTALS_MISMATCH,
            f"the order's parts add up to {expected} but Shopify's total is {order.total_price}",
        )


def check_posted_totals(order: ShopifyOrder, sale: PostedSale) -> None:
    """After posting: the ERP's sale must total what Shopify charged, to the cent.

    A tax rounding within tolerance is already booked on the sale as its own line, so the totals agree
    exactly; any difference left is a mismatch for a person, with both figures.
    """
    erp, shopify = sale.total.rounded(), order.total_price.rounded()
    if erp != shopify:
        raise StructuralError(
            Cause.TOTALS_MISMATCH,
            f"the ERP's sale {sale.number} totals {erp} (untaxed {sale.untaxed}, tax {sale.tax}) "
            f"but Shopify's total is {shopify} (difference {shopify - erp})",
        )
