"""POST /webhooks/shopify: every bad input gets a clear answer, and the service stays up after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from tests.fakes.store import InMemoryStore
from trueup.domain.errors import TransientError
from trueup.entrypoints.http import IntakeLimits, create_app
from trueup.service_layer.intake import Intake
from trueup.service_layer.ports import IncomingDelivery, JobRequest

from .app_client import AppClient
from .signed_requests import SECRET, SECRETS, SHOP, order_body, webhook_request

LIMIT = 4096
URL = "/webhooks/shopify"


class FlakyStore(InMemoryStore):
    """A store that is unavailable while `down` is set."""

    down = False

    def accept_deliveries(
        self, deliveries: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
    ) -> list[bool]:
        if self.down:
            raise TransientError("database is locked")
        return super().accept_deliveries(deliveries, job_for)


@pytest.fixture
def store() -> FlakyStore:
    return FlakyStore()


@pytest.fixture
def client(store: FlakyStore) -> Iterator[AppClient]:
    intake = Intake(store)
    test_client = AppClient(create_app(intake, SECRETS, IntakeLimits(max_body_bytes=LIMIT)))
    yield test_client
    test_client.close()
    intake.stop()


def post(client: AppClient, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    response = client.post(URL, content=body, headers=headers)
    return response.status_code, response.text


def assert_still_serving(client: AppClient, store: InMemoryStore) -> None:
    before = len(store.deliveries)
    assert post(client, *webhook_request())[0] == 200
    assert len(store.deliveries) == before + 1
    assert client.get("/healthz").status_code == 200


def test_a_signed_delivery_is_stored_and_its_order_queued(client: AppClient, store: FlakyStore) -> None:
    status, text = post(client, *webhook_request(order_body(77)))

    assert (status, "stored" in text) == (200, True)
    assert [d.order_id for d in store.deliveries] == ["gid://shopify/Order/77"]
    assert store.pending_jobs() == 1


def test_a_duplicate_is_answered_200_and_stored_once(client: AppClient, store: FlakyStore) -> None:
    body, headers = webhook_request(webhook_id="same")

    assert post(client, body, headers)[0] == 200
    status, text = post(client, body, headers)

    assert (status, "duplicate" in text, len(store.deliveries)) == (200, True, 1)


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(webhook_request(drop=("X-Shopify-Hmac-Sha256",)), id="no signature"),
        pytest.param(webhook_request(secret="not-the-secret"), id="signed with another secret"),
        pytest.param((b"tampered" + order_body(), webhook_request()[1]), id="body changed after signing"),
        pytest.param(webhook_request(shop="stranger.myshopify.com"), id="unknown shop"),
        pytest.param(webhook_request(drop=("X-Shopify-Shop-Domain",)), id="no shop header"),
    ],
)
def test_an_unauthenticated_delivery_is_refused_without_revealing_the_secret(
    client: AppClient, store: FlakyStore, request_: tuple[bytes, dict[str, str]]
) -> None:
    with capture_logs() as logs:
        status, text = post(client, *request_)

    assert status == 401
    assert store.deliveries == []
    assert SECRET not in text
    assert SECRET not in repr(logs)
    assert [log["reason"] for log in logs if log["event"] == "webhook.refused"]
    assert_still_serving(client, store)


def test_a_body_declared_over_the_limit_is_refused(client: AppClient, store: FlakyStore) -> None:
    body, headers = webhook_request(order_body(note="x" * LIMIT))

    assert post(client, body, headers)[0] == 413
    assert store.deliveries == []
    assert_still_serving(client, store)


def test_a_streamed_body_is_cut_off_once_over_the_limit(client: AppClient, store: FlakyStore) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(LIMIT):  # far more than the limit, if it were all read
            sent.append(1)
            yield b"x" * 512

    headers = webhook_request()[1]
    response = client.post(URL, content=chunks(), headers=headers)

    assert response.status_code == 413
    assert len(sent) < LIMIT, "the server stopped reading early"
    assert_still_serving(client, store)


def test_a_signed_delivery_without_its_topic_is_a_bad_request(client: AppClient, store: FlakyStore) -> None:
    status, text = post(client, *webhook_request(drop=("X-Shopify-Topic",)))

    assert (status, "x-shopify-topic" in text) == (400, True)
    assert store.deliveries == []
    assert_still_serving(client, store)


def test_a_signed_body_that_is_not_json_is_kept_and_reported(client: AppClient, store: FlakyStore) -> None:
    assert post(client, *webhook_request(b"{truncated"))[0] == 200

    assert store.intake_stats().problems == {"body_not_json": 1}
    assert store.pending_jobs() == 0
    assert_still_serving(client, store)


def test_a_signed_privacy_request_that_is_not_a_json_object_is_kept_and_reported(
    client: AppClient, store: FlakyStore
) -> None:
    readable = b'{"shop_domain": "alpha.myshopify.com", "customer": {"id": 1}, "orders_to_redact": []}'
    assert post(client, *webhook_request(b'["not", "an", "object"]', topic="customers/redact"))[0] == 200
    assert post(client, *webhook_request(readable, topic="customers/redact"))[0] == 200

    assert store.intake_stats().problems == {"privacy_request_unreadable": 1}
    assert_still_serving(client, store)


def test_an_unknown_topic_is_kept_and_reported(client: AppClient, store: FlakyStore) -> None:
    assert post(client, *webhook_request(b'{"id": 5}', topic="carts/update"))[0] == 200

    assert store.intake_stats().unknown_topics == {"carts/update": 1}
    assert_still_serving(client, store)


def test_a_store_that_cannot_commit_gets_a_503_so_shopify_retries(client: AppClient, store: FlakyStore) -> None:
    body, headers = webhook_request()
    store.down = True

    assert post(client, body, headers)[0] == 503
    store.down = False
    assert post(client, body, headers)[0] == 200
    assert len(store.deliveries) == 1


def test_the_health_check_answers(client: AppClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_shop_domains_match_whatever_their_case(store: FlakyStore) -> None:
    intake = Intake(store)
    client = AppClient(create_app(intake, {SHOP.upper(): SECRET}, IntakeLimits(max_body_bytes=LIMIT)))
    assert post(client, *webhook_request())[0] == 200
    client.close()
    intake.stop()


def test_a_signed_deeply_nested_body_is_kept_and_reported(client: AppClient, store: FlakyStore) -> None:
    status, _ = post(client, *webhook_request(b"[" * 2000 + b"]" * 2000))

    assert status == 200
    assert [d.problem for d in store.deliveries] == ["body_too_deeply_nested"]


@pytest.mark.parametrize(
    "header",
    ["X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-API-Version"],
)
def test_an_identifying_header_too_long_for_the_store_is_a_bad_request(
    client: AppClient, store: FlakyStore, header: str
) -> None:
    body, headers = webhook_request()
    headers[header] = "x" * 300

    status, text = post(client, body, headers)

    assert (status, len(store.deliveries)) == (400, 0)
    assert header.lower() in text
    assert_still_serving(client, store)


def test_a_control_character_in_an_identifying_header_is_a_bad_request(client: AppClient, store: FlakyStore) -> None:
    body, headers = webhook_request()
    headers["X-Shopify-Webhook-Id"] = "abc\tdef"

    assert post(client, body, headers)[0] == 400
    assert store.deliveries == []


def test_an_order_id_too_long_to_be_shopifys_is_kept_as_not_found(client: AppClient, store: FlakyStore) -> None:
    status, _ = post(client, *webhook_request(b'{"id": ' + b"9" * 400 + b"}"))

    assert status == 200
    assert [(d.order_id, d.problem) for d in store.deliveries] == [(None, "order_not_found_in_body")]


def test_digits_that_int_refuses_are_no_order_id(client: AppClient, store: FlakyStore) -> None:
    status, _ = post(client, *webhook_request('{"id": "\u00b2\u00b3"}'.encode()))

    assert status == 200
    assert [d.problem for d in store.deliveries] == ["order_not_found_in_body"]


def test_a_trailing_slash_reaches_the_same_endpoint_without_a_redirect(client: AppClient, store: FlakyStore) -> None:
    body, headers = webhook_request()

    assert client.post(URL + "/", content=body, headers=headers).status_code == 200
    assert len(store.deliveries) == 1


def test_an_empty_secret_authenticates_nothing(store: FlakyStore) -> None:
    intake = Intake(store)
    client = AppClient(create_app(intake, {SHOP: ""}))
    status, _ = post(client, *webhook_request(secret=""))
    client.close()
    intake.stop()

    assert status == 401
    assert store.deliveries == []


def test_a_delivery_triggered_before_the_window_is_refused_and_counted(store: FlakyStore) -> None:
    now = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    intake = Intake(store, clock=lambda: now, max_age=timedelta(hours=6))
    client = AppClient(create_app(intake, SECRETS))
    old_body, old = webhook_request()
    old["X-Shopify-Triggered-At"] = "2026-11-27T13:59:59.123456789Z"
    fresh_body, fresh = webhook_request()
    fresh["X-Shopify-Triggered-At"] = "2026-11-27T14:00:01Z"

    answers = [post(client, old_body, old)[0], post(client, fresh_body, fresh)[0]]
    client.close()
    intake.stop()  # writes the refusal counts

    assert answers == [400, 200]
    assert len(store.deliveries) == 1
    assert store.intake_stats().refused == {"too_old": 1}


def test_an_unreadable_triggered_at_is_a_bad_request(client: AppClient, store: FlakyStore) -> None:
    body, headers = webhook_request()
    headers["X-Shopify-Triggered-At"] = "yesterday"

    assert post(client, body, headers)[0] == 400
    assert store.deliveries == []


class BrokenStore(InMemoryStore):
    """A store failing with an error that is not transient, its message quoting the rows as drivers do."""

    def accept_deliveries(
        self, deliveries: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
    ) -> list[bool]:
        raise ValueError(f"value too long: {deliveries[0].body!r}")


def test_a_store_failure_of_any_kind_is_a_503_and_logs_no_body() -> None:
    intake = Intake(BrokenStore())
    client = AppClient(create_app(intake, SECRETS))
    with capture_logs() as logs:
        status, text = post(client, *webhook_request(order_body(customer_email="ada@example.com")))
    client.close()
    intake.stop()

    assert status == 503
    assert "ada@example.com" not in repr(logs) + text
    assert {entry["event"] for entry in logs} >= {"webhook.not_stored"}


def test_refusals_are_counted_by_reason(store: FlakyStore) -> None:
    intake = Intake(store)
    client = AppClient(create_app(intake, SECRETS, IntakeLimits(max_body_bytes=LIMIT)))
    body, headers = webhook_request()
    post(client, body, {**headers, "X-Shopify-Hmac-Sha256": "bad"})
    post(client, *webhook_request(shop="other.myshopify.com"))
    post(client, *webhook_request(b"x" * (LIMIT + 1)))
    post(client, *webhook_request(drop=("X-Shopify-Topic",)))
    client.close()
    intake.stop()

    assert store.intake_stats().refused == {
        "bad_signature": 1,
        "unknown_shop": 1,
        "body_too_large": 1,
        "bad_request": 1,
    }


def test_a_delivery_signed_with_one_shops_secret_but_naming_another_shop_is_refused(store: FlakyStore) -> None:
    other_shop, other_secret = "beta.myshopify.com", "shpss_beta_secret_value_5678"
    intake = Intake(store)
    client = AppClient(create_app(intake, {SHOP: SECRET, other_shop: other_secret}, IntakeLimits(max_body_bytes=LIMIT)))
    try:
        with capture_logs() as logs:
            as_beta_signed_by_alpha = post(client, *webhook_request(shop=other_shop, secret=SECRET))
            as_alpha_signed_by_beta = post(client, *webhook_request(shop=SHOP, secret=other_secret))
        assert (as_beta_signed_by_alpha[0], as_alpha_signed_by_beta[0]) == (401, 401)
        assert store.deliveries == []
        assert [log["reason"] for log in logs if log["event"] == "webhook.refused"] == ["bad_signature"] * 2
        assert post(client, *webhook_request(shop=other_shop, secret=other_secret))[0] == 200
        assert [d.shop for d in store.deliveries] == [other_shop]
    finally:
        client.close()
        intake.stop()
