"""Shopify's GraphQL order (as selected by `queries.FETCH_ORDER`) → trueup's ShopifyOrder.

Amounts are read from Shopify's decimal strings into Decimal, never through float. Missing or invalid
data raises StructuralError naming the field (a path such as `lineItems[2].sku`), never its value, so
that no customer detail reaches a log or an exception message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from trueup.adapters.shopify.metafield_mapping import metafield_values
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money, allocate, minor_unit, total
from trueup.domain.orders import (
    Address,
    Company,
    Customer,
    FinancialStatus,
    OrderLine,
    ShippingLine,
    ShopifyOrder,
)
from trueup.domain.party_fields import MetafieldSource
from trueup.domain.payments import OrderTransaction, TransactionKind, TransactionStatus
from trueup.domain.refunds import Refund, refunded_units, value_taken_off
from trueup.domain.taxes import TaxLine

Json = Mapping[str, Any]

# The longest text trueup passes on to the ERP, per kind of field: longer is parked as invalid customer
# data naming the field (an ERP column that truncates silently would lose part of an address).
NAME_LIMIT = 255
STREET_LIMIT = 255
CITY_LIMIT = 128
ZIP_LIMIT = 20
PHONE_LIMIT = 40
EMAIL_LIMIT = 254  # RFC 5321's longest forward path, less its angle brackets
PO_NUMBER_LIMIT = 255
_ADDRESS_LIMITS = {
    "name": NAME_LIMIT,
    "firstName": NAME_LIMIT,
    "lastName": NAME_LIMIT,
    "recipient": NAME_LIMIT,
    "company": NAME_LIMIT,
    "companyName": NAME_LIMIT,
    "address1": STREET_LIMIT,
    "address2": STREET_LIMIT,
    "city": CITY_LIMIT,
    "zip": ZIP_LIMIT,
    "provinceCode": ZIP_LIMIT,
    "zoneCode": ZIP_LIMIT,
    "phone": PHONE_LIMIT,
}


def _unsupported(path: str, problem: str = "is missing or invalid") -> StructuralError:
    return StructuralError(Cause.UNSUPPORTED_ORDER, f"Shopify order field {path} {problem}")


def _invalid_customer(path: str, problem: str = "is missing or invalid") -> StructuralError:
    return StructuralError(Cause.INVALID_CUSTOMER_DATA, f"Shopify order field {path} {problem}")


def _field(node: Json, key: str, path: str) -> Any:
    value = node.get(key)
    if value is None:
        raise _unsupported(f"{path}.{key}" if path else key)
    return value


def _text(node: Json | None, key: str) -> str:
    value = (node or {}).get(key)
    return value if isinstance(value, str) else ""


def _bounded(node: Json | None, key: str, limit: int, path: str) -> str:
    """The text at `key`, parked as invalid customer data (naming the field) when longer than `limit`."""
    text = _text(node, key).strip()
    if len(text) > limit:
        raise _invalid_customer(f"{path}.{key}" if path else key, f"is longer than {limit} characters")
    return text


def _datetime(value: Any, path: str) -> datetime:
    if not isinstance(value, str):
        raise _unsupported(path)
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise _unsupported(path) from exc


def _amount(value: Any, path: str) -> Decimal:
    # Shopify's Decimal scalar is a JSON string; a JSON number would have been parsed as Decimal too.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _unsupported(path)
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise _unsupported(path) from exc
    if not amount.is_finite():
        raise _unsupported(path)
    return amount


def shop_money(bag: Any, currency: str, path: str) -> Money:
    """The shop-currency side of a MoneyBag, checked to be in `currency`."""
    money = bag.get("shopMoney") if isinstance(bag, Mapping) else None
    if not isinstance(money, Mapping):
        raise _unsupported(f"{path}.shopMoney")
    if money.get("currencyCode") != currency:
        raise _unsupported(f"{path}.shopMoney.currencyCode", "is not the order's shop currency")
    return Money(_amount(money.get("amount"), f"{path}.shopMoney.amount"), currency)


def _tax_lines(nodes: Any, currency: str, path: str) -> tuple[TaxLine, ...]:
    if not isinstance(nodes, Sequence):
        raise _unsupported(path)
    lines = []
    for i, node in enumerate(nodes):
        where = f"{path}[{i}]"
        rate = node.get("rate")
        lines.append(
            TaxLine(
                title=str(_field(node, "title", where)),
                # `rate` is a GraphQL Float; through str() so 0.2 stays Decimal("0.2").
                rate=Decimal(str(rate)) if rate is not None else Decimal(0),
                amount=shop_money(node.get("priceSet"), currency, f"{where}.priceSet"),
            )
        )
    return tuple(lines)


def _discounts(nodes: Any, currency: str, path: str) -> Money:
    if not isinstance(nodes, Sequence):
        raise _unsupported(path)
    amounts = [
        shop_money(node.get("allocatedAmountSet"), currency, f"{path}[{i}].allocatedAmountSet")
        for i, node in enumerate(nodes)
    ]
    return total(amounts, currency)


def map_line_item(node: Json, currency: str, path: str, refunded: int = 0) -> OrderLine:
    """One LineItem node → OrderLine as sold: after edits, before refunds (amounts per line, shop currency).

    Shopify's `quantity` counts every unit ordered, `currentQuantity` leaves out the units removed by edits and
    those refunded; `refunded` (read from the order's refunds) puts the refunded ones back, since the ERP sale
    keeps them and each refund is a credit note of its own. The line's taxes and discounts cover every unit
    ordered: the share of units an edit removed is taken off them (`_sold_share`).
    """
    sku = node.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise _unsupported(f"{path}.sku", "is empty: a line without a SKU cannot be posted by SKU")
    current = _field(node, "currentQuantity", path)
    if not isinstance(current, int) or current < 0:
        raise _unsupported(f"{path}.currentQuantity")
    ordered = node.get("quantity")
    quantity = current + refunded
    if isinstance(ordered, int) and quantity > ordered:
        raise _unsupported(f"{path}.quantity", "is below the units still on the line and refunded")
    removed = ordered - quantity if isinstance(ordered, int) else 0
    group = node.get("lineItemGroup")
    unit_price = shop_money(node.get("originalUnitPriceSet"), currency, f"{path}.originalUnitPriceSet")
    discount = _discounts(node.get("discountAllocations", []), currency, f"{path}.discountAllocations")
    taxes = _tax_lines(node.get("taxLines", []), currency, f"{path}.taxLines")
    # Shopify's exact line amount: a bundle component's share of the bundle price need not divide by its
    # quantity. It is for the quantity ordered when the order was placed, so it only applies while no edit
    # has removed units, and while it is that quantity's price to within a cent a unit (an edit that added
    # units leaves it behind).
    original_total = None
    if removed == 0 and node.get("originalTotalSet") is not None:
        given = shop_money(node.get("originalTotalSet"), currency, f"{path}.originalTotalSet")
        off = abs((given - unit_price.times(quantity)).amount)
        original_total = given if off < minor_unit(currency) * max(quantity, 1) else None
    if removed and isinstance(ordered, int):
        gross = unit_price.times(ordered)
        net = _sold_share(gross - discount, removed, ordered)
        discount = unit_price.times(quantity) - net
        taxes = _sold_taxes(taxes, removed, ordered)
    return OrderLine(
        line_id=str(_field(node, "id", path)),
        sku=sku.strip(),
        title=_text(node, "title"),
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        taxes=taxes,
        group_id=str(group["id"]) if isinstance(group, Mapping) and group.get("id") else None,
        original_total=original_total,
    )


def _sold_share(amount: Money, removed: int, ordered: int) -> Money:
    """What is left of a line's `amount` once `removed` of its `ordered` units are gone: the removed units'
    share rounded half up to the cent, the way Shopify rounds shop money."""
    unit = minor_unit(amount.currency)
    share = (amount.amount * removed / ordered).quantize(unit, rounding=ROUND_HALF_UP)
    return Money(amount.amount - share, amount.currency)


def _sold_taxes(taxes: tuple[TaxLine, ...], removed: int, ordered: int) -> tuple[TaxLine, ...]:
    if not taxes:
        return taxes
    currency = taxes[0].amount.currency
    left = _sold_share(total([t.amount for t in taxes], currency), removed, ordered)
    shares = allocate(left, [max(t.amount.amount, Decimal(0)) for t in taxes])
    return tuple(TaxLine(t.title, t.rate, share) for t, share in zip(taxes, shares, strict=True))


def map_line_items(
    nodes: Sequence[Json], currency: str, *, first_index: int = 0, refunded: Mapping[str, int] | None = None
) -> list[OrderLine]:
    """Line item nodes (one page) → OrderLines; `first_index` keeps field paths right across pages; `refunded`
    gives the units refunded so far by line item id."""
    units = refunded or {}
    return [
        map_line_item(node, currency, f"lineItems[{first_index + i}]", units.get(str(node.get("id")), 0))
        for i, node in enumerate(nodes)
    ]


def _shipping_line(node: Json, currency: str, path: str) -> ShippingLine:
    return ShippingLine(
        title=_text(node, "title"),
        price=shop_money(node.get("originalPriceSet"), currency, f"{path}.originalPriceSet"),
        discount=_discounts(node.get("discountAllocations", []), currency, f"{path}.discountAllocations"),
        taxes=_tax_lines(node.get("taxLines", []), currency, f"{path}.taxLines"),
    )


def _address(node: Any, path: str) -> Address | None:
    if node is None:
        return None
    if not isinstance(node, Mapping):
        raise _invalid_customer(path)
    return _mailing_address(
        node, path, country_key="countryCodeV2", name_key="name", company_key="company", province_key="provinceCode"
    )


def _company_address(node: Any, path: str, company_name: str) -> Address | None:
    """A company location's CompanyAddress (country in `countryCode`), named after the company when it names
    no person. `recipient`, `companyName` and `zoneCode` are not selected: the sandbox does not serve them."""
    if node is None:
        return None
    if not isinstance(node, Mapping):
        raise _invalid_customer(path)
    node = {**node, "companyName": company_name}
    return _mailing_address(
        node, path, country_key="countryCode", name_key="recipient", company_key="companyName", province_key="zoneCode"
    )


def _mailing_address(
    node: Json, path: str, *, country_key: str, name_key: str, company_key: str, province_key: str
) -> Address:
    country = node.get(country_key)
    if not isinstance(country, str) or len(country) != 2:
        raise _invalid_customer(f"{path}.{country_key}")
    text = {key: _bounded(node, key, limit, path) for key, limit in _ADDRESS_LIMITS.items()}
    company = text[company_key]
    name = text[name_key] or f"{text['firstName']} {text['lastName']}".strip() or company
    return Address(
        name=name,
        address1=text["address1"],
        address2=text["address2"],
        city=text["city"],
        zip=text["zip"],
        country_code=country.upper(),
        province_code=text[province_key],
        company=company,
        phone=text["phone"],
    )


def _checked_email(email: str, path: str) -> str:
    email = email.strip()
    local, _, domain = email.rpartition("@")
    if email and (not local or "." not in domain or any(c.isspace() for c in email)):
        raise _invalid_customer(path, "is not an e-mail address")
    if len(email) > EMAIL_LIMIT:
        raise _invalid_customer(path, f"is longer than {EMAIL_LIMIT} characters")
    return email


def _customer(order: Json, metafields: Sequence[MetafieldSource]) -> Customer | None:
    node = order.get("customer")
    order_email = _checked_email(_text(order, "email"), "email")
    if node is None:
        return _guest(order, order_email)
    email = _checked_email(_text(node.get("defaultEmailAddress"), "emailAddress"), "customer.defaultEmailAddress")
    email = email or order_email
    customer = Customer(
        shopify_id=str(_field(node, "id", "customer")),
        email=email,
        first_name=_bounded(node, "firstName", NAME_LIMIT, "customer"),
        last_name=_bounded(node, "lastName", NAME_LIMIT, "customer"),
        phone=_bounded(node.get("defaultPhoneNumber"), "phoneNumber", PHONE_LIMIT, "customer.defaultPhoneNumber"),
        metafields=metafield_values(node, metafields, "customer"),
    )
    if not customer.display_name:
        raise _invalid_customer("customer", "has neither a name nor an e-mail address")
    return customer


def _guest(order: Json, email: str) -> Customer | None:
    """A guest checkout: no customer record, the buyer known by the order's e-mail and addresses."""
    address = order.get("billingAddress") or order.get("shippingAddress") or {}
    guest = Customer(
        shopify_id=None,
        email=email,
        first_name=_bounded(address, "firstName", NAME_LIMIT, "billingAddress"),
        last_name=_bounded(address, "lastName", NAME_LIMIT, "billingAddress"),
    )
    return guest if guest.display_name else None


def _company(order: Json, metafields: Sequence[MetafieldSource]) -> Company | None:
    """The B2B buyer of a company order (purchasingEntity is a PurchasingCompany), else None."""
    entity = order.get("purchasingEntity")
    if not isinstance(entity, Mapping) or entity.get("__typename") != "PurchasingCompany":
        return None
    company, location = entity.get("company"), entity.get("location")
    if not isinstance(company, Mapping) or not company.get("id"):
        raise _unsupported("purchasingEntity.company.id")
    if not isinstance(location, Mapping) or not location.get("id"):
        raise _unsupported("purchasingEntity.location.id")
    where = "purchasingEntity.location"
    name = _bounded(company, "name", NAME_LIMIT, "purchasingEntity.company")
    name = name or f"Shopify company {str(company['id']).rsplit('/', 1)[-1]}"
    return Company(
        shopify_id=str(company["id"]),
        name=name,
        location_id=str(location["id"]),
        location_name=_bounded(location, "name", NAME_LIMIT, where),
        external_id=_bounded(company, "externalId", NAME_LIMIT, "purchasingEntity.company"),
        billing_address=_company_address(location.get("billingAddress"), f"{where}.billingAddress", name),
        shipping_address=_company_address(location.get("shippingAddress"), f"{where}.shippingAddress", name),
        metafields=metafield_values(company, metafields, "purchasingEntity.company"),
    )


def _financial_status(order: Json) -> FinancialStatus:
    value = order.get("displayFinancialStatus")
    try:
        return FinancialStatus(str(value))
    except ValueError as exc:
        raise _unsupported("displayFinancialStatus", "is missing or not a known financial status") from exc


def _presentment_tax(order: Json, currency: str | None) -> Money | None:
    money = (order.get("currentTotalTaxSet") or {}).get("presentmentMoney")
    if currency is None or not isinstance(money, Mapping) or money.get("currencyCode") != currency:
        return None
    return Money(_amount(money.get("amount"), "currentTotalTaxSet.presentmentMoney.amount"), currency)


def _presentment(order: Json) -> tuple[str | None, Money | None]:
    money = (order.get("currentTotalPriceSet") or {}).get("presentmentMoney")
    currency = order.get("presentmentCurrencyCode")
    if not isinstance(money, Mapping) or not isinstance(currency, str):
        return (currency if isinstance(currency, str) else None), None
    if money.get("currencyCode") != currency:
        raise _unsupported("currentTotalPriceSet.presentmentMoney.currencyCode", "differs from presentmentCurrencyCode")
    return currency, Money(_amount(money.get("amount"), "currentTotalPriceSet.presentmentMoney.amount"), currency)


def map_order(
    shop: str,
    order: Json,
    extra_line_items: Sequence[Json] = (),
    *,
    customer_metafields: Sequence[MetafieldSource] = (),
    company_metafields: Sequence[MetafieldSource] = (),
    refunds: Sequence[Refund] = (),
) -> ShopifyOrder:
    """The Order node → ShopifyOrder. `extra_line_items` are the nodes of the line item pages after the first;
    `*_metafields` the metafields the query selected on the customer and the company (`queries.fetch_order`).

    The order is mapped as sold, after edits and before `refunds` (the order's refunds, `refund_mapping`):
    Shopify's current totals leave refunded lines and shipping out, so they are put back (each refund is a
    credit note of its own); `current_total` keeps Shopify's current total, after refunds."""
    currency = _field(order, "currencyCode", "")
    if not isinstance(currency, str) or len(currency) != 3:
        raise _unsupported("currencyCode")
    connection = _field(order, "lineItems", "")
    first_page = list(_field(connection, "nodes", "lineItems"))
    lines = map_line_items([*first_page, *extra_line_items], currency, refunded=refunded_units(refunds))
    taxes_included = bool(order.get("taxesIncluded"))
    current_total = shop_money(order.get("currentTotalPriceSet"), currency, "currentTotalPriceSet")
    current_tax = shop_money(order.get("currentTotalTaxSet"), currency, "currentTotalTaxSet")
    refunded, refunded_tax = value_taken_off(refunds, currency, taxes_included=taxes_included)
    shipping_nodes = (order.get("shippingLines") or {}).get("nodes") or []
    presentment_currency, presentment_total = _presentment(order)
    company = _company(order, company_metafields)
    cancelled_at = order.get("cancelledAt")
    tags = order.get("tags") or []
    return ShopifyOrder(
        shop=shop,
        order_id=str(_field(order, "id", "")),
        name=str(_field(order, "name", "")),
        currency=currency,
        financial_status=_financial_status(order),
        lines=tuple(lines),
        shipping=tuple(_shipping_line(node, currency, f"shippingLines[{i}]") for i, node in enumerate(shipping_nodes)),
        total_price=current_total + refunded,
        total_tax=current_tax + refunded_tax,
        taxes_included=taxes_included,
        customer=_customer(order, customer_metafields),
        shipping_address=_address(order.get("shippingAddress"), "shippingAddress"),
        billing_address=_address(order.get("billingAddress"), "billingAddress"),
        created_at=_datetime(order.get("createdAt"), "createdAt"),
        updated_at=_datetime(order.get("updatedAt"), "updatedAt"),
        cancelled_at=_datetime(cancelled_at, "cancelledAt") if cancelled_at is not None else None,
        presentment_currency=presentment_currency,
        presentment_total=presentment_total,
        po_number=_bounded(order, "poNumber", PO_NUMBER_LIMIT, "") or None,
        company_id=company.shopify_id if company else None,
        company_location_id=company.location_id if company else None,
        payment_terms=_text(order.get("paymentTerms"), "paymentTermsName") or None,
        tags=tuple(str(t) for t in tags),
        company=company,
        presentment_tax=_presentment_tax(order, presentment_currency),
        current_total=current_total,
        refunds=tuple(refunds),
        transactions=_transactions(order, currency),
    )


def _transactions(order: Json, currency: str) -> tuple[OrderTransaction, ...]:
    """The order's transactions (Order.transactions, a list): kinds and statuses Shopify may add later are
    kept out rather than refused, as they move no money trueup books."""
    mapped = []
    for i, node in enumerate(order.get("transactions") or []):
        path = f"transactions[{i}]"
        try:
            kind, status = TransactionKind(node.get("kind")), TransactionStatus(node.get("status"))
        except ValueError:
            continue
        mapped.append(
            OrderTransaction(
                transaction_id=str(_field(node, "id", path)).rsplit("/", 1)[-1],
                kind=kind,
                status=status,
                gateway=str(node.get("gateway") or "manual"),
                amount=shop_money(node.get("amountSet"), currency, f"{path}.amountSet"),
                processed_at=_datetime(node.get("processedAt") or order.get("createdAt"), f"{path}.processedAt"),
                settlement=_settlement(node, currency, path),
            )
        )
    return tuple(mapped)


def _settlement(node: Json, currency: str, path: str) -> Money | None:
    """The amount in the settlement currency when the gateway settles in the customer's currency, not the
    shop's (Shopify Payments with that currency on the account): the presentment amount."""
    settles_in = node.get("settlementCurrency")
    presented = (node.get("amountSet") or {}).get("presentmentMoney") or {}
    if not settles_in or settles_in == currency or presented.get("currencyCode") != settles_in:
        return None
    return Money(_amount(presented.get("amount"), f"{path}.amountSet.presentmentMoney"), settles_in)
