"""Money Shopify moves on its side: chargebacks (won, lost), inquiries, reserves held and released, adjustments,
payouts that fail after they were paid or are cancelled before they are sent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sandbox.payments.factories import MONDAY, at, balance, buy, of_payout, payouts, transactions, us_sandbox

DAY = timedelta(days=1)


def _open(client, order, **body):
    response = client.post("/sandbox/payments/disputes", json={"orderId": order["id"], **body})
    assert response.status_code == 200, response.text
    return response.json()


def _moves(client, kinds):
    return [(t["type"], t["amount"]["amount"], t["fee"]["amount"], t["net"]["amount"]) for t in transactions(client)
            if t["type"] in kinds]  # fmt: skip


def test_a_chargeback_withdraws_the_amount_and_the_fee_and_a_lost_one_takes_nothing_more():
    client, _ = us_sandbox()
    order = buy(client, "100.00")
    dispute = _open(client, order)
    assert (dispute["amount"], dispute["fee"]) == ("100.00", "15.00")
    response = client.post(f"/sandbox/payments/disputes/{dispute['legacyResourceId']}/close", json={"won": False})
    assert response.json()["status"] == "LOST"
    assert _moves(client, ("DISPUTE_WITHDRAWAL", "DISPUTE_REVERSAL")) == [
        ("DISPUTE_WITHDRAWAL", "-100.00", "15.00", "-115.00")
    ]
    read = client.graphql("{ shopifyPaymentsAccount { disputes(first: 5, query: \"status:lost\") { nodes {"
                          " status type amount { amount } order { name } finalizedOn } } } }")  # fmt: skip
    [node] = read["data"]["shopifyPaymentsAccount"]["disputes"]["nodes"]
    assert (node["status"], node["type"], node["amount"]["amount"], node["order"]["name"]) == (
        "LOST",
        "CHARGEBACK",
        "100.00",
        order["name"],
    )


def test_a_chargeback_won_returns_the_amount_and_the_fee():
    client, _ = us_sandbox()
    order = buy(client, "100.00")
    dispute = _open(client, order, amount="40.00", reason="PRODUCT_NOT_RECEIVED")
    client.post(f"/sandbox/payments/disputes/{dispute['legacyResourceId']}/close", json={"won": True})
    assert _moves(client, ("DISPUTE_WITHDRAWAL", "DISPUTE_REVERSAL")) == [
        ("DISPUTE_WITHDRAWAL", "-40.00", "15.00", "-55.00"),
        ("DISPUTE_REVERSAL", "40.00", "-15.00", "55.00"),
    ]
    again = client.post(f"/sandbox/payments/disputes/{dispute['legacyResourceId']}/close", json={"won": True})
    assert again.status_code == 400


def test_where_the_terms_keep_the_fee_a_won_chargeback_returns_the_amount_only():
    client, _ = us_sandbox(fees={"chargeback_fee_refunded_when_won": False})
    dispute = _open(client, buy(client, "100.00"))
    client.post(f"/sandbox/payments/disputes/{dispute['legacyResourceId']}/close", json={"won": True})
    assert _moves(client, ("DISPUTE_REVERSAL",)) == [("DISPUTE_REVERSAL", "100.00", "0.00", "100.00")]


def test_an_inquiry_moves_no_money_and_disputes_are_refused_for_orders_without_a_charge():
    client, _ = us_sandbox()
    _open(client, buy(client, "100.00"), type="INQUIRY")
    assert _moves(client, ("DISPUTE_WITHDRAWAL",)) == []
    paypal = buy(client, "30.00", gateway="paypal")
    assert client.post("/sandbox/payments/disputes", json={"orderId": paypal["id"]}).status_code == 400
    assert client.post("/sandbox/payments/disputes", json={"orderName": "#9999"}).status_code == 404


def test_disputes_are_taken_from_the_next_payout_with_their_fee_in_the_summarys_adjustments():
    client, _ = us_sandbox()
    order = buy(client, "100.00")
    at(client, MONDAY + 2 * DAY)
    _open(client, order, amount="20.00")
    at(client, MONDAY + 3 * DAY)
    latest = payouts(client)[-1]
    assert latest["net"]["amount"] == "-35.00"
    assert (latest["summary"]["adjustmentsGross"]["amount"], latest["summary"]["adjustmentsFee"]["amount"]) == (
        "-20.00",
        "15.00",
    )


def test_a_reserve_is_held_from_the_next_payout_and_released_into_a_later_one():
    client, _ = us_sandbox()
    buy(client, "200.00")  # net 196.75, paid out on Wednesday
    at(client, MONDAY + DAY)  # Tuesday, after its (empty) run: the hold comes off Wednesday's payout
    response = client.post("/sandbox/payments/reserves", json={"amount": "50.00", "days": 7, "reason": "Risk"})
    assert response.status_code == 200, response.text
    at(client, MONDAY + 2 * DAY)
    first = payouts(client)[-1]
    assert first["net"]["amount"] == "146.75"
    assert first["summary"]["reservedFundsGross"]["amount"] == "-50.00"
    at(client, MONDAY + 10 * DAY)  # released on Tuesday 10th; Wednesday 11th is Veterans Day: paid out Thursday
    released = payouts(client)[-1]
    assert (released["issuedAt"][:10], released["net"]["amount"]) == ("2026-11-12", "50.00")
    assert [t["type"] for t in of_payout(client, released)] == ["RESERVED_FUNDS_REVERSAL"]


def test_a_reserve_can_be_released_by_hand_and_only_once():
    client, _ = us_sandbox()
    reserve = client.post("/sandbox/payments/reserves", json={"amount": "10.00"}).json()["reserve"]
    assert client.post(f"/sandbox/payments/reserves/{reserve}/release").status_code == 200
    assert client.post(f"/sandbox/payments/reserves/{reserve}/release").status_code == 400
    assert balance(client) == {"USD": "0.00"}


def test_a_payout_that_fails_after_it_was_paid_gives_the_money_back_and_the_next_payout_retries_it():
    client, _ = us_sandbox()
    buy(client, "100.00")
    at(client, MONDAY + 3 * DAY)
    [paid] = payouts(client)
    assert paid["status"] == "PAID"
    failed = client.post(f"/sandbox/payments/payouts/{paid['legacyResourceId']}/fail", json={"reason": "Closed"})
    assert failed.json()["status"] == "FAILED"
    assert {t["associatedPayout"]["status"] for t in of_payout(client, paid)} == {"FAILED"}
    assert balance(client) == {"USD": "98.25"}
    buy(client, "10.00")
    at(client, MONDAY + 4 * DAY)
    retry = payouts(client)[-1]
    assert (retry["issuedAt"][:10], retry["net"]["amount"]) == ("2026-11-06", "98.25")
    assert retry["summary"]["retriedPayoutsGross"]["amount"] == "98.25"
    [back] = [t for t in of_payout(client, retry) if t["type"] == "TRANSFER_FAILURE"]
    assert (back["sourceType"], back["sourceId"]) == ("TRANSFER", paid["legacyResourceId"])
    assert client.post(f"/sandbox/payments/payouts/{paid['legacyResourceId']}/fail").status_code == 400


def test_a_scheduled_payout_can_be_cancelled_but_a_paid_one_cannot():
    client, _ = us_sandbox()
    buy(client, "100.00")
    at(client, MONDAY + 2 * DAY)
    [scheduled] = payouts(client)
    number = scheduled["legacyResourceId"]
    assert client.post(f"/sandbox/payments/payouts/{number}/cancel").json()["status"] == "CANCELED"
    assert [t["type"] for t in transactions(client, "transaction_type:transfer_cancel", hide=False)] == [
        "TRANSFER_CANCEL"
    ]
    at(client, MONDAY + 3 * DAY)
    later = payouts(client)[-1]
    assert later["status"] == "SCHEDULED"
    assert client.post(f"/sandbox/payments/payouts/{later['legacyResourceId']}/cancel").status_code == 200
    at(client, MONDAY + 7 * DAY)
    paid = payouts(client)[-1]
    assert paid["status"] == "PAID"
    assert client.post(f"/sandbox/payments/payouts/{paid['legacyResourceId']}/cancel").status_code == 400


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/sandbox/payments/adjustments", {"reason": "no amount"}, 400),
        ("/sandbox/payments/adjustments", {"amount": "x"}, 400),
        ("/sandbox/payments/adjustments", {"amount": "1.00", "currency": "JPY"}, 400),
        ("/sandbox/payments/reserves", {"amount": "-1"}, 400),
        ("/sandbox/payments/reserves", {"amount": "1", "days": "soon"}, 400),
        ("/sandbox/payments/payouts/1/fail", {}, 404),
        ("/sandbox/payments/disputes/1/close", {"won": True}, 404),
        ("/sandbox/payments/settings", {"schedule": {"interval": "HOURLY"}}, 400),
        ("/sandbox/payments/settings", {"payoutCurrencies": ["CAD"]}, 400),
        ("/sandbox/payments/settings", {"captureFailureRate": 2}, 400),
        ("/sandbox/payments/settings", {"fees": {"percentage": "-1"}}, 400),
        ("/sandbox/payments/settings", {"colour": "blue"}, 400),
    ],
)
def test_bad_control_requests_are_refused_with_the_reason_and_change_nothing(path, body, status):
    client, _ = us_sandbox()
    before = client.get("/sandbox/payments").json()
    response = client.post(path, json=body)
    assert response.status_code == status
    assert response.json()["errors"]
    assert client.get("/sandbox/payments").json() == before
