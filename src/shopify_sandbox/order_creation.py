"""orderCreate: a new order built from OrderCreateOrderInput, priced, stocked and announced by webhooks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopify_sandbox.models.addresses import MailingAddress
from shopify_sandbox.models.orders import Order, OrderTransaction, PurchasingCompany, ShippingLine
from shopify_sandbox.money import Currencies
from shopify_sandbox.order_fulfilment_setup import (
    InventoryClaimFailed,
    assign_locations,
    commit_stock,
    create_fulfillment_orders,
)
from shopify_sandbox.order_lines import LineInputError, build_lines
from shopify_sandbox.order_parties import payment_terms_for, purchasing_company, resolve_customer
from shopify_sandbox.order_pricing import (
    apply_discount_code,
    bag_from_input,
    compute_totals,
    discounted_shipping,
    split_order_taxes,
    tax_lines_from_input,
)
from shopify_sandbox.rest_payloads import order_to_rest
from shopify_sandbox.search_query import parse_time
from shopify_sandbox.state import ShopState


class OrderCreateError(ValueError):
    """A userError of orderCreate (nothing was created)."""

    def __init__(self, message: str, field: list[str] | None = None, code: str = "INVALID") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def currencies_for(state: ShopState, order_input: dict[str, Any]) -> Currencies:
    """The order's currencies: `currency` is the shop-facing one (the shop's default when absent, as the schema
    says), `presentmentCurrency` the customer's (the shop-facing one when absent)."""
    default = state.shop.currency_code
    shop_currency = order_input.get("currency") or default
    presentment = order_input.get("presentmentCurrency") or shop_currency
    return Currencies(
        shop_currency, presentment, _rate(state.shop.presentment_rates, default, shop_currency, presentment)
    )


def _rate(rates: dict[str, Decimal], default: str, shop_currency: str, presentment: str) -> Decimal:
    """Presentment per shop-facing unit; the shop's rates are quoted against its default currency."""
    if presentment == shop_currency:
        return Decimal(1)
    per_default = {default: Decimal(1), **rates}
    if presentment not in per_default or shop_currency not in per_default:
        return Decimal(1)
    return per_default[presentment] / per_default[shop_currency]


def create_order(state: ShopState, order_input: dict[str, Any], options: dict[str, Any] | None = None) -> Order:
    """Build, price and store an order; commit stock; publish orders/create (and orders/paid when paid)."""
    if order_input.get("taxLines") and any(line.get("taxLines") for line in order_input.get("lineItems") or []):
        raise OrderCreateError(
            "Tax lines can be specified on the order or on the line items, but not both", ["order", "taxLines"]
        )
    currencies = currencies_for(state, order_input)
    company = None
    if order_input.get("companyLocationId"):
        company = purchasing_company(state, order_input["companyLocationId"])
        if company is None:
            raise OrderCreateError("Company location does not exist", ["order", "companyLocationId"])
    catalog_discount = company.company.catalog_discount_percent if company else Decimal(0)
    try:
        lines = build_lines(state, order_input.get("lineItems") or [], currencies, catalog_discount)
    except LineInputError as error:
        raise OrderCreateError(str(error), error.field) from error
    if not lines:
        raise OrderCreateError("Line items must have at least one item", ["order", "lineItems"])
    behaviour = (options or {}).get("inventoryBehaviour") or "BYPASS"
    try:
        assign_locations(state, lines, behaviour)
    except InventoryClaimFailed as error:
        raise OrderCreateError(str(error), ["options", "inventoryBehaviour"], "INVENTORY_CLAIM_FAILED") from error
    order = _new_order(state, order_input, currencies, company)
    order.line_items = lines
    _price(state, order, order_input, currencies)
    _add_transactions(state, order, order_input, currencies)
    create_fulfillment_orders(state, order)
    commit_stock(state, lines, behaviour)
    state.add(order)
    for line in lines:
        state.add(line)
    state.publish("orders/create", order_to_rest(order))
    if order.display_financial_status == "PAID":
        state.publish("orders/paid", order_to_rest(order))
    return order


