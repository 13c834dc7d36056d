"""A Shopify Payments payout of N balance transactions booked in a real Tryton, as trueup books it, against
Tryton's raw rate for the same lines in the same run.

trueup's path: the domain's checks and entry (domain/payouts.py), then the Accounting adapter (the accounts and
journal read, the rate read, one `account.move` created with its lines and posted). The raw path: the same move,
its line values computed beforehand, created and posted in two calls. Both on a fresh copy of the demo database.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.payout_books import TrytonPayoutBooks
from trueup.config import PaymentsConfig
from trueup.domain.money import Money
from trueup.domain.payouts import (
    BalanceTransaction,
    Payout,
    PayoutAccounts,
    PayoutStatus,
    in_company_currency,
    payout_entry,
)
from trueup.local_stack.embedded_tryton import ADMIN_LOGIN, ADMIN_PASSWORD, TrytonServer, ensure_database
from trueup.local_stack.processes import free_port

SHOP = "bench.myshopify.com"
RATE = Decimal("1.08")  # the demo business's USD rate


def _accounts() -> tuple[PaymentsConfig, PayoutAccounts]:
    config = PaymentsConfig()
    clearing = {(key.split(":")[0], key.split(":")[1]): code for key, code in config.clearing.items()}
    accounts = PayoutAccounts(
        config.bank,
        clearing,
        config.fee_expense,
        config.exchange_difference,
        config.returned_payouts,
        config.transaction_types,
    )
    return config, accounts


def synthetic_payout(payout_id: str, transactions: int, rng: random.Random) -> Payout:
    """A USD payout of charges (with Shopify's 1.5 % + 0.25 fee) and a refund in ten."""
    txs = []
    for n in range(transactions):
        amount = Decimal(rng.randint(500, 30000)).scaleb(-2)
        if n % 10 == 9:
            gross, fee = Money(-amount, "USD"), Money(Decimal(0), "USD")
            kind = "REFUND"
        else:
            gross = Money(amount, "USD")
            fee = Money((amount * Decimal("0.015") + Decimal("0.25")).quantize(Decimal("0.01")), "USD")
            kind = "CHARGE"
        txs.append(BalanceTransaction(f"bt-{payout_id}-{n}", kind, gross, fee, gross - fee, f"o{n}", f"#{1000 + n}"))
    net = Money(sum((t.net.amount for t in txs), Decimal(0)), "USD")
    return Payout(payout_id, PayoutStatus.PAID, datetime.now(UTC), net, tuple(txs))


def _raw(client: TrytonClient, payout: Payout, accounts: PayoutAccounts, journal: str) -> float:
    """The same move by hand: every id and value computed before the clock starts, then create and post."""
    db = TrytonDatabase(client)
    books = TrytonPayoutBooks(db)
    entry = payout_entry(SHOP, payout, accounts)
    ids = books._accounts(accounts.codes())
    currencies = {
        r["code"]: r["id"] for r in client.call("currency.currency", "search_read", [], 0, None, None, ["code"])
    }
    journal_id = books._journal(journal)
    period = books._period(entry.date)
    lines = []
    for line in in_company_currency(entry, "EUR", RATE, accounts.exchange_difference):
        amount = line.amount.amount
        values: dict[str, Any] = {
            "account": ids[line.account],
            "debit": max(amount, Decimal(0)),
            "credit": max(-amount, Decimal(0)),
            "description": line.description,
        }
        if line.second is not None:
            values.update(second_currency=currencies[line.second.currency], amount_second_currency=line.second.amount)
        lines.append(values)
    header = {"journal": journal_id, "date": entry.date, "period": period, "description": f"raw:{entry.reference}"}
    started = time.perf_counter()
    (move,) = client.call("account.move", "create", [{**header, "lines": [("create", lines)]}])
    client.call("account.move", "post", [move])
    return time.perf_counter() - started


def run(transactions: int = 2000, cache: Path = Path(".cache/tryton")) -> dict[str, Any]:
    config, accounts = _accounts()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        ensure_database(cache, data, "bench")
        with (
            TrytonServer(data, free_port(), databases=("bench",)) as server,
            TrytonClient(server.url, "bench", ADMIN_LOGIN, ADMIN_PASSWORD, timeout=600) as client,
        ):
            books = TrytonPayoutBooks(TrytonDatabase(client))
            # Warm both paths (trytond's caches, the first posting) before anything is timed.
            _raw(client, synthetic_payout("warm-raw", 10, rng), accounts, config.journal)
            warm = payout_entry(SHOP, synthetic_payout("warm", 10, rng), accounts)
            books.book_entry(warm, config.journal, config.exchange_difference)
            raw = _raw(client, synthetic_payout("raw", transactions, rng), accounts, config.journal)
            payout = synthetic_payout("1", transactions, rng)
            started = time.perf_counter()
            entry = payout_entry(SHOP, payout, accounts)
            booked = books.find_entry(entry.reference) or books.book_entry(
                entry, config.journal, config.exchange_difference
            )
            trueup = time.perf_counter() - started
    return {
        "transactions": transactions,
        "entry_lines": booked.lines,
        "trueup_seconds": round(trueup, 2),
        "raw_seconds": round(raw, 2),
        "trueup_lines_per_second": round(booked.lines / trueup, 1),
        "raw_lines_per_second": round(booked.lines / raw, 1),
        "ratio_to_raw": round(raw / trueup, 2),
    }
