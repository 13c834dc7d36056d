"""The Store contract for tax variance records: the in-memory fake, SqlStore on SQLite and on PostgreSQL (the
`store` fixture of tests/contract/conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.support.deliveries import T0
from trueup.domain.money import Money
from trueup.domain.tax_variances import TaxVarianceRecord
from trueup.service_layer.ports import Store

SHOP, OTHER = "alpha.myshopify.com", "beta.myshopify.com"


def a_variance(
    order: int, tax: str = "VAT20", shop: str = SHOP, shopify: str = "12.00", erp: str = "10.00", minutes: int = 0
) -> TaxVarianceRecord:
    return TaxVarianceRecord(
        shop=shop,
        order_id=f"gid://shopify/Order/{order}",
        order=f"#{order}",
        document=f"shopify:{shop}:order:{order}",
        tax=tax,
        rate=tax.replace("VAT", "VAT "),
        shopify=Money(Decimal(shopify), "EUR"),
        erp=Money(Decimal(erp), "EUR"),
        recorded_at=T0 + timedelta(minutes=minutes),
    )


def test_an_orders_variances_read_back_exactly_as_recorded_with_their_difference(store: Store) -> None:
    vat20, vat5 = a_variance(1001), a_variance(1001, tax="VAT5", shopify="0.30", erp="0.2475")
    store.replace_tax_variances(SHOP, vat20.order_id, [vat20, vat5])

    assert store.tax_variances(SHOP, vat20.order_id) == [vat20, vat5]
    assert [v.difference for v in store.tax_variances(SHOP)] == [Money.of("2.00", "EUR"), Money.of("0.0525", "EUR")]
    assert store.tax_variances(OTHER) == []


def test_recording_an_orders_variances_again_replaces_them_and_none_clears_them(store: Store) -> None:
    first, kept = a_variance(1001), a_variance(1002, minutes=1)
    store.replace_tax_variances(SHOP, first.order_id, [first, a_variance(1001, tax="VAT5")])
    store.replace_tax_variances(SHOP, kept.order_id, [kept])

    amended = a_variance(1001, shopify="15.00", erp="12.50", minutes=2)
    store.replace_tax_variances(SHOP, first.order_id, [amended])
    assert store.tax_variances(SHOP) == [kept, amended]

    store.replace_tax_variances(SHOP, first.order_id, [])
    assert store.tax_variances(SHOP) == [kept]


def test_variances_are_listed_by_when_recorded_and_kept_apart_per_shop(store: Store) -> None:
    late, early, other = (
        a_variance(1001, minutes=5),
        a_variance(1002, minutes=1),
        a_variance(1001, shop=OTHER, minutes=3),
    )
    for record in (late, early):
        store.replace_tax_variances(SHOP, record.order_id, [record])
    store.replace_tax_variances(OTHER, other.order_id, [other])

    assert store.tax_variances() == [early, other, late]
    assert store.tax_variances(SHOP) == [early, late]
    assert store.tax_variances(OTHER, other.order_id) == [other]


def test_a_credit_notes_variances_are_kept_beside_the_sales_and_replaced_on_their_own(store: Store) -> None:
    sale = a_variance(1001)
    note = replace(
        a_variance(1001, shopify="-6.00", erp="-5.00", minutes=1), document="shopify:alpha:refund:7", credit_note=True
    )
    store.replace_tax_variances(SHOP, sale.order_id, [sale])
    store.replace_tax_variances(SHOP, sale.order_id, [note], credit_note=note.document)
    assert store.tax_variances(SHOP, sale.order_id) == [sale, note]  # same ERP tax, another document

    amended = a_variance(1001, shopify="13.00", minutes=2)  # the sale amended: its note's variance stays
    store.replace_tax_variances(SHOP, sale.order_id, [amended])
    assert store.tax_variances(SHOP, sale.order_id) == [note, amended]
    assert sum((v.difference.amount for v in store.tax_variances(SHOP)), Decimal(0)) == Decimal("2.00")

    store.replace_tax_variances(SHOP, sale.order_id, [], credit_note=note.document)
    assert store.tax_variances(SHOP, sale.order_id) == [amended]
