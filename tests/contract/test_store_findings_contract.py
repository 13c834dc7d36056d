"""The Store contract for the completeness check's open findings: the in-memory fake, SqlStore on SQLite and on
PostgreSQL (the `store` fixture of tests/contract/conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.support.deliveries import T0
from trueup.domain.completeness import Finding, FindingKind, OpenFinding
from trueup.service_layer.ports import Store

SHOP, OTHER = "alpha.myshopify.com", "beta.myshopify.com"
LATER = T0 + timedelta(minutes=5)


def a_finding(order: str = "#1001", kind: FindingKind = FindingKind.CREDIT_NOTE_MISSING, shop: str = SHOP) -> Finding:
    document = f"shopify:{shop}:refund:{order[1:]}" if kind is FindingKind.CREDIT_NOTE_MISSING else "SO-7"
    return Finding(kind, shop, order, document, f"no posted credit note {document}")


def test_an_orders_findings_read_back_as_found_and_kept_apart_per_shop(store: Store) -> None:
    note, shipment = a_finding(), a_finding(kind=FindingKind.SHIPMENT_MISSING)
    store.replace_order_findings(SHOP, "#1001", [note, shipment], T0)
    store.replace_order_findings(OTHER, "#1001", [a_finding(shop=OTHER)], T0)

    assert store.open_findings(SHOP) == [OpenFinding(note, T0), OpenFinding(shipment, T0)]
    assert [o.finding.shop for o in store.open_findings(OTHER)] == [OTHER]
    assert store.open_findings("gamma.myshopify.com") == []
    assert [o.finding.shop for o in store.open_findings()] == [SHOP, SHOP, OTHER], "every shop's, by shop"


def test_a_check_again_replaces_the_orders_findings_keeping_when_each_was_first_found(store: Store) -> None:
    note, kept = a_finding(), a_finding("#1002")
    store.replace_order_findings(SHOP, "#1001", [note, a_finding(kind=FindingKind.SHIPMENT_MISSING)], T0)
    store.replace_order_findings(SHOP, "#1002", [kept], T0 + timedelta(minutes=1))

    amount = a_finding(kind=FindingKind.AMOUNT_DIFFERS)
    note_now = replace(note, detail=f"credit note {note.document} is in the ERP but not posted")
    store.replace_order_findings(SHOP, "#1001", [note_now, amount], LATER)

    assert store.open_findings(SHOP) == [
        OpenFinding(note_now, T0),
        OpenFinding(kept, T0 + timedelta(minutes=1)),
        OpenFinding(amount, LATER),
    ]


def test_none_found_clears_the_order_and_only_it(store: Store) -> None:
    store.replace_order_findings(SHOP, "#1001", [a_finding()], T0)
    store.replace_order_findings(SHOP, "payout 77", [a_finding("payout 77", FindingKind.PAYOUT_MISSING)], T0)

    store.replace_order_findings(SHOP, "#1001", [], LATER)
    store.replace_order_findings(SHOP, "#1003", [], LATER)  # nothing was open: nothing to do

    assert [o.finding.order for o in store.open_findings(SHOP)] == ["payout 77"]


def test_erasing_the_shop_erases_its_findings_only(store: Store) -> None:
    store.replace_order_findings(SHOP, "#1001", [a_finding()], T0)
    store.replace_order_findings(OTHER, "#1001", [a_finding(shop=OTHER)], T0)

    erased = store.erase_shop(SHOP)

    assert erased["completeness_findings"] == 1
    assert store.open_findings(SHOP) == []
    assert len(store.open_findings(OTHER)) == 1
