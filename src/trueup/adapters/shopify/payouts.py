"""ShopifyPayments: a shop's Shopify Payments payouts and their balance transactions, read from the Admin API.

Shopify sends no payout webhook, so payouts are polled (`payouts:issued_at>=`), and each payout's transactions
are read by the search term Shopify documents, `payments_transfer_id:<payout legacy id>`, its own TRANSFER
hidden (`hideTransfers: true`): what is left sums to the payout's net. A transaction not in a payout yet is
never read, so one first seen outside any payout is read with the payout that later carries it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from trueup.adapters.shopify import queries
from trueup.adapters.shopify.graphql import ShopifyGraphQL
from trueup.adapters.shopify.pagination import walk_pages
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.payouts import BalanceTransaction, Payout, PayoutStatus


class ShopifyPayments:
    """The ShopifyPayments port over the Admin API (one shop's GraphQL client and cost budget)."""

    def __init__(self, graphql: ShopifyGraphQL) -> None:
        self.graphql = graphql

    def payouts_issued_since(self, since: date) -> Iterator[Payout]:
        """Every payout issued on or after `since`, oldest first, without its transactions; none when the shop
        has no Shopify Payments account."""
        search = f"issued_at:>={since.isoformat()}"

        def page(after: str | None) -> Mapping[str, Any]:
            variables = {"query": search, "first": queries.PAYOUTS_PAGE_SIZE, "after": after}
            account = self.graphql.execute(queries.PAYOUTS_SINCE, variables)["shopifyPaymentsAccount"]
            return account["payouts"] if account else {"nodes": []}

        for node in walk_pages(page, "payouts issued since a date"):
            yield _payout(node)

    def with_transactions(self, payout: Payout) -> Payout:
        """`payout` with its balance transactions (its own transfer left out), read page by page."""
        search = f"payments_transfer_id:{payout.payout_id}"

        def page(after: str | None) -> Mapping[str, Any]:
            variables = {"query": search, "first": queries.PAYOUT_TRANSACTIONS_PAGE_SIZE, "after": after}
            account = self.graphql.execute(queries.PAYOUT_TRANSACTIONS, variables)["shopifyPaymentsAccount"]
            return account["balanceTransactions"] if account else {"nodes": []}

        nodes = walk_pages(page, f"the transactions of payout {payout.payout_id}")
        return Payout(payout.payout_id, payout.status, payout.issued_at, payout.net, tuple(map(_transaction, nodes)))

    def unpaid_transactions(self) -> list[BalanceTransaction]:
        """The balance transactions in no payout yet or in one not paid yet (Shopify's `payout_status:` search
        term), their transfers hidden."""
        found: list[BalanceTransaction] = []
        for status in UNPAID_STATUSES:
            search = f"payout_status:{status}"

            def page(after: str | None, search: str = search) -> Mapping[str, Any]:
                variables = {"query": search, "first": queries.PAYOUT_TRANSACTIONS_PAGE_SIZE, "after": after}
                account = self.graphql.execute(queries.PAYOUT_TRANSACTIONS, variables)["shopifyPaymentsAccount"]
                return account["balanceTransactions"] if account else {"nodes": []}

            read = walk_pages(page, f"the balance transactions {search}")
            found += (replace(_transaction(node), payout_status=status.upper()) for node in read)
        return found


# A transaction is paid out once its payout is PAID; until then (no payout yet, or one scheduled or in transit)
# its money is still owed by Shopify: on the clearing account.
UNPAID_STATUSES = ("pending", "scheduled", "in_transit")


def _money(node: Mapping[str, Any]) -> Money:
    return Money(Decimal(str(node["amount"])), str(node["currencyCode"]))


def _payout(node: Mapping[str, Any]) -> Payout:
    try:
        status = PayoutStatus(node["status"])
    except ValueError:
        raise StructuralError(
            Cause.PAYOUT_UNEXPLAINED, f"payout {node['legacyResourceId']}: status {node['status']!r} unknown"
        ) from None
    issued = datetime.fromisoformat(str(node["issuedAt"]).replace("Z", "+00:00")).astimezone(UTC)
    return Payout(str(node["legacyResourceId"]), status, issued, _money(node["net"]))


def _transaction(node: Mapping[str, Any]) -> BalanceTransaction:
    order = node.get("associatedOrder") or {}
    return BalanceTransaction(
        transaction_id=str(node["id"]),
        type=str(node["type"]),
        amount=_money(node["amount"]),
        fee=_money(node["fee"]),
        net=_money(node["net"]),
        order_id=order.get("id"),
        order_name=order.get("name"),
        processed_at=_moment(node.get("transactionDate")),
    )


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
