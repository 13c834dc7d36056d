"""Who an order is for: the customer (associated or upserted) or a B2B company location, and its terms."""

from __future__ import annotations

import re
from typing import Any

from shopify_sandbox.models.addresses import MailingAddress
from shopify_sandbox.models.catalog import CompanyLocation, Customer
from shopify_sandbox.models.orders import PaymentTerms, PurchasingCompany
from shopify_sandbox.state import ShopState


def find_customer(state: ShopState, customer_id: str | None, email: str | None) -> Customer | None:
    if customer_id:
        return state.by_gid(customer_id, "Customer")
    if email:
        return next((c for c in state.all("Customer") if c.email and c.email.lower() == email.lower()), None)
    return None


def resolve_customer(state: ShopState, order_input: dict[str, Any]) -> Customer | None:
    """The customer of OrderCreateOrderInput.customer (toAssociate / toUpsert) or the deprecated customerId."""
    spec = order_input.get("customer") or {}
    if associate := spec.get("toAssociate"):
        return find_customer(state, associate.get("id"), associate.get("email"))
    if upsert := spec.get("toUpsert"):
        return _upsert_customer(state, upsert, order_input)
    if order_input.get("customerId"):
        return state.by_gid(order_input["customerId"], "Customer")
    return None


def _upsert_customer(state: ShopState, data: dict[str, Any], order_input: dict[str, Any]) -> Customer:
    now = state.now()
    customer = find_customer(state, data.get("id"), data.get("email"))
    if customer is None:
        customer = state.add(Customer(number=state.new_number("Customer"), created_at=now))
    for camel, snake in (
        ("email", "email"),
        ("firstName", "first_name"),
        ("lastName", "last_name"),
        ("phone", "phone"),
        ("note", "note"),
        ("taxExempt", "tax_exempt"),
    ):
        if data.get(camel) is not None:
            setattr(customer, snake, data[camel])
    if data.get("tags") is not None:
        customer.tags = list(data["tags"])
    address_input = order_input.get("shippingAddress") or order_input.get("billingAddress")
    if customer.default_address is None and address_input:
        customer.default_address = MailingAddress.from_input(address_input)
    customer.updated_at = now
    return customer


def purchasing_company(state: ShopState, company_location_id: str) -> PurchasingCompany | None:
    location: CompanyLocation | None = state.by_gid(company_location_id, "CompanyLocation")
    if location is None or location.company is None:
        return None
    return PurchasingCompany(company=location.company, location=location, contact=location.company.main_contact)


def payment_terms_for(state: ShopState, location: CompanyLocation) -> PaymentTerms | None:
    """The order's payment terms from the company location's template ("Net 30", "Due on receipt", ...)."""
    name = location.payment_terms_name
    if not name:
        return None
    days = re.search(r"\d+", name)
    return state.add(
        PaymentTerms(
            number=state.new_number("PaymentTerms"),
            payment_terms_name=name,
            payment_terms_type="NET" if days else "RECEIPT",
            due_in_days=int(days.group()) if days else None,
        )
    )
