"""Deliveries kept but not understood, as the console shows them: signed with the shop's secret and stored by
the real intake app in the console's own store, then read by a viewer on the overview page and in its JSON API,
with what to do, escaped, and nothing of the bodies (customer data) shown."""

from __future__ import annotations

from tests.integration.console.conftest import SHOP, Console
from tests.unit.intake.app_client import AppClient
from tests.unit.intake.signed_requests import SECRETS, order_body, webhook_request
from trueup.entrypoints.http import create_app
from trueup.service_layer.intake import Intake
from trueup.service_layer.intake_status import UNKNOWN_TOPIC, WHAT_TO_DO_WITH_PROBLEM

EMAIL = "ada.lovelace@example.com"
HOSTILE_TOPIC = "carts/<b>update</b>"


def deliver_through_intake(console: Console, requests: list[tuple[bytes, dict[str, str]]]) -> list[int]:
    """POST each signed request to the intake app over the console's store; the answers' status codes."""
    intake = Intake(console.store)
    client = AppClient(create_app(intake, SECRETS))
    answers = [
        client.post("/webhooks/shopify", content=body, headers=headers).status_code for body, headers in requests
    ]
    client.close()
    intake.stop()
    return answers


def test_deliveries_kept_but_not_understood_are_shown_to_a_viewer_with_what_to_do(console: Console) -> None:
    answers = deliver_through_intake(
        console,
        [
            webhook_request(f'{{"email": "{EMAIL}", "truncated'.encode()),
            webhook_request(b"not json at all"),
            webhook_request(b'{"note": "an order without its id"}', topic="orders/paid"),
            webhook_request(b'{"id": 5}', topic=HOSTILE_TOPIC),
            webhook_request(order_body(77)),  # understood: not counted
        ],
    )
    assert answers == [200] * 5, "kept: Shopify must not retry them"
    viewer = console.signed_in("vic")

    page = viewer.get("/").text
    api = viewer.get("/api/overview").json()

    assert 'id="kept-not-understood-1"' in page
    section = page[page.index('id="kept-not-understood-1"') :]
    assert "<td>body_not_json</td><td>2</td>" in section
    assert "<td>order_not_found_in_body</td><td>1</td>" in section
    assert "<td>unknown_topic:carts/&lt;b&gt;update&lt;/b&gt;</td><td>1</td>" in section
    assert "<b>update</b>" not in page
    assert "check the subscription&#39;s format is JSON" in section
    assert EMAIL not in page, "what was kept is named, never shown"
    shop = api["shops"][0]
    assert shop["shop"] == SHOP
    assert shop["kept_not_understood"] == [
        {"problem": "body_not_json", "count": 2, "what_to_do": WHAT_TO_DO_WITH_PROBLEM["body_not_json"]},
        {
            "problem": "order_not_found_in_body",
            "count": 1,
            "what_to_do": WHAT_TO_DO_WITH_PROBLEM["order_not_found_in_body"],
        },
        {"problem": f"unknown_topic:{HOSTILE_TOPIC}", "count": 1, "what_to_do": UNKNOWN_TOPIC},
    ]
    assert EMAIL not in str(api)
    assert shop["light"] == "green", "kept deliveries alone do not turn the light (polling catches their orders up)"


def test_a_shop_with_every_delivery_understood_shows_no_such_section(console: Console) -> None:
    assert deliver_through_intake(console, [webhook_request(order_body(78))]) == [200]

    viewer = console.signed_in("vic")

    assert "kept-not-understood" not in viewer.get("/").text
    assert viewer.get("/api/overview").json()["shops"][0]["kept_not_understood"] == []