def _new_order(
    state: ShopState, data: dict[str, Any], currencies: Currencies, company: PurchasingCompany | None
) -> Order:
    now = state.now()
    order_number = state.next_order_number
    state.next_order_number += 1
    customer = resolve_customer(state, data)
    if customer is None and company is not None and company.contact is not None:
        customer = company.contact.customer
    processed_at = min(parse_time(data["processedAt"]), now) if data.get("processedAt") else now
    shipping_address = MailingAddress.from_input(data["shippingAddress"]) if data.get("shippingAddress") else None
    billing_address = MailingAddress.from_input(data["billingAddress"]) if data.get("billingAddress") else None
    if company is not None:
        shipping_address = shipping_address or company.location.shipping_address
        billing_address = billing_address or company.location.billing_address
    prefix, suffix = state.shop.order_number_format_prefix, state.shop.order_number_format_suffix
    return Order(
        number=state.new_number("Order"),
        name=data.get("name") or f"{prefix}{order_number}{suffix}",
        order_number=order_number,
        created_at=now,
        updated_at=now,
        processed_at=processed_at,
        currency_code=currencies.shop,
        presentment_currency_code=currencies.presentment,
        taxes_included=bool(data.get("taxesIncluded")),
        email=data.get("email") or (customer.email if customer else None),
        phone=data.get("phone"),
        note=data.get("note"),
        tags=list(data.get("tags") or []),
        po_number=data.get("poNumber"),
        test=bool(data.get("test")),
        source_name=data.get("sourceName") or "sandbox",
        source_identifier=data.get("sourceIdentifier"),
        customer=customer,
        purchasing_entity=company or customer,
        payment_terms=payment_terms_for(state, company.location) if company else None,
        shipping_address=shipping_address,
        billing_address=billing_address,
        custom_attributes=[{"key": a["key"], "value": a["value"]} for a in data.get("customAttributes") or []],
    )


def _price(state: ShopState, order: Order, data: dict[str, Any], currencies: Currencies) -> None:
    for shipping_input in data.get("shippingLines") or []:
        order.shipping_lines.append(
            ShippingLine(
                number=state.new_number("ShippingLine"),
                title=shipping_input["title"],
                code=shipping_input.get("code"),
                source=shipping_input.get("source"),
                original_price_set=bag_from_input(shipping_input["priceSet"], currencies),
            )
        )
    order.discount_applications = apply_discount_code(
        data.get("discountCode"), order.line_items, order.shipping_lines, currencies
    )
    order.discount_codes = [a.code for a in order.discount_applications]
    line_inputs = data.get("lineItems") or []
    for index, line_input in enumerate(line_inputs):
        if line_input.get("taxLines"):
            # A bundle's components share their bundle line's taxes, split by their prices.
            group = [line for line in order.line_items if line.source_index == index]
            split_order_taxes(line_input["taxLines"], group, order.taxes_included, currencies)
    if data.get("taxLines"):
        split_order_taxes(data["taxLines"], order.line_items, order.taxes_included, currencies)
    for shipping_line, shipping_input in zip(order.shipping_lines, data.get("shippingLines") or [], strict=True):
        if shipping_input.get("taxLines"):
            shipping_line.tax_lines = tax_lines_from_input(
                shipping_input["taxLines"],
                discounted_shipping(shipping_line, currencies),
                order.taxes_included,
                currencies,
            )
    compute_totals(order, currencies)


def _add_transactions(state: ShopState, order: Order, data: dict[str, Any], currencies: Currencies) -> None:
    now = state.now()
    for transaction in data.get("transactions") or []:
        order.transactions.append(
            state.add(
                OrderTransaction(
                    number=state.new_number("OrderTransaction"),
                    kind=transaction.get("kind") or "SALE",
                    status=transaction.get("status") or "SUCCESS",
                    gateway=transaction.get("gateway") or "manual",
                    amount_set=bag_from_input(transaction["amountSet"], currencies),
                    authorization_code=transaction.get("authorizationCode"),
                    test=bool(transaction.get("test")),
                    created_at=now,
                    processed_at=now,
                    order=order,
                )
            )
        )
    status = data.get("financialStatus")
    if status and not order.transactions and status in ("PAID", "AUTHORIZED", "PARTIALLY_PAID"):
        # Shopify records the payment the status implies.
        kind = "AUTHORIZATION" if status == "AUTHORIZED" else "SALE"
        if status != "PARTIALLY_PAID":
            order.transactions.append(
                state.add(
                    OrderTransaction(
                        number=state.new_number("OrderTransaction"),
                        kind=kind,
                        amount_set=order.total_price_set,
                        created_at=now,
                        processed_at=now,
                        order=order,
                    )
                )
            )
    order.display_financial_status = status or _derived_status(order)


def _derived_status(order: Order) -> str:
    assert order.total_price_set is not None
    total = order.total_price_set.shop
    paid = sum(
        (
            t.amount_set.shop
            for t in order.transactions
            if t.kind in ("SALE", "CAPTURE") and t.status == "SUCCESS" and t.amount_set
        ),
        Decimal(0),
    )
    authorized = sum(
        (
            t.amount_set.shop
            for t in order.transactions
            if t.kind == "AUTHORIZATION" and t.status == "SUCCESS" and t.amount_set
        ),
        Decimal(0),
    )
    if paid >= total:
        return "PAID"
    if paid > 0:
        return "PARTIALLY_PAID"
    if authorized > 0:
        return "AUTHORIZED"
    return "PENDING"
