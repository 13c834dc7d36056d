"""The demo's last word, `trueup verify` read back: its findings counted (fixed ones too), those still open
listed with what to do, and a clean run said in one line with 0 findings."""

from __future__ import annotations

from typing import Any

from tests.unit.views.test_no_text_is_markup import shown
from trueup.entrypoints.demo_verify import print_verify, verify_summary


def a_report(*findings: dict[str, Any], documents: int = 5) -> dict[str, Any]:
    open_ones = {(f["order"], f["document"]) for f in findings if not f["fixed"]}
    return {
        "orders": 4,
        "documents": documents,
        "equal": documents - len(open_ones),
        "fixed": sum(1 for f in findings if f["fixed"]),
        "gone_from_shopify": [],
        "periods": {},
        "findings": list(findings),
    }


def a_finding(kind: str, fixed: bool = False, order: str = "#1001") -> dict[str, Any]:
    return {
        "kind": kind,
        "order": order,
        "document": "SO7",
        "detail": "sale SO7 is confirmed",
        "fixed": fixed,
        "what_to_do": "trueup replay --order #1001",
    }


def test_a_clean_run_is_one_line_with_every_document_equal_and_0_findings() -> None:
    summary = verify_summary({"a.myshopify.com": a_report(), "b.myshopify.com": a_report(documents=3)})

    assert (summary["orders"], summary["documents"], summary["equal"], summary["findings"]) == (8, 8, 8, 0)
    assert summary["open"] == []
    text = shown(lambda console: print_verify(summary, console))
    assert "Shopify = ERP to the cent for 8 of 8 documents of 8 orders; 0 finding(s)" in text


def test_findings_are_counted_by_kind_fixed_ones_included_and_the_open_ones_listed_with_what_to_do() -> None:
    fixed = a_finding("sale_not_processing", fixed=True)
    missing = a_finding("shipment_missing", order="#1002")
    summary = verify_summary({"a.myshopify.com": a_report(fixed, missing)})

    assert (summary["findings"], summary["fixed"], summary["equal"]) == (2, 1, 4)
    assert summary["by_kind"] == {"sale_not_processing": 1, "shipment_missing": 1}
    assert [(f["order"], f["shop"]) for f in summary["open"]] == [("#1002", "a.myshopify.com")]
    text = shown(lambda console: print_verify(summary, console))
    assert "2 finding(s) (sale_not_processing 1, shipment_missing 1; 1 fixed)" in text
    assert "#1002 shipment_missing SO7: sale SO7 is confirmed" in text
    assert "trueup replay --order #1001" in text
