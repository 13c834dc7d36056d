"""`/sandbox/payments/...`: see the Shopify Payments account, its payouts and transactions, and make the events
Shopify makes on its side happen on demand (disputes, reserves, adjustments, failed or cancelled payouts).

Every change is validated first: bad input gets a 400 (or 404 for an unknown object) saying why, nothing
half-applied. Amounts are decimal strings in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shopify_sandbox.models.payouts import BalanceTransaction, ShopifyPaymentsPayout
from shopify_sandbox.money import ZERO, format_amount
from shopify_sandbox.payments_account import InvalidPaymentsSettings, account_settings, configure, payments_account
from shopify_sandbox.payments_ledger import (
    close_dispute,
    hold_reserve,
    open_dispute,
    record_adjustment,
    release_reserve,
    sync_ledger,
)
from shopify_sandbox.payouts import (
    advance_payments,
    cancel_payout,
    fail_payout,
    payout_summary,
    payout_transfer,
    pending_transactions,
    run_payouts,
)
from shopify_sandbox.rest_payloads import timestamp
from shopify_sandbox.state import ShopState

if TYPE_CHECKING:
    from shopify_sandbox.app import Sandbox


class BadRequest(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def transaction_json(transaction: BalanceTransaction) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "type": transaction.type,
        "amount": format_amount(transaction.amount),
        "fee": format_amount(transaction.fee),
        "net": format_amount(transaction.net),
        "currency": transaction.currency,
        "processedAt": timestamp(transaction.transaction_date) if transaction.transaction_date else None,
        "availableOn": transaction.available_on.isoformat() if transaction.available_on else None,
        "order": transaction.order.name if transaction.order else None,
        "sourceType": transaction.source_type,
        "payout": transaction.payout.id if transaction.payout else None,
        "payoutStatus": transaction.payout.status if transaction.payout else "PENDING",
    }


def payout_json(state: ShopState, payout: ShopifyPaymentsPayout, with_transactions: bool = True) -> dict[str, Any]:
    summary = {key: format_amount(value) for key, value in payout_summary(payout).items()}
    body: dict[str, Any] = {
        "id": payout.id,
        "legacyResourceId": payout.legacy_resource_id,
        "status": payout.status,
        "currency": payout.currency,
        "net": format_amount(payout.net_amount),
        "transactionType": payout.transaction_type,
        "issuedAt": timestamp(payout.issued_at) if payout.issued_at else None,
        "summary": summary,
        "transactionCount": len(payout.transactions),
        "failureReason": payout.failure_reason,
    }
    if with_transactions:
        transfer = payout_transfer(state, payout)
        body["transactions"] = [transaction_json(t) for t in payout.transactions]
        body["transfer"] = transaction_json(transfer) if transfer else None
    return body


def account_json(state: ShopState) -> dict[str, Any]:
    account = payments_account(state)
    balances = {
        currency: format_amount(sum((t.net for t in pending_transactions(state, currency)), ZERO))
        for currency in account.currencies
    }
    return {
        "settings": account_settings(account),
        "balance": balances,
        "payouts": state.count("ShopifyPaymentsPayout"),
        "balanceTransactions": state.count("ShopifyPaymentsBalanceTransaction"),
        "disputes": state.count("ShopifyPaymentsDispute"),
        "now": timestamp(state.now()),
    }


def _amount(body: dict[str, Any], key: str, required: bool = True) -> Decimal | None:
    value = body.get(key)
    if value is None:
        if required:
            raise BadRequest(f"{key} is required")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise BadRequest(f"{key} must be a decimal amount") from error
    if not amount.is_finite():
        raise BadRequest(f"{key} must be a decimal amount")
    return amount


def _order(state: ShopState, body: dict[str, Any]) -> Any:
    if body.get("orderId"):
        order = state.by_gid(body["orderId"], "Order")
    elif body.get("orderName"):
        order = next((o for o in state.all("Order") if o.name == body["orderName"]), None)
    else:
        return None
    if order is None:
        raise BadRequest("no such order", 404)
    return order


def _found(state: ShopState, typename: str, number: str) -> Any:
    found = state.get(typename, int(number))
    if found is None:
        raise BadRequest(f"no such {typename} {number}", 404)
    return found


Handler = Callable[[ShopState, dict[str, Any], dict[str, Any]], dict[str, Any]]


def _dispute_open(state: ShopState, body: dict[str, Any], _params: dict[str, Any]) -> dict[str, Any]:
    order = _order(state, body)
    if order is None:
        raise BadRequest("orderId or orderName is required")
    kind = body.get("type", "CHARGEBACK")
    if kind not in ("CHARGEBACK", "INQUIRY"):
        raise BadRequest("type must be CHARGEBACK or INQUIRY")
    dispute = open_dispute(
        state, order, _amount(body, "amount", required=False), body.get("reason", "FRAUDULENT"), kind
    )
    amounts = {"amount": format_amount(dispute.amount), "fee": format_amount(dispute.fee)}
    return {
        "dispute": dispute.id,
        "legacyResourceId": dispute.legacy_resource_id,
        "currency": dispute.currency,
    } | amounts


def _dispute_close(state: ShopState, body: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    dispute = _found(state, "ShopifyPaymentsDispute", params["number"])
    if not isinstance(body.get("won"), bool):
        raise BadRequest("won must be true or false")
    close_dispute(state, dispute, body["won"])
    return {"dispute": dispute.id, "status": dispute.status}


def _reserve_hold(state: ShopState, body: dict[str, Any], _params: dict[str, Any]) -> dict[str, Any]:
    days = body.get("days", 30)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise BadRequest("days must be a whole number of days")
    amount = _amount(body, "amount")
    assert amount is not None
    reserve = hold_reserve(state, amount, body.get("currency"), days, body.get("reason", "Reserve"))
    release_at = timestamp(reserve.release_at) if reserve.release_at else None
    return {"reserve": reserve.legacy_resource_id, "amount": format_amount(reserve.amount), "releaseAt": release_at}


def _reserve_release(state: ShopState, _body: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    reserve = _found(state, "SandboxReservedFunds", params["number"])
    release_reserve(state, reserve)
    return {"reserve": reserve.legacy_resource_id, "released": True}


def _adjustment(state: ShopState, body: dict[str, Any], _params: dict[str, Any]) -> dict[str, Any]:
    amount = _amount(body, "amount")
    assert amount is not None
    currency = body.get("currency")
    if currency is not None and currency not in payments_account(state).currencies:
        raise BadRequest(f"the account has no balance in {currency}")
    entry = record_adjustment(state, amount, str(body.get("reason", "Adjustment")), _order(state, body), currency)
    return transaction_json(entry)


def _payout_fail(state: ShopState, body: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    payout = _found(state, "ShopifyPaymentsPayout", params["number"])
    fail_payout(state, payout, body.get("reason", "The bank declined the transfer."))
    return payout_json(state, payout, with_transactions=False)


def _payout_cancel(state: ShopState, body: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    payout = _found(state, "ShopifyPaymentsPayout", params["number"])
    cancel_payout(state, payout, body.get("reason", "Cancelled by Shopify."))
    return payout_json(state, payout, with_transactions=False)


def _payouts_run(state: ShopState, body: dict[str, Any], _params: dict[str, Any]) -> dict[str, Any]:
    payouts = run_payouts(state, due_only=bool(body.get("dueOnly")))
    return {"payouts": [payout_json(state, p, with_transactions=False) for p in payouts]}


def _settings(state: ShopState, body: dict[str, Any], _params: dict[str, Any]) -> dict[str, Any]:
    sync_ledger(state)  # charges taken so far keep the settings they were taken under
    try:
        configure(payments_account(state), body)
    except InvalidPaymentsSettings as error:
        raise BadRequest(str(error)) from error
    return account_settings(payments_account(state))


def payments_routes(sandbox: Sandbox) -> list[Route]:
    state = sandbox.state

    def change(handler: Handler) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def endpoint(request: Request) -> JSONResponse:
            try:
                body = json.loads(await request.body() or b"{}")
                if not isinstance(body, dict):
                    raise BadRequest("expected a JSON object")
                with state.lock:
                    advance_payments(state)
                    return JSONResponse(handler(state, body, dict(request.path_params)))
            except BadRequest as error:
                return JSONResponse({"errors": str(error)}, status_code=error.status)
            except ValueError as error:  # a rule of the ledger (a dispute already closed, an amount too large)
                return JSONResponse({"errors": str(error)}, status_code=400)

        return endpoint

    async def show(_request: Request) -> JSONResponse:
        with state.lock:
            advance_payments(state)
            sync_ledger(state)
            return JSONResponse(account_json(state))

    async def payouts(request: Request) -> JSONResponse:
        with state.lock:
            advance_payments(state)
            status = request.query_params.get("status")
            chosen = [p for p in state.all("ShopifyPaymentsPayout") if status is None or p.status == status.upper()]
            return JSONResponse({"payouts": [payout_json(state, p) for p in chosen]})

    async def balance(_request: Request) -> JSONResponse:
        with state.lock:
            advance_payments(state)
            sync_ledger(state)
            return JSONResponse({"pending": [transaction_json(t) for t in pending_transactions(state)]})

    number = "{number:int}"
    return [
        Route("/sandbox/payments", show, methods=["GET"]),
        Route("/sandbox/payments/settings", change(_settings), methods=["POST"]),
        Route("/sandbox/payments/payouts", payouts, methods=["GET"]),
        Route("/sandbox/payments/pending", balance, methods=["GET"]),
        Route("/sandbox/payments/payouts/run", change(_payouts_run), methods=["POST"]),
        Route(f"/sandbox/payments/payouts/{number}/fail", change(_payout_fail), methods=["POST"]),
        Route(f"/sandbox/payments/payouts/{number}/cancel", change(_payout_cancel), methods=["POST"]),
        Route("/sandbox/payments/disputes", change(_dispute_open), methods=["POST"]),
        Route(f"/sandbox/payments/disputes/{number}/close", change(_dispute_close), methods=["POST"]),
        Route("/sandbox/payments/reserves", change(_reserve_hold), methods=["POST"]),
        Route(f"/sandbox/payments/reserves/{number}/release", change(_reserve_release), methods=["POST"]),
        Route("/sandbox/payments/adjustments", change(_adjustment), methods=["POST"]),
    ]
