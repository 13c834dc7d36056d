"""What an operator does in the console: read the exceptions, preview and confirm a bulk replay, read an
order's timeline; everything from outside escaped; viewers see no customer details."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from tests.integration.console.conftest import SHOP, Console, csrf_of
from tests.support.deliveries import T0, make_delivery, make_entry, order_gid
from trueup.domain.api_usage import ApiUsage
from trueup.domain.errors import Cause
from trueup.domain.ledger import OrderState
from trueup.service_layer.jobs import SyncOrder, delivery_job, order_key

HOSTILE = '<script>alert("x")</script>[/nope]'


def _park(console: Console, number: int, sku: str = "CAP", cause: Cause = Cause.SKU_NOT_IN_ITEM_MASTER) -> None:
    entry = make_entry(
        order_number=number,
        state=OrderState.EXCEPTION,
        cause=cause,
        detail=f"SKU {sku} is not in the item master",
        needs={"skus": [sku]},
    )
    console.store.save_ledger_entry(entry)


def test_exceptions_are_grouped_by_cause_with_what_to_do_and_outside_text_escaped(console: Console) -> None:
    _park(console, 1, sku=HOSTILE)
    _park(console, 2)
    _park(console, 3, cause=Cause.UNMAPPED_TAX)

    page = console.signed_in("olga").get("/exceptions").text

    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;[/nope]" in page
    assert page.index("sku_not_in_item_master") < page.index("unmapped_tax")  # the larger group first
    assert "Create the product with this SKU" in page
    assert '<strong id="exceptions-total">3</strong>' in page


def test_a_filter_narrows_the_groups_and_a_bad_filter_is_refused_plainly(console: Console) -> None:
    _park(console, 1, sku="CAP")
    _park(console, 2, sku="TEE")
    client = console.signed_in("olga")

    assert '<strong id="exceptions-total">1</strong>' in client.get("/exceptions", params={"sku": "TEE"}).text
    refused = client.get("/exceptions", params={"cause": "bogus"})
    assert refused.status_code == 400
    assert "unknown cause" in refused.text
    assert client.get("/api/exceptions", params={"since": "yesterday"}).json() == {
        "error": "since is a date, e.g. 2026-11-27"
    }


def test_a_bulk_replay_of_fifty_is_previewed_then_confirmed_queues_each_order_and_is_audited(console: Console) -> None:
    for number in range(1, 51):
        _park(console, number, sku="CAP")
    _park(console, 99, sku="OTHER")
    client = console.signed_in("olga")
    page = client.get("/exceptions", params={"sku": "CAP"})

    preview = client.post("/actions/preview", data={"action": "replay", "sku": "CAP", "csrf": csrf_of(page.text)})
    assert "Confirm: replay 50 order(s)" in preview.text
    assert console.store.pending_jobs() == 0  # a preview changes nothing
    keys = re.findall(r'name="key" value="([^"]+)"', preview.text)
    assert len(keys) == 50
    done = client.post(
        "/actions/confirm", data={"action": "replay", "csrf": csrf_of(preview.text), "key": keys, "filter": "sku=CAP"}
    )

    names = [f"#{1000 + n}" for n in range(1, 51)]
    listed = re.search(r'<p id="outcome">50 order\(s\): ([^.]+)\.', done.text).group(1).split(", ")
    assert sorted(listed) == sorted(names)
    assert all(
        [j.kind for j in console.records.key_jobs(order_key(SHOP, order_gid(n)))] == [SyncOrder.kind]
        for n in range(1, 51)
    )
    assert console.records.key_jobs(order_key(SHOP, order_gid(99))) == []
    assert client.get("/api/overview").json()["shops"][0]["backlog"] == 50
    audit = console.records.audit_records(limit=1)[0]
    assert (audit.username, str(audit.action), sorted(audit.orders)) == ("olga", "replay", sorted(names))
    assert "sku=CAP" in audit.detail
    audit_page = client.get("/audit").text
    assert "#1001" in audit_page
    assert "… (50)" in audit_page


def test_a_change_after_the_cut_off_is_accepted_from_the_console(console: Console) -> None:
    _park(console, 7, cause=Cause.CHANGED_AFTER_CUT_OFF)
    _park(console, 8, cause=Cause.UNMAPPED_TAX)
    client = console.signed_in("olga")
    page = client.get("/order", params={"shop": SHOP, "id": order_gid(7)})
    assert "Accept the change" in page.text

    preview = client.post("/actions/preview", data={"action": "accept", "csrf": csrf_of(page.text)})
    assert "Confirm: accept 1 order(s)" in preview.text  # only the one parked for a change after the cut-off
    keys = re.findall(r'name="key" value="([^"]+)"', preview.text)
    client.post("/actions/confirm", data={"action": "accept", "csrf": csrf_of(preview.text), "key": keys})

    entry = console.store.ledger_entry(SHOP, order_gid(7))
    assert entry.accepted_changes is not None
    assert [j.kind for j in console.records.key_jobs(order_key(SHOP, order_gid(7)))] == [SyncOrder.kind]
    assert str(console.records.audit_records(limit=1)[0].action) == "accept"


def test_a_forged_selection_is_refused(console: Console) -> None:
    client = console.signed_in("olga")
    csrf = csrf_of(client.get("/").text)

    answer = client.post("/actions/confirm", data={"action": "replay", "csrf": csrf, "key": "evil.example|DROP TABLE"})

    assert answer.status_code == 400
    assert "a selected order is not one this console listed" in answer.text
    record = console.records.audit_records(limit=1)[0]
    assert (record.username, str(record.action)) == ("olga", "refused")
    assert record.outcome == "refused: a selected order is not one this console listed"
    assert console.store.pending_jobs() == 0


def test_an_order_is_found_by_name_and_its_timeline_shows_webhooks_jobs_and_money(console: Console) -> None:
    body = {
        "email": "jane@example.com",
        "customer": {"first_name": "Jane", "last_name": "Doe"},
        "shipping_address": {"country_code": "FR"},
    }
    console.store.accept_deliveries(
        [make_delivery(order_number=42, topic="orders/create", body=json.dumps(body).encode(), received_at=T0)],
        delivery_job,
    )
    _park(console, 42)
    operator = console.signed_in("olga")

    found = operator.get("/orders", params={"q": "#1042"}).text
    assert "/order?shop=alpha.myshopify.com&amp;id=gid%3A//shopify/Order/42" in found
    page = operator.get("/order", params={"shop": SHOP, "id": order_gid(42)}).text
    assert "orders/create" in page
    assert "sync_order: todo, 0 attempt(s)" in page
    assert "12.30" in page
    assert "jane@example.com" in page
    assert "FR" in page
    viewer = console.signed_in("vic").get("/api/order", params={"shop": SHOP, "id": order_gid(42)}).json()
    assert viewer["customer"] == {"country": "FR", "email": None, "name": None}
    assert viewer["detail"] is None
    assert "jane" not in json.dumps(viewer).lower()


def test_activity_counts_webhooks_and_posted_orders_per_minute(console: Console) -> None:
    console.clock.at = T0 + timedelta(minutes=5)
    console.store.accept_deliveries(
        [make_delivery(order_number=n, received_at=T0 + timedelta(minutes=1)) for n in (1, 2)], delivery_job
    )
    console.store.save_ledger_entry(make_entry(order_number=1, state=OrderState.RECEIVED, at=T0))
    console.store.save_ledger_entry(
        make_entry(order_number=1, at=T0).moved_to(OrderState.POSTED, T0 + timedelta(minutes=2))
    )
    client = console.signed_in("vic")

    report = client.get("/api/activity").json()
    page = client.get("/activity").text

    assert sum(report["received"]) == 2
    assert sum(report["posted"]) == 1
    assert report["delay_p50_seconds"] == 120.0
    assert "Webhooks received: 2" in page
    assert "<svg" in page


def test_activity_charts_the_shopify_api_budget_used_and_throttled_answers(console: Console) -> None:
    console.clock.at = T0 + timedelta(minutes=5)
    minute = T0.replace(second=0, microsecond=0)
    bucket = {"maximum_available": 2000.0, "restore_rate": 100.0}
    one, two, other = minute + timedelta(minutes=1), minute + timedelta(minutes=2), "beta.myshopify.com"
    console.store.add_api_usage(
        [
            ApiUsage(SHOP, one, 12, 0, 4200, 1100, lowest_available=1500.0, **bucket),
            ApiUsage(SHOP, two, 30, 4, 9800, 2600, lowest_available=100.0, **bucket),
            ApiUsage(other, two, 2, 0, 20, 20, lowest_available=1990.0, **bucket),
        ]
    )
    client = console.signed_in("vic")

    report = client.get("/api/activity").json()
    page = client.get("/activity").text

    assert [n for n in report["api_points"] if n] == [1100, 2620]
    assert [n for n in report["throttled"] if n] == [4]
    assert [n for n in report["api_budget_used_percent"] if n] == [25, 95]  # the fuller of the two shops
    assert sum(report["api_calls"]) == 44
    assert report["api_points_allowed_per_minute"] == 12000
    assert "Cost points Shopify charged: 3720" in page
    assert "THROTTLED answers: 4 (peak 4/min)" in page
    assert "Cost budget used at its fullest: peak 95%" in page
    assert "12000 points a minute" in page
    assert '<svg class="chart throttled"' in page


def test_a_held_order_is_released_from_its_page(console: Console) -> None:
    held = make_entry(order_number=5, state=OrderState.HELD, held_until=T0 + timedelta(hours=1))
    console.store.save_ledger_entry(held)
    client = console.signed_in("olga")
    page = client.get("/order", params={"shop": SHOP, "id": order_gid(5)})
    assert "Release now" in page.text

    preview = client.post(
        "/actions/preview", data={"action": "release", "shop": SHOP, "order": order_gid(5), "csrf": csrf_of(page.text)}
    )
    assert "Confirm: release 1 order(s)" in preview.text
    keys = re.findall(r'name="key" value="([^"]+)"', preview.text)
    done = client.post("/actions/confirm", data={"action": "release", "csrf": csrf_of(preview.text), "key": keys})

    assert "1 order(s): #1005." in done.text
    jobs = console.records.key_jobs(order_key(SHOP, order_gid(5)))
    assert [(j.kind, j.state) for j in jobs] == [(SyncOrder.kind, "todo")]
    assert str(console.records.audit_records(limit=1)[0].action) == "release"


def test_one_skus_level_is_explained_per_location_and_a_dead_erp_is_said_plainly(console: Console) -> None:
    import dataclasses

    from trueup.domain.errors import TransientError

    row = {
        "location_id": "gid://shopify/Location/1",
        "warehouse": "WH1",
        "shopify": 7,
        "shopify_committed": 1,
        "erp_available": 9,
        "unposted_demand": 2,
        "erp_on_hand": 10,
        "buffer": "0",
        "target": 7,
        "last_set": 7,
        "last_set_at": "2026-11-27T09:00:00+00:00",
    }
    asked: list[str] = []

    def explain(sku: str) -> dict[str, list[dict[str, object]]]:
        asked.append(sku)
        return {SHOP: [row]}

    deps = console.app.state.deps  # type: ignore[attr-defined]
    console.app.state.deps = dataclasses.replace(deps, explain_sku=explain)  # type: ignore[attr-defined]
    client = console.signed_in("vic")
    page = client.get("/stock", params={"sku": HOSTILE}).text

    assert asked == [HOSTILE]
    assert "&lt;script&gt;" in page
    assert '<script>alert("x")' not in page
    assert "<td>WH1</td><td>7</td><td>1</td>" in page
    assert "7 at 2026-11-27 09:00:00" in page
    assert f"Last reconciliation: {SHOP} never" in page
    console.store.set_cursor(SHOP, "stock_reconciled_at", "2026-11-27T08:00:00+00:00")
    assert f"Last reconciliation: {SHOP} 2026-11-27 08:00:00" in client.get("/stock").text

    def down(_: str) -> dict[str, list[dict[str, object]]]:
        raise TransientError("Tryton did not answer get_stock in time")

    console.app.state.deps = dataclasses.replace(deps, explain_sku=down)  # type: ignore[attr-defined]
    page = client.get("/stock", params={"sku": "CAP"}).text
    assert "Shopify or the ERP could not be asked now: Tryton did not answer get_stock in time" in page
    assert "Drift the last reconciliation left open" in page


def test_the_overview_shows_the_alerts_firing_and_not_those_recovered(console: Console) -> None:
    from trueup.domain.alerts import AlertState

    console.records.save_alert_state(AlertState("silence", SHOP, True, T0, T0, "no webhooks for 42 min <b>"))
    console.records.save_alert_state(AlertState("stock_drift", SHOP, False, T0, T0, "no drift"))

    page = console.signed_in("vic").get("/").text

    assert "Alerts firing (1)" in page
    assert "silence alpha.myshopify.com since 2026-11-27 09:00:00: no webhooks for 42 min &lt;b&gt;" in page
    assert "stock_drift" not in page


def test_the_overview_and_its_api_show_tax_variances_for_finance_without_turning_the_light_red(
    console: Console,
) -> None:
    from decimal import Decimal

    from trueup.domain.money import Money
    from trueup.domain.tax_variances import TaxVarianceRecord

    for number, shopify in ((1, "2.50"), (2, "3.10")):
        console.store.replace_tax_variances(
            SHOP,
            order_gid(number),
            [
                TaxVarianceRecord(
                    SHOP,
                    order_gid(number),
                    f"#{1000 + number}",
                    f"shopify:{SHOP}:order:{number}",
                    "VAT20",
                    "VAT 20 <b>",
                    Money(Decimal(shopify), "EUR"),
                    Money(Decimal("2.00"), "EUR"),
                    T0,
                )
            ],
        )
    client = console.signed_in("vic")

    shop = client.get("/api/overview").json()["shops"][0]
    page = client.get("/").text

    assert shop["tax_variances"]["by_currency"] == {"EUR": {"shopify": "5.60", "erp": "4.00", "difference": "1.60"}}
    assert (shop["tax_variances"]["count"], shop["light"]) == (2, "green")
    assert "2 on 2 order(s) posted with Shopify's tax" in page
    assert "EUR Shopify 5.60, ERP 4.00, difference 1.60" in page
    assert "#1002 VAT20 (VAT 20 &lt;b&gt;): Shopify 3.10, ERP 2.00, difference 1.10 EUR" in page


def test_the_overview_shows_the_completeness_checks_open_findings_and_the_shop_is_not_green(console: Console) -> None:
    from trueup.domain.completeness import Finding, FindingKind
    from trueup.service_layer.completeness_findings import CHECKED_AT

    client = console.signed_in("vic")
    title = "Shopify = ERP (completeness check)"
    before = client.get("/api/overview").json()["shops"][0]
    assert (before["findings"][title], before["light"]) == (None, "green")
    reference = f"shopify:{SHOP}:refund:5 <b>"
    missing = Finding(FindingKind.CREDIT_NOTE_MISSING, SHOP, "#1001", reference, f"no posted credit note {reference}")
    console.store.replace_order_findings(SHOP, "#1001", [missing], T0)  # as the check after a sync keeps it

    shop = client.get("/api/overview").json()["shops"][0]
    page = client.get("/").text

    assert shop["light"] == "red"
    assert f"1 {title} findings" in shop["why"]
    (found,) = shop["findings"][title]
    assert found["what"] == f"#1001: credit_note_missing (no posted credit note {reference})"
    assert "trueup replay --order" in found["what_to_do"]
    assert f"<h3>{title}</h3>" in page
    assert f"#1001: credit_note_missing (no posted credit note shopify:{SHOP}:refund:5 &lt;b&gt;)" in page

    console.store.replace_order_findings(SHOP, "#1001", [], T0 + timedelta(hours=1))  # a later check: put right
    console.store.set_cursor(SHOP, CHECKED_AT, (T0 + timedelta(hours=1)).isoformat())
    shop = client.get("/api/overview").json()["shops"][0]
    assert (shop["findings"][title], shop["light"]) == ([], "green")
    assert "No findings." in client.get("/").text
