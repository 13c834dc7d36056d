"""The demo's last word: `trueup verify` reads the ERP after the run and counts what it finds (0 after a clean
run), so that "accounted for" is proved by reading the ERP, not by trusting the path that wrote to it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from rich.console import Console

from trueup.entrypoints.terminal import say


def verify_summary(reports: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`trueup verify --json`'s reports (one per shop) summed: orders and documents checked, those equal to the
    cent, the findings (fixed ones included) counted by kind, and each one still open."""
    findings = [dict(f, shop=shop) for shop, report in reports.items() for f in report["findings"]]
    return {
        "orders": sum(int(r["orders"]) for r in reports.values()),
        "documents": sum(int(r["documents"]) for r in reports.values()),
        "equal": sum(int(r["equal"]) for r in reports.values()),
        "findings": len(findings),
        "fixed": sum(1 for f in findings if f["fixed"]),
        "by_kind": dict(Counter(str(f["kind"]) for f in findings)),
        "open": [f for f in findings if not f["fixed"]],
        "gone_from_shopify": sum(len(r["gone_from_shopify"]) for r in reports.values()),
    }


def print_verify(summary: Mapping[str, Any], console: Console) -> None:
    """One line for the whole check, and each finding still open with what to do."""
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(summary["by_kind"].items()))
    say(
        console,
        f"Verify (read from the ERP): Shopify = ERP to the cent for {summary['equal']} of {summary['documents']} "
        f"documents of {summary['orders']} orders; {summary['findings']} finding(s)"
        + (f" ({kinds}; {summary['fixed']} fixed)" if summary["findings"] else ""),
        "red" if summary["open"] else "",
    )
    for finding in summary["open"]:
        say(console, f"  {finding['order']} {finding['kind']} {finding['document']}: {finding['detail']}", "red")
        say(console, f"      {finding['what_to_do']}")
    if summary["gone_from_shopify"]:
        say(console, f"  {summary['gone_from_shopify']} posted order(s) no longer in Shopify", "yellow")
