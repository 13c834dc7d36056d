"""Who a sales order is for in the ERP, under which payment terms, and what it says about the sale.

- A B2B order (Shopify `purchasingEntity` is a company) posts to the company's own party, one per Shopify
  company (party code `SHOPIFY-COMPANY-<n>`), never to the contact person who placed it; it is invoiced to
  the company location's billing address.
- A customer with a Shopify account posts to that customer's party (the back-office matches it by Shopify
  id, then by e-mail).
- A guest checkout follows the configured `GuestRule`.
- Shopify payment terms ("Net 30") are mapped to an ERP payment term by configuration; an unmapped one parks
  the order rather than posting it with the ERP's default terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import Address, Customer, ShopifyOrder

GUEST_PARTY_CODE = "SHOPIFY-GUESTS"
GUEST_PARTY_NAME = "Shopify guest checkouts"


class GuestRule(StrEnum):
    """Where a guest checkout (an order with no Shopify customer account) is posted."""

    # One party per e-mail address (a returning guest is one party); a guest with no e-mail goes to the
    # shared guest party.
    BY_EMAIL = "by_email"
    # Every guest order goes to the one shared guest party; the order's addresses still go on the sale.
    SHARED = "shared"


def company_party_code(shopify_company_id: str) -> str:
    """The ERP party code of a Shopify company: stable, and distinct from any customer's code."""
    return f"SHOPIFY-COMPANY-{shopify_company_id.rsplit('/', 1)[-1]}"


def shared_guest() -> Customer:
    """The one party guest checkouts share under `GuestRule.SHARED` (no personal data on it)."""
    return Customer(shopify_id=None, email="", first_name=GUEST_PARTY_NAME, last_name="", erp_code=GUEST_PARTY_CODE)


def sales_customer(order: ShopifyOrder, guest_rule: GuestRule = GuestRule.BY_EMAIL) -> Customer:
    """The party the ERP sale is for; raises StructuralError(INVALID_CUSTOMER_DATA) when there is none."""
    if order.company is not None:
        company = order.company
        # No e-mail on the company party: the contact's address would make the contact's own retail
        # orders match the company.
        return Customer(
            shopify_id=company.shopify_id,
            email="",
            first_name=company.name,
            last_name="",
            erp_code=company_party_code(company.shopify_id),
        )
    customer = order.customer
    if customer is not None and customer.shopify_id:
        return customer
    if customer is None and order.shipping_address is None and order.billing_address is None:
        raise StructuralError(Cause.INVALID_CUSTOMER_DATA, "the order has no customer, no e-mail and no address")
    if guest_rule is GuestRule.SHARED or customer is None or not customer.email.strip():
        return shared_guest()
    return customer


def sales_addresses(order: ShopifyOrder) -> tuple[Address | None, Address | None]:
    """(invoice, shipment) addresses. A company is invoiced at its location's billing address; goods go
    where the order says (Shopify copies the location's shipping address there at checkout)."""
    invoice = order.billing_address
    shipment = order.shipping_address
    if order.company is not None:
        invoice = order.company.billing_address or invoice
        shipment = shipment or order.company.shipping_address
    return invoice or shipment, shipment


def erp_payment_term(order: ShopifyOrder, mapping: Mapping[str, str]) -> str | None:
    """The ERP payment term of the order's Shopify payment terms; None (the ERP's default) if it has none."""
    name = order.payment_terms
    if name is None:
        return None
    if name not in mapping:
        raise StructuralError(
            Cause.UNMAPPED_PAYMENT_TERM,
            f"Shopify payment terms {name!r} have no ERP payment term",
        )
    return mapping[name]


def sale_note(order: ShopifyOrder) -> str | None:
    """What the sale records besides its lines: the buyer's PO number and, for an order paid in another
    currency than the shop's, what the customer was charged in it."""
    parts = []
    if order.po_number:
        parts.append(f"PO number: {order.po_number}")
    if order.company is not None and order.company.location_name:
        parts.append(f"Company location: {order.company.location_name}")
    presented = order.presentment_total
    if presented is not None and presented.currency != order.currency:
        charged = f"Charged in {presented.currency}: total {presented.amount}"
        if order.presentment_tax is not None:
            charged += f", tax {order.presentment_tax.amount}"
        parts.append(f"{charged} (posted in the shop currency {order.currency})")
    return "\n".join(parts) or None
