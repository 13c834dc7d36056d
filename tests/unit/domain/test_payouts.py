"""The payout rules: Shopify's figures checked, one balanced entry, no balancing line, the conversion's rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.payouts import (
    CLEARING,
    BalanceTransaction,
    Payout,
    PayoutAccounts,
    PayoutStatus,
    in_company_currency,
    orders_of,
    payout_entry,
    payout_reference,
    returned_entry,
    waiting_for,
)

SHOP = "demo.myshopify.com"
ACCOUNTS = PayoutAccounts(
    bank={"USD": "BANK-USD", "EUR": "BANK-EUR"},
    clearing={("shopify_payments", "USD"): "CLR-USD", ("shopify_payments", "EUR"): "CLR-EUR"},
    fee_expense="FEES",
    exchange_difference="FX",
    returned_payouts="RETURNED",
    transaction_types={
        "CHARGE": CLEARING,
        "REFUND": CLEARING,
        "ADJUSTMENT": "ADJ",
        "DISPUTE_WITHDRAWAL": "DISPUTES",
        "DISPUTE_REVERSAL": "DISPUTES",
        "RESERVED_FUNDS": "RESERVES",
        "TRANSFER_FAILURE": "RETURNED",
    },
)
ISSUED = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)


def usd(amount: str | Decimal) -> Money:
    return Money(Decimal(amount), "USD")


def tx(
    kind: str, amount: str, fee: str = "0.00", net: str | None = None, order: str | None = None
) -> BalanceTransaction:
    net_amount = usd(net) if net is not None else usd(amount) - usd(fee)
    return BalanceTransaction(f"tx-{kind}-{amount}", kind, usd(amount), usd(fee), net_amount, order, None)


def payout(*txs: BalanceTransaction, net: str | None = None, status: PayoutStatus = PayoutStatus.PAID) -> Payout:
    total_net = usd(net) if net is not None else usd(sum((t.net.amount for t in txs), Decimal(0)))
    return Payout("7001", status, ISSUED, total_net, txs)


def by_account(lines: object) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for line in lines:  # type: ignore[attr-defined]
        sums[line.account] = sums.get(line.account, Decimal(0)) + line.amount.amount
    return sums


def test_a_paid_payout_is_net_to_bank_charges_and_refunds_against_clearing_fees_to_expense():
    entry = payout_entry(SHOP, payout(tx("CHARGE", "100.00", "3.20"), tx("REFUND", "-25.00")), ACCOUNTS)

    assert entry.reference == "shopify:demo.myshopify.com:payout:7001"
    assert by_account(entry.lines) == {
        "BANK-USD": Decimal("71.80"),
        "CLR-USD": Decimal("-75.00"),
        "FEES": Decimal("3.20"),
    }
    assert entry.balance().is_zero()


def test_a_dispute_withdrawal_and_its_fee_and_a_reserve_go_to_their_accounts():
    entry = payout_entry(
        SHOP,
        payout(
            tx("CHARGE", "200.00", "6.10"), tx("DISPUTE_WITHDRAWAL", "-40.00", "15.00"), tx("RESERVED_FUNDS", "-50")
        ),
        ACCOUNTS,
    )

    assert by_account(entry.lines) == {
        "BANK-USD": Decimal("88.90"),
        "CLR-USD": Decimal("-200.00"),
        "DISPUTES": Decimal("40.00"),
        "RESERVES": Decimal("50"),
        "FEES": Decimal("21.10"),
    }


@pytest.mark.parametrize("status", [PayoutStatus.FAILED, PayoutStatus.CANCELED])
def test_a_payout_failed_or_cancelled_before_booking_puts_its_net_on_returned_payouts(status: PayoutStatus):
    entry = payout_entry(SHOP, payout(tx("CHARGE", "10.00", "0.45"), status=status), ACCOUNTS)

    assert by_account(entry.lines)["RETURNED"] == Decimal("9.55")
    assert "BANK-USD" not in by_account(entry.lines)


def test_a_paid_payout_that_fails_afterwards_moves_its_net_from_the_bank_to_returned_payouts():
    failed = payout(tx("CHARGE", "10.00", "0.45"), status=PayoutStatus.FAILED)

    entry = returned_entry(SHOP, failed, ACCOUNTS, dt.date(2026, 11, 9))

    assert entry.reference == payout_reference(SHOP, "7001") + ":returned"
    assert by_account(entry.lines) == {"RETURNED": Decimal("9.55"), "BANK-USD": Decimal("-9.55")}


def test_a_transaction_whose_amount_less_fee_is_not_its_net_is_unexplained_and_named():
    with pytest.raises(StructuralError) as raised:
        payout_entry(SHOP, payout(tx("CHARGE", "100.00", "3.20", net="96.90")), ACCOUNTS)

    assert raised.value.cause is Cause.PAYOUT_UNEXPLAINED
    assert "tx-CHARGE-100.00" in raised.value.detail
    assert "-0.10 USD" in raised.value.detail


def test_a_payout_its_transactions_do_not_add_up_to_is_unexplained_with_the_variance_never_balanced():
    with pytest.raises(StructuralError) as raised:
        payout_entry(SHOP, payout(tx("CHARGE", "100.00", "3.20"), net="97.00"), ACCOUNTS)

    assert raised.value.cause is Cause.PAYOUT_UNEXPLAINED
    assert "add up to 96.80 USD, the payout is 97.00 USD: 0.20 USD" in raised.value.detail


def test_a_transaction_in_another_currency_is_unexplained():
    odd = BalanceTransaction("t1", "CHARGE", Money.of("5", "EUR"), Money.of("0", "EUR"), Money.of("5", "EUR"))
    with pytest.raises(StructuralError, match="t1 is in EUR"):
        payout_entry(SHOP, Payout("1", PayoutStatus.PAID, ISSUED, usd("5"), (odd,)), ACCOUNTS)


def test_an_unmapped_type_and_a_currency_without_bank_are_each_named_and_nothing_is_built():
    cad = Money.of("5.00", "CAD")
    odd = BalanceTransaction("t1", "ADVANCE", cad, Money.of("0", "CAD"), cad)

    with pytest.raises(StructuralError) as raised:
        payout_entry(SHOP, Payout("1", PayoutStatus.PAID, ISSUED, cad, (odd,)), ACCOUNTS)

    assert raised.value.cause is Cause.UNMAPPED_PAYMENT_ACCOUNT
    assert "no bank account for CAD" in raised.value.detail
    assert "balance transaction type ADVANCE is not mapped" in raised.value.detail


def test_the_orders_a_payout_settles_are_those_of_its_charges_and_refunds_and_waiting_names_them():
    p = payout(
        tx("CHARGE", "10.00", order="gid://shopify/Order/1"),
        tx("REFUND", "-1.00", order="gid://shopify/Order/2"),
        tx("DISPUTE_WITHDRAWAL", "-3.00", order="gid://shopify/Order/3"),
    )

    assert orders_of(p) == {"gid://shopify/Order/1", "gid://shopify/Order/2"}
    error = waiting_for(p, ["gid://shopify/Order/2"])
    assert error.cause is Cause.PAYOUT_WAITING_FOR_ORDERS
    assert error.needs == {"orders": ["gid://shopify/Order/2"]}


def test_a_payout_in_the_company_s_currency_is_not_converted():
    entry = payout_entry(SHOP, payout(tx("CHARGE", "10.00", "0.45")), ACCOUNTS)

    lines = in_company_currency(entry, "USD", Decimal("1.08"), "FX")

    assert [(line.amount, line.second) for line in lines] == [(line.amount, None) for line in entry.lines]


def test_the_conversion_s_rounding_is_one_exchange_difference_line():
    charges = [BalanceTransaction(f"t{n}", "CHARGE", usd("1.00"), usd("0"), usd("1.00")) for n in range(3)]
    entry = payout_entry(SHOP, payout(*charges), ACCOUNTS)

    lines = in_company_currency(entry, "EUR", Decimal("1.08"), "FX")

    # 3.00 USD is 2.78 EUR, each 1.00 USD 0.93 EUR: a cent of rounding
    assert [line.account for line in lines] == ["BANK-USD", "CLR-USD", "CLR-USD", "CLR-USD", "FX"]
    assert lines[-1].amount == Money.of("0.01", "EUR")
    assert lines[-1].second is None
    assert sum(line.amount.amount for line in lines) == 0


cents = st.integers(min_value=-500_000, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
fees = st.integers(min_value=0, max_value=5_000).map(lambda c: Decimal(c).scaleb(-2))
kinds = st.sampled_from(["CHARGE", "REFUND", "ADJUSTMENT", "DISPUTE_WITHDRAWAL", "RESERVED_FUNDS"])
transactions = st.lists(st.tuples(kinds, cents, fees), min_size=1, max_size=60)
rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("200"), places=6)


@given(transactions, rates)
def test_any_checked_payout_balances_in_its_currency_and_in_the_company_s(rows, rate):
    txs = tuple(tx(kind, str(amount), str(fee)) for kind, amount, fee in rows)
    p = payout(*txs)

    entry = payout_entry(SHOP, p, ACCOUNTS)
    lines = in_company_currency(entry, "EUR", rate, "FX")

    assert entry.balance().is_zero()
    assert by_account(entry.lines)["FEES" if any(t.fee.amount for t in txs) else "BANK-USD"] is not None
    assert sum(line.amount.amount for line in lines) == 0
    assert sum(line.amount.amount for line in entry.lines if line.account == "BANK-USD") == p.net.amount
    exchange = [line.amount.amount for line in lines if line.account == "FX"]
    assert not exchange or abs(exchange[0]) <= Decimal("0.005") * len(entry.lines)


@given(transactions, st.integers(min_value=-1000, max_value=1000).filter(bool))
def test_any_payout_off_by_a_cent_or_more_is_unexplained(rows, off_cents):
    txs = tuple(tx(kind, str(amount), str(fee)) for kind, amount, fee in rows)
    true_net = sum((t.net.amount for t in txs), Decimal(0))

    with pytest.raises(StructuralError) as raised:
        payout_entry(SHOP, payout(*txs, net=str(true_net + Decimal(off_cents).scaleb(-2))), ACCOUNTS)

    assert raised.value.cause is Cause.PAYOUT_UNEXPLAINED
