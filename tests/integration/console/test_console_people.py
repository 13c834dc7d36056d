"""Signing in, CSRF, roles and expired sessions through the console's HTTP interface: each refusal is clear
and recorded in the audit."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.console.conftest import METRICS_TOKEN, Console, csrf_of
from tests.support.deliveries import make_entry
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState


def _latest(console: Console) -> tuple[str, str, str]:
    record = console.records.audit_records(limit=1)[0]
    return record.username, str(record.action), record.outcome


def test_signing_in_sets_a_secure_httponly_samesite_cookie_and_opens_the_overview(console: Console) -> None:
    client = console.client()
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "olga", "password": "correct horse battery", "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )

    cookie = answer.headers["set-cookie"].lower()
    assert answer.status_code == 303
    assert "trueup_session=" in cookie
    assert "secure" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "alpha.myshopify.com" in client.get("/").text
    assert _latest(console) == ("olga", "login", "done")


def test_a_wrong_password_is_refused_with_a_clear_message_and_recorded(console: Console) -> None:
    client = console.client()
    answer = client.post(
        "/login", data={"username": "olga", "password": "nope", "csrf": csrf_of(client.get("/login").text)}
    )

    assert answer.status_code == 401
    assert "Wrong name or password." in answer.text
    assert _latest(console) == ("olga", "login_refused", "refused: wrong name or password")


def test_a_sign_in_form_without_its_token_is_refused_and_recorded(console: Console) -> None:
    answer = console.client().post("/login", data={"username": "olga", "password": "correct horse battery"})

    assert answer.status_code == 403
    assert "security token" in answer.text
    assert _latest(console)[2] == "refused: missing or wrong CSRF token"


def test_an_action_without_or_with_a_wrong_csrf_token_is_refused_and_recorded(console: Console) -> None:
    client = console.signed_in("olga")

    missing = client.post("/actions/preview", data={"action": "replay"})
    assert missing.status_code == 403
    assert _latest(console) == ("olga", "refused", "refused: missing CSRF token")
    wrong = client.post("/actions/preview", data={"action": "replay", "csrf": "forged"})
    assert wrong.status_code == 403
    assert _latest(console) == ("olga", "refused", "refused: wrong CSRF token")
    api = client.post("/api/actions", json={"action": "replay", "orders": []}, headers={"x-csrf-token": "forged"})
    assert api.status_code == 403
    assert api.json() == {"error": "Refused: the form's security token is wrong. Reload the page and try again."}


def test_a_viewer_cannot_act_even_with_a_valid_form(console: Console) -> None:
    console.store.save_ledger_entry(
        make_entry(
            order_number=1, state=OrderState.EXCEPTION, cause=Cause.SKU_NOT_IN_ITEM_MASTER, needs={"skus": ["X"]}
        )
    )
    client = console.signed_in("vic")
    page = client.get("/exceptions")
    assert "Replay all matching" not in page.text

    preview = client.post("/actions/preview", data={"action": "replay", "csrf": csrf_of(page.text)})
    confirm = client.post(
        "/actions/confirm",
        data={"action": "replay", "csrf": csrf_of(page.text), "key": "alpha.myshopify.com|gid://shopify/Order/1"},
    )

    assert (preview.status_code, confirm.status_code) == (403, 403)
    assert "A viewer may not replay orders." in confirm.text
    assert _latest(console) == ("vic", "refused", "refused: a viewer may not replay")
    assert console.store.pending_jobs() == 0


def test_an_expired_session_sends_the_page_to_sign_in_and_is_recorded(console: Console) -> None:
    client = console.signed_in("olga")
    console.clock.at += timedelta(hours=13)

    page = client.get("/exceptions", follow_redirects=False)
    api = client.get("/api/overview")

    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/exceptions"
    assert api.status_code == 401
    assert _latest(console)[2] == "refused: session expired or unknown"


def test_the_api_and_metrics_need_a_session_or_the_metrics_token(console: Console) -> None:
    console.store.save_ledger_entry(make_entry(order_number=1, state=OrderState.POSTED))
    anonymous = console.client()

    assert anonymous.get("/api/overview").status_code == 401
    assert anonymous.get("/metrics").status_code == 401
    scraped = anonymous.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    assert 'trueup_orders{shop="alpha.myshopify.com",state="posted"} 1.0' in scraped.text
    overview = console.signed_in("vic").get("/api/overview").json()
    assert overview["shops"][0]["flows"][0] == {"name": "orders", "received": 1, "done": 1, "stuck": 0}
    assert overview["shops"][0]["light"] == "green"


def test_only_an_admin_reads_everyones_audit(console: Console) -> None:
    console.signed_in("olga")
    viewer = console.signed_in("vic").get("/api/audit").json()["records"]
    admin = console.signed_in("ada").get("/api/audit").json()["records"]

    assert {r["username"] for r in viewer} == {"vic"}
    assert {"olga", "vic", "ada"} <= {r["username"] for r in admin}


def test_a_trusted_proxys_user_header_signs_a_known_user_in_and_is_ignored_from_elsewhere(console: Console) -> None:
    from trueup.entrypoints.console.auth import Gate

    people = console.app.state.gate.people  # type: ignore[attr-defined]
    header = {"X-Forwarded-User": "olga"}
    console.app.state.gate = Gate(people, 3600, "X-Forwarded-User", frozenset({"10.0.0.9"}))  # type: ignore[attr-defined]
    assert console.client().get("/", headers=header, follow_redirects=False).status_code == 303  # not the proxy

    console.app.state.gate = Gate(people, 3600, "X-Forwarded-User", frozenset({"testclient"}))  # type: ignore[attr-defined]
    client = console.client()
    page = client.get("/", headers=header)
    unknown = console.client().get("/", headers={"X-Forwarded-User": "mallory"}, follow_redirects=False)

    assert page.status_code == 200
    assert "olga (operator)" in page.text
    assert "trueup_session" in client.cookies
    assert unknown.status_code == 303
    assert _latest(console) == ("mallory", "login_refused", "refused: proxy user not known here")


def test_signing_in_never_sends_the_browser_to_another_site(console: Console) -> None:
    client = console.client()
    for target in ("//evil.example/x", "/\\evil.example", "https://evil.example", "/exceptions"):
        page = client.get("/login", params={"next": target})
        data = {"username": "olga", "password": "correct horse battery", "csrf": csrf_of(page.text), "next": target}
        answer = client.post("/login", data=data, follow_redirects=False)
        assert answer.headers["location"] == ("/exceptions" if target == "/exceptions" else "/")


def test_a_viewer_reads_the_causes_but_not_the_details_of_parked_orders(console: Console) -> None:
    console.store.save_ledger_entry(
        make_entry(order_number=1, state=OrderState.EXCEPTION, cause=Cause.BACK_OFFICE_REJECTED, detail="party Jane")
    )
    viewer = console.signed_in("vic").get("/api/exceptions").json()
    operator = console.signed_in("olga").get("/api/exceptions").json()

    assert viewer["groups"][0]["examples"] == [{"order": "#1001", "detail": ""}]
    assert operator["groups"][0]["examples"] == [{"order": "#1001", "detail": "party Jane"}]
