"""The checks made before an ERP document is created, so that one that cannot post creates nothing.

The back-office adapter reads what its ERP holds (`ErpReferenceData`: the SKUs of the item master among those
asked, its taxes, currencies, warehouses, payment terms and countries); these rules decide. Each check runs once
per document, and each cause has one message: the adapters and their fakes raise the same errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from trueup.domain.credit_notes import CreditNoteRequest, Restock
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import Address
from trueup.domain.party_fields import PartyField, PartyFieldValue
from trueup.domain.sales import SalesOrderRequest


@dataclass(frozen=True)
class ErpReferenceData:
    """What the ERP holds that a document depends on. `skus`: those of the SKUs asked that the item master has
    (the other sets may hold more than was asked)."""

    skus: AbstractSet[str] = frozenset()
    taxes: AbstractSet[str] = frozenset()
    currencies: AbstractSet[str] = frozenset()
    warehouses: AbstractSet[str] = frozenset()
    payment_terms: AbstractSet[str] = frozenset()
    countries: AbstractSet[str] = frozenset()


def document_skus(request: SalesOrderRequest) -> set[str]:
    """Every SKU a sales order books on: its goods and its shipping product."""
    return {line.sku for line in request.lines}


def check_sales_order(request: SalesOrderRequest, erp: ErpReferenceData) -> None:
    """Raise the StructuralError of the first thing `request` needs that the ERP lacks: its goods' SKUs, the
    shipping product, its taxes, currency, warehouse, payment terms (the sale's, and the party's from a
    metafield), and its addresses' countries."""
    check_skus(request.skus, erp)
    shipping = sorted({line.sku for line in request.lines if line.is_shipping} - set(erp.skus))
    if shipping:
        raise StructuralError(
            Cause.SKU_NOT_IN_ITEM_MASTER,
            f"no shipping product {shipping[0]} in the ERP item master",
            needs={"skus": shipping},
        )
    check_taxes((code for line in request.lines for code in line.tax_codes), erp)
    if request.currency not in erp.currencies:
        raise StructuralError(Cause.BACK_OFFICE_REJECTED, f"currency {request.currency} is not in the ERP")
    if request.warehouse is not None:
        check_warehouse(request.warehouse, erp)
    if request.payment_term is not None and request.payment_term not in erp.payment_terms:
        raise StructuralError(Cause.UNMAPPED_PAYMENT_TERM, f"no ERP payment term named {request.payment_term}")
    _check_party_fields(request.party_fields, erp)
    _check_countries([a for a in (request.invoice_address, request.shipment_address) if a is not None], erp)


def check_credit_note(request: CreditNoteRequest, erp: ErpReferenceData) -> None:
    """Raise the StructuralError of the first thing a credit note needs that the ERP lacks: the products it
    credits (goods and shipping) and its taxes."""
    check_skus({line.sku for line in request.lines if line.sku}, erp)
    check_taxes((code for line in request.lines for code in line.tax_codes), erp)


def check_restocks(restocks: Iterable[Restock], erp: ErpReferenceData) -> None:
    """The products and warehouses restocks move: in the item master, and known to the ERP."""
    restocks = list(restocks)
    check_skus({r.sku for r in restocks}, erp)
    for warehouse in sorted({r.warehouse for r in restocks if r.warehouse is not None}):
        check_warehouse(warehouse, erp)


def check_skus(skus: Iterable[str], erp: ErpReferenceData) -> None:
    unknown = sorted(set(skus) - set(erp.skus))
    if unknown:
        raise StructuralError(
            Cause.SKU_NOT_IN_ITEM_MASTER,
            f"{len(unknown)} SKU(s) not in the ERP item master: " + ", ".join(unknown),
            needs={"skus": unknown},
        )


def check_taxes(codes: Iterable[str], erp: ErpReferenceData) -> None:
    unmapped = sorted(set(codes) - set(erp.taxes))
    if unmapped:
        raise StructuralError(
            Cause.UNMAPPED_TAX, "taxes unknown to the ERP: " + ", ".join(unmapped), needs={"erp_taxes": unmapped}
        )


def check_warehouse(code: str, erp: ErpReferenceData) -> None:
    if code not in erp.warehouses:
        raise StructuralError(
            Cause.UNMAPPED_LOCATION, f"no ERP warehouse with code {code}", needs={"warehouses": [code]}
        )


def _check_party_fields(fields: Iterable[PartyFieldValue], erp: ErpReferenceData) -> None:
    """A payment term named by a metafield must exist in the ERP; the metafield is named, as the value is."""
    for field in fields:
        if field.target.field is PartyField.CUSTOMER_PAYMENT_TERM and field.value not in erp.payment_terms:
            raise StructuralError(
                Cause.INVALID_CUSTOMER_DATA,
                f"Shopify {field.source} names payment term {field.value!r}, which the ERP lacks "
                f"({field.target}): create it in the ERP or correct the metafield",
            )


def _check_countries(addresses: list[Address], erp: ErpReferenceData) -> None:
    if any(a.country_code.upper() not in erp.countries for a in addresses):
        # The field is named, never the value: the order's addresses are personal data.
        raise StructuralError(
            Cause.INVALID_CUSTOMER_DATA, "an address's country_code is not a country known to the ERP"
        )
