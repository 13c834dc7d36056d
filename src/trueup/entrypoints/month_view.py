"""The month view for people (`trueup month`): totals side by side, the totals line, every difference by
document; and the same as JSON and CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.console import Console

from trueup.domain.money import Money
from trueup.domain.month_close import ERP_NAMES, FIGURES, MonthView
from trueup.entrypoints.terminal import say, table

if TYPE_CHECKING:
    from trueup.config import TrueupConfig

DIFFERENCE_COLUMNS = ("kind", "document", "erp_documents", "figure", "currency", "shopify", "erp", "difference", "why")


def build_month_view(cfg: TrueupConfig, month: str, shop: str | None = None) -> MonthView:
    """The month view of every configured shop (or `shop`), wired from the configuration."""
    from trueup import bootstrap
    from trueup.service_layer.month_view import ShopMonth, month_view

    store = bootstrap.build_store(cfg)
    try:
        vault = bootstrap.build_token_vault(cfg)
        shops = [
            ShopMonth(s.domain, bootstrap.build_shopify(s, cfg, vault), ZoneInfo(s.timezone))
            for s in cfg.shops
            if shop is None or s.domain == shop
        ]
        p = cfg.payments
        books = bootstrap.build_accounting(cfg)
        try:
            return month_view(month, shops, store, books, p.fee_expense, sorted(p.bank.values()))
        finally:
            close_all([books, *(s.shopify for s in shops)])
    finally:
        store.close()


def close_all(clients: list[object]) -> None:
    """Close the clients a command opened (those that can be closed)."""
    for client in clients:
        close = getattr(client, "close", None)
        if callable(close):
            close()


def totals_line(view: MonthView) -> str:
    """One line: the month, the documents read, and the difference of all figures per currency."""
    gaps = [
        f"{sum((abs(view.difference(c, f).amount) for f in FIGURES), Decimal(0)):.2f} {c}" for c in view.currencies()
    ]
    verdict = "closes to the cent" if view.closes else f"{len(view.differences)} document(s) differ"
    if view.not_invoiced_yet:
        verdict += f" ({len(view.not_invoiced_yet)} order(s) not invoiced yet, listed apart)"
    return (
        f"Month {view.month}: {view.documents} Shopify document(s); difference Shopify against the ERP "
        f"{', '.join(gaps) or '0.00'}: {verdict}"
    )


def render_month(view: MonthView, console: Console) -> None:
    rows = []
    for currency in view.currencies():
        for figure in FIGURES:
            shopify = _amount(view.shopify, currency, figure)
            erp = _amount(view.erp, currency, figure)
            label = f"{figure} / {ERP_NAMES[figure]}"
            rows.append((currency, label, str(shopify.amount), str(erp.amount), str((erp - shopify).amount)))
    if rows:
        console.print(
            table(
                f"Month {view.month}: Shopify against the ERP",
                ("currency", "figure", "Shopify", "ERP", "difference"),
                rows,
            )
        )
    say(console, totals_line(view), "green" if view.closes else "red")
    for name, amount, why in view.not_invoiced_yet:
        say(console, f"Not invoiced yet (left out of both sides): {name} {amount}: {why}")
    if view.cancelled_unbooked:
        say(
            console,
            f"Cancelled before the ERP booked anything (left out of both sides): {', '.join(view.cancelled_unbooked)}",
        )
    if view.differences:
        console.print(table("Differences by document", DIFFERENCE_COLUMNS, [r.values() for r in difference_rows(view)]))


def difference_rows(view: MonthView) -> list[dict[str, str]]:
    """One row per document and figure that differ."""
    rows = []
    for difference in view.differences:
        for key, (shopify, erp, gap) in difference.figures.items():
            rows.append(
                {
                    "kind": difference.kind,
                    "document": difference.name,
                    "erp_documents": " ".join(difference.erp_documents),
                    "figure": key.split(":")[0],
                    "currency": gap.currency,
                    "shopify": str(shopify.amount),
                    "erp": str(erp.amount),
                    "difference": str(gap.amount),
                    "why": difference.why,
                }
            )
    return rows


def month_json(view: MonthView) -> dict[str, Any]:
    return {
        "month": view.month,
        "closes": view.closes,
        "documents": view.documents,
        "totals": {
            currency: {
                figure: {
                    "shopify": str(_amount(view.shopify, currency, figure).amount),
                    "erp": str(_amount(view.erp, currency, figure).amount),
                    "difference": str(view.difference(currency, figure).amount),
                }
                for figure in FIGURES
            }
            for currency in view.currencies()
        },
        "differences": difference_rows(view),
        "cancelled_unbooked": list(view.cancelled_unbooked),
        "not_invoiced_yet": [
            {"order": name, "amount": str(amount.amount), "currency": amount.currency, "why": why}
            for name, amount, why in view.not_invoiced_yet
        ],
    }


def month_csv(view: MonthView) -> str:
    """The differences as CSV, header first (only the header when the month closes)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(DIFFERENCE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(difference_rows(view))
    return out.getvalue()


def _amount(totals: Any, currency: str, figure: str) -> Money:
    return totals.get(currency, {}).get(figure, Money.zero(currency))
