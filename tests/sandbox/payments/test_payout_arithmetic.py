"""What a payout holds, to the cent: fees per charge, refunds in the next payout, one payout per currency,
amount − fee = net per transaction, Σ net = payout net, the summary per kind, the transfer out of the balance."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.payments.factories import (
    MONDAY,
    amount,
    at,
    balance,
    buy,
    of_payout,
    payouts,
    transactions,
    us_sandbox,
)

DAY = timedelta(days=1)
REFUND = """mutation($input: RefundInput!, $key: String!) { refundCreate(input: $input) @idempotent(key: $key) {
  userErrors { message } } }"""


def refund(client, order, value, key, currency=None):
    transaction = {"orderId": order["id"], "amount": value, "gateway": "shopify_payments", "kind": "REFUND"}
    refund_input = {"orderId": order["id"], "transactions": [transaction]}
    if currency:
        refund_input["currency"] = currency
    answer = client.graphql(REFUND, {"input": refund_input, "key": key})
    assert answer["data"]["refundCreate"]["userErrors"] == [], answer


def _money(node, name):
    return (node[name]["amount"], node[name]["currencyCode"])


def test_a_domestic_charge_pays_the_card_rate():
    client, _ = us_sandbox()
    order = buy(client, "80.00")
    [charge] = transactions(client)
    assert (charge["type"], _money(charge, "amount"), _money(charge, "fee"), _money(charge, "net")) == (
        "CHARGE",
        ("80.00", "USD"),
        ("1.45", "USD"),
        ("78.55", "USD"),
    )
    assert charge["associatedOrder"]["name"] == order["name"]
    assert charge["sourceOrderTransactionId"] == order["transactions"][0]["id"].rsplit("/", 1)[1]
    assert charge["associatedPayout"] == {"id": None, "status": "PENDING"}


def test_a_foreign_card_pays_the_international_fee_inside_the_charges_fee():
    client, _ = us_sandbox()
    buy(client, "80.00", country="FR")
    [charge] = transactions(client)
    assert (charge["fee"]["amount"], charge["net"]["amount"]) == ("2.25", "77.75")  # 1.45 + 1% of 80


def test_a_currency_not_paid_out_is_converted_with_the_conversion_fee_inside_the_charges_fee():
    client, _ = us_sandbox()
    order = buy(client, "92.00", currency="EUR")  # 100.00 USD at 0.92
    [charge] = transactions(client)
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "100.00"
    assert (_money(charge, "amount"), _money(charge, "fee")) == (("100.00", "USD"), ("3.25", "USD"))  # 1.75 + 1.50
    fees = client.graphql(
        "query($id: ID!) { order(id: $id) { transactions { settlementCurrency fees { type amount { amount } } } } }",
        {"id": order["id"]},
    )["data"]["order"]["transactions"][0]
    assert fees["settlementCurrency"] == "USD"
    assert [(f["type"], f["amount"]["amount"]) for f in fees["fees"]] == [
        ("PROCESSING", "1.75"),
        ("CURRENCY_CONVERSION", "1.50"),
    ]


def test_two_payout_currencies_make_two_payouts_and_two_balances():
    client, _ = us_sandbox(payoutCurrencies=["USD", "CAD"])
    buy(client, "100.00")
    buy(client, "137.00", currency="CAD")  # settles in CAD: no conversion fee
    buy(client, "92.00", currency="EUR")  # converted to USD
    assert balance(client) == {"USD": "195.00", "CAD": "134.69"}
    at(client, MONDAY + 2 * DAY)
    made = payouts(client)
    assert sorted((p["net"]["currencyCode"], p["net"]["amount"]) for p in made) == [
        ("CAD", "134.69"),
        ("USD", "195.00"),
    ]
    for payout in made:
        assert {t["net"]["currencyCode"] for t in of_payout(client, payout)} == {payout["net"]["currencyCode"]}
    assert balance(client) == {"USD": "0.00", "CAD": "0.00"}


def test_a_refund_comes_off_the_next_payout_and_its_fee_is_not_returned():
    client, _ = us_sandbox()
    order = buy(client, "100.00")
    at(client, MONDAY + 2 * DAY)  # Wednesday: the charge is paid out
    refund(client, order, "40.00", "r1")
    [refunded] = [t for t in transactions(client) if t["type"] == "REFUND"]
    assert (refunded["amount"]["amount"], refunded["fee"]["amount"], refunded["net"]["amount"]) == (
        "-40.00",
        "0.00",
        "-40.00",
    )
    at(client, MONDAY + 3 * DAY)  # Thursday's payout: the refund alone, a withdrawal from the bank
    latest = payouts(client)[-1]
    assert (latest["issuedAt"][:10], latest["net"]["amount"], latest["transactionType"]) == (
        "2026-11-05",
        "-40.00",
        "WITHDRAWAL",
    )
    assert latest["summary"]["refundsFeeGross"]["amount"] == "-40.00"


def test_a_refund_in_the_customers_currency_settles_where_its_charge_did():
    client, _ = us_sandbox(payoutCurrencies=["USD", "CAD"])
    order = buy(client, "137.00", currency="CAD")
    refund(client, order, "13.70", "r1", currency="CAD")
    assert [(t["type"], _money(t, "amount")) for t in transactions(client)] == [
        ("CHARGE", ("137.00", "CAD")),
        ("REFUND", ("-13.70", "CAD")),
    ]


def test_a_payout_is_the_sum_of_its_transactions_with_a_summary_per_kind_and_a_transfer_out_of_the_balance():
    client, _ = us_sandbox()
    first = buy(client, "100.00")
    buy(client, "50.00", country="DE")
    at(client, MONDAY + DAY)  # Tuesday: these come off the next payout, Wednesday's, with Monday's charges
    refund(client, first, "30.00", "r1")
    client.post("/sandbox/payments/adjustments", json={"amount": "-2.50", "reason": "Shipping label"})
    at(client, MONDAY + 2 * DAY)
    [payout] = payouts(client)
    held = of_payout(client, payout)
    assert sum((amount(t) for t in held), Decimal(0)) == amount(payout)
    for t in held:
        assert amount(t, "amount") - amount(t, "fee") == amount(t)
    summary = {k: Decimal(v["amount"]) for k, v in payout["summary"].items()}
    assert summary["chargesGross"] == Decimal("150.00")
    assert summary["chargesFee"] == Decimal("3.25")  # 1.75 + (1.00 + 0.50 international)
    assert summary["refundsFeeGross"] == Decimal("-30.00")
    assert summary["adjustmentsGross"] == Decimal("-2.50")
    assert sum((summary[k] for k in summary if k.endswith("Gross")), Decimal(0)) - sum(
        (summary[k] for k in summary if k.endswith("Fee")), Decimal(0)
    ) == amount(payout)
    [transfer] = [t for t in of_payout(client, payout, hide=False) if t["type"] == "TRANSFER"]
    assert (amount(transfer), transfer["sourceType"], transfer["sourceId"]) == (
        -amount(payout),
        "TRANSFER",
        payout["legacyResourceId"],
    )
    assert balance(client) == {"USD": "0.00"}


events = st.lists(
    st.tuples(
        st.sampled_from(["buy", "buy_cad", "buy_eur", "refund", "adjust", "dispute", "next_day"]),
        st.integers(100, 20000),
    ),
    min_size=3,
    max_size=25,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events)
def test_every_payout_balances_and_nothing_is_paid_twice_or_before_it_is_available(steps):
    client, _ = us_sandbox(payoutCurrencies=["USD", "CAD"])
    orders = []
    for index, (kind, cents) in enumerate(steps):
        value = f"{Decimal(cents) / 100:.2f}"
        if kind.startswith("buy"):
            currency = {"buy": "USD", "buy_cad": "CAD", "buy_eur": "EUR"}[kind]
            orders.append((buy(client, value, currency=currency), currency, Decimal(value)))
        elif kind == "refund" and orders:
            which = cents % len(orders)
            order, currency, left = orders[which]
            part = min((left / 4).quantize(Decimal("0.01")), left)
            if part > 0:  # never more than is left of what was paid
                refund(client, order, f"{part:.2f}", f"r{index}", currency=None if currency == "USD" else currency)
                orders[which] = (order, currency, left - part)
        elif kind == "adjust":
            client.post("/sandbox/payments/adjustments", json={"amount": f"-{value}", "reason": "Fee"})
        elif kind == "dispute" and orders:
            order, _, _ = orders[cents % len(orders)]
            client.post("/sandbox/payments/disputes", json={"orderId": order["id"], "amount": "1.00"})
        else:
            at(client, client.state.now() + DAY)
    at(client, client.state.now() + 6 * DAY)
    every = transactions(client)
    made = payouts(client)
    seen: set[str] = set()
    for payout in made:
        held = of_payout(client, payout)
        assert not seen & {t["id"] for t in held}
        seen |= {t["id"] for t in held}
        assert sum((amount(t) for t in held), Decimal(0)) == amount(payout)
        assert {t["net"]["currencyCode"] for t in held} == {payout["net"]["currencyCode"]}
    state_payouts = {p.id: p for p in client.state.all("ShopifyPaymentsPayout")}
    for entry in client.state.all("ShopifyPaymentsBalanceTransaction"):
        assert entry.amount - entry.fee == entry.net
        if entry.payout is not None and entry.type != "TRANSFER":
            assert entry.available_on <= state_payouts[entry.payout.id].issued_at.date()
    for currency, left in balance(client).items():
        mine = [t for t in every if t["net"]["currencyCode"] == currency]
        paid = [p for p in made if p["net"]["currencyCode"] == currency]
        assert sum((amount(p) for p in paid), Decimal(0)) + Decimal(left) == sum((amount(t) for t in mine), Decimal(0))
