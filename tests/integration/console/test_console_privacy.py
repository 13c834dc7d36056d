"""A customer looked for through the console, then erased: the search leaves nothing, what people typed into
filters and the sign-in form stays in the audit until the customer redact, which replaces it and keeps who did
what. The redact is a signed delivery stored by the real intake app, honoured on the console's own store."""

from __future__ import annotations

import json

from tests.integration.console.conftest import SHOP, Console, csrf_of
from tests.integration.console.test_console_intake import deliver_through_intake
from tests.support.deliveries import make_entry, order_gid
from tests.unit.intake.signed_requests import webhook_request
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.service_layer.privacy import REDACTED_TEXT, honour

EMAIL, NAME = "ada.lovelace@example.com", "Augusta Ada King"


def _ada_ordered_and_was_parked(console: Console) -> None:
    order = {
        "id": 1,
        "admin_graphql_api_id": order_gid(1),
        "email": EMAIL,
        "customer": {"id": 42, "email": EMAIL, "first_name": "Augusta Ada", "last_name": "King"},
        "shipping_address": {"name": NAME, "address1": "12 St James's Square"},
    }
    assert deliver_through_intake(console, [webhook_request(json.dumps(order).encode())]) == [200]
    parked = make_entry(order_number=1, state=OrderState.EXCEPTION, cause=Cause.TOTALS_MISMATCH, detail="totals")
    console.store.save_ledger_entry(parked)


def _people_look_for_ada(console: Console) -> None:
    olga = console.signed_in("olga")
    assert olga.get("/orders", params={"q": EMAIL}).status_code == 200  # a search is not audited
    page = olga.get("/exceptions", params={"order": NAME})
    preview = olga.post("/actions/preview", data={"action": "replay", "order": NAME, "csrf": csrf_of(page.text)})
    assert preview.status_code == 200
    filter_text = f"order={NAME}"
    olga.post("/actions/confirm", data={"action": "replay", "csrf": csrf_of(preview.text), "filter": filter_text})
    vic = console.signed_in("vic")
    vic.post("/actions/preview", data={"action": "replay", "order": EMAIL, "csrf": csrf_of(vic.get("/").text)})
    login = console.client()
    login.post("/login", data={"username": EMAIL, "password": "x", "csrf": csrf_of(login.get("/login").text)})


def test_what_people_typed_about_a_customer_is_redacted_from_the_audit_and_who_did_what_stays(
    console: Console,
) -> None:
    _ada_ordered_and_was_parked(console)
    _people_look_for_ada(console)
    before = repr(console.records.audit_records(limit=100))
    assert before.count(EMAIL) == 2, "the viewer's refused filter and the sign-in name; never the search"
    assert NAME in before, "the operator's filter"

    redact = {"shop_domain": SHOP, "customer": {"id": 42, "email": EMAIL}, "orders_to_redact": [1]}
    request = webhook_request(json.dumps(redact).encode(), topic="customers/redact", webhook_id="redact-1")
    assert deliver_through_intake(console, [request]) == [200]
    report = honour(console.store, "redact-1", console.clock.now, console.records)

    assert report is not None
    assert report.records["console_audit"] == 3
    admin = console.signed_in("ada")
    shown = admin.get("/audit").text + json.dumps(admin.get("/api/audit").json())
    for detail in (EMAIL, NAME, "12 St James"):
        assert detail not in shown, detail
        assert detail not in repr(console.records.audit_records(limit=100)), detail
    kept = [(r.username, str(r.action)) for r in reversed(console.records.audit_records(limit=100))]
    assert ("olga", "replay") in kept
    assert ("vic", "refused") in kept
    assert (REDACTED_TEXT, "login_refused") in kept
    assert REDACTED_TEXT in shown
