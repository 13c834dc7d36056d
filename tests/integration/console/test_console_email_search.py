"""Finding orders by the customer's e-mail in the console: operators and admins post it (never in an address),
it is hashed with the shop's key and looked up; viewers are refused; a customers/redact makes the orders
unfindable by it; neither the audit nor the logs keep the e-mail."""

from __future__ import annotations

import json

import pytest

from tests.integration.console.conftest import EMAIL_KEY, SHOP, Console, csrf_of
from tests.support.deliveries import make_delivery, make_entry, order_gid
from trueup.domain.email_index import email_hash
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.privacy import honour

EMAIL = "jane.doe@example.com"


def _orders_of_jane(console: Console) -> None:
    for number in (42, 43):
        console.store.save_ledger_entry(make_entry(order_number=number, name=f"#50{number}"))
        console.store.index_order_email(SHOP, order_gid(number), email_hash(EMAIL_KEY, EMAIL) or "")
    console.store.save_ledger_entry(make_entry(order_number=44, name="#5044"))
    console.store.index_order_email(SHOP, order_gid(44), email_hash(EMAIL_KEY, "someone@example.com") or "")


def _search(client, email: str):  # type: ignore[no-untyped-def]
    page = client.get("/orders").text
    return client.post("/orders/by-email", data={"csrf": csrf_of(page), "email": email})


def test_an_operator_finds_a_customers_orders_by_email_whatever_its_case_and_spaces(
    console: Console, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    _orders_of_jane(console)
    client = console.signed_in("olga")

    found = _search(client, "  Jane.DOE@Example.COM ")
    api = client.post(
        "/api/orders/by-email",
        json={"email": EMAIL.upper()},
        headers={"X-CSRF-Token": csrf_of(client.get("/orders").text)},
    )

    assert found.status_code == 200
    assert "2 order(s) for that customer e-mail" in found.text
    assert "#5042" in found.text
    assert "#5043" in found.text
    assert "#5044" not in found.text
    assert "jane" not in found.text.lower()  # the e-mail is not shown back
    assert [o["name"] for o in api.json()["orders"]] == ["#5042", "#5043"]
    searches = [r for r in console.records.audit_records(10) if r.action == "email_search"]
    assert [(r.username, r.orders) for r in searches] == [("olga", ["#5042", "#5043"])] * 2
    assert "jane" not in json.dumps([r.__dict__ for r in console.records.audit_records(50)], default=str).lower()
    printed = capsys.readouterr()
    assert "jane" not in (caplog.text + printed.out + printed.err).lower()


def test_an_email_typed_in_the_address_searched_box_is_not_looked_up(console: Console) -> None:
    _orders_of_jane(console)
    client = console.signed_in("olga")

    page = client.get("/orders", params={"q": EMAIL}).text
    api = client.get("/api/orders", params={"q": EMAIL})

    assert "customer e-mail form" in page
    assert "#5042" not in page
    assert api.status_code == 400


def test_a_viewer_may_not_search_by_email_and_the_refusal_is_recorded(console: Console) -> None:
    _orders_of_jane(console)
    client = console.signed_in("vic")

    page = client.get("/orders").text
    refused = _search(client, EMAIL)
    refused_api = client.post("/api/orders/by-email", json={"email": EMAIL}, headers={"X-CSRF-Token": csrf_of(page)})

    assert 'name="email"' not in page  # no e-mail form for a viewer
    assert refused.status_code == 403
    assert "A viewer may not search by customer e-mail" in refused.text
    assert "#5042" not in refused.text
    assert refused_api.status_code == 403
    assert refused_api.json() == {"error": "A viewer may not search by customer e-mail."}
    refusals = [r for r in console.records.audit_records(10) if r.outcome == "refused: search by customer e-mail"]
    assert [r.username for r in refusals] == ["vic", "vic"]
    assert all("jane" not in r.detail.lower() for r in refusals)


def test_after_a_customers_redact_their_orders_are_no_longer_found_by_email(console: Console) -> None:
    _orders_of_jane(console)
    client = console.signed_in("ada")
    assert "2 order(s)" in _search(client, EMAIL).text
    body = {"customer": {"id": 7, "email": EMAIL}, "orders_to_redact": [42]}
    console.store.accept_deliveries(
        [
            make_delivery(
                webhook_id="redact-7", topic="customers/redact", order_number=None, body=json.dumps(body).encode()
            )
        ],
        delivery_job,
    )

    report = honour(console.store, "redact-7", console.clock.now, email_keys={SHOP: EMAIL_KEY})

    assert report is not None
    assert report.records["order_emails"] == 2
    gone = _search(client, EMAIL)
    assert "0 order(s) for that customer e-mail" in gone.text
    assert "#5042" not in gone.text
    assert "#5044" in _search(client, "someone@example.com").text
