"""Each Shopify Payments clearing account explained line by line (`trueup clearing`, domain/clearing.py): the
transactions Shopify has not paid out yet, read from Shopify, against the account's balance read from the ERP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trueup.domain.clearing import CLEARING_TYPES, ClearingExplanation, ClearingLine, UnbookedPayout, explain_clearing
from trueup.domain.ledger import LedgerEntry
from trueup.domain.money import Money
from trueup.domain.payouts import GATEWAY, PayoutAccounts, PayoutState, PayoutStatus
from trueup.service_layer.ports import Accounting, ShopifyPaymentsReader, Store


@dataclass(frozen=True)
class ShopPayments:
    shop: str
    payments: ShopifyPaymentsReader


def clearing_view(
    shops: Sequence[ShopPayments], store: Store, accounting: Accounting, accounts: PayoutAccounts
) -> list[ClearingExplanation]:
    """One explanation per Shopify Payments clearing account of `[payments] clearing`, by currency."""
    codes = {currency: code for (gateway, currency), code in accounts.clearing.items() if gateway == GATEWAY}
    balances = accounting.account_balances(codes.values())
    lines: list[ClearingLine] = []
    unbooked: list[UnbookedPayout] = []
    for shop in shops:
        ledger = {entry.order_id: entry for entry in store.ledger_entries(shop=shop.shop)}
        for tx in shop.payments.unpaid_transactions():
            if tx.type in CLEARING_TYPES:
                booked, why = _booked(ledger.get(tx.order_id) if tx.order_id else None)
                name = tx.order_name or "-"
                lines.append(ClearingLine(GATEWAY, tx.transaction_id, tx.type, name, tx.amount, booked, why))
        for record in store.payout_records(shop.shop, states=[PayoutState.EXCEPTION]):
            if record.status is PayoutStatus.PAID and "charges" in record.totals:
                cleared = record.totals["charges"] + record.totals["refunds"]
                unbooked.append(UnbookedPayout(record.payout_id, cleared, f"{record.cause}: {record.detail}"))
    explanations = []
    for currency, code in sorted(codes.items()):
        found = balances.get(code)
        balance = Money.zero(currency) if found is None else (found.second or found.balance)
        explanations.append(explain_clearing(code, GATEWAY, balance, lines, unbooked))
    return explanations


def _booked(entry: LedgerEntry | None) -> tuple[bool, str]:
    """Whether the order's payment can be in the ERP (its sale is), and why not."""
    if entry is None:
        return False, "the order is not known to trueup yet"
    if entry.erp_sale_id is None:
        cause = f": {entry.cause.value}" if entry.cause else ""
        return False, f"the order is {entry.state.value}{cause}"
    return True, ""


def clearing_json(explanations: Sequence[ClearingExplanation]) -> list[dict[str, object]]:
    return [
        {
            "account": e.account,
            "gateway": e.gateway,
            "currency": e.currency,
            "erp_balance": str(e.balance.amount),
            "not_paid_out": str(e.not_paid_out.amount),
            "expected_in_erp": str(e.expected.amount),
            "unexplained": str(e.unexplained.amount),
            "explained": e.explained,
            "lines": [
                {
                    "gateway": line.gateway,
                    "currency": line.amount.currency,
                    "order": line.order,
                    "type": line.type,
                    "amount": str(line.amount.amount),
                    "transaction": line.transaction_id,
                    "booked_in_erp": line.booked,
                    "why": line.why,
                }
                for line in e.lines
            ],
            "differences": e.differences(),
        }
        for e in explanations
    ]
