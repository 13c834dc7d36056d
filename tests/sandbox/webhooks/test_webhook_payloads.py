import json
from datetime import UTC, datetime

from shopify_sandbox.webhooks import payloads
from shopify_sandbox.webhooks.signing import encode_body

SHOP = payloads.ShopIdentity(60001000001, "trueup-test.myshopify.com")
CUSTOMER = payloads.CustomerIdentity(207119551, "ava.nguyen@example.com", "+15555550100")
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def roundtrip(payload):
    return json.loads(encode_body(payload))


def test_customers_data_request_names_the_customer_and_their_orders():
    body = roundtrip(payloads.customers_data_request(SHOP, CUSTOMER, [1001, 1002], data_request_id=9999))
    assert body == {
        "shop_id": 60001000001,
        "shop_domain": "trueup-test.myshopify.com",
        "orders_requested": [1001, 1002],
        "customer": {"id": 207119551, "email": "ava.nguyen@example.com", "phone": "+15555550100"},
        "data_request": {"id": 9999},
    }


def test_customers_redact_lists_the_orders_to_redact():
    body = roundtrip(payloads.customers_redact(SHOP, CUSTOMER, [1001]))
    assert body["orders_to_redact"] == [1001]
    assert body["customer"]["id"] == 207119551
    assert set(body) == {"shop_id", "shop_domain", "customer", "orders_to_redact"}


def test_shop_redact_is_the_shop_alone():
    assert roundtrip(payloads.shop_redact(SHOP)) == {"shop_id": 60001000001, "shop_domain": "trueup-test.myshopify.com"}


def test_app_uninstalled_is_the_rest_shop_resource():
    shop = payloads.ShopResource(
        id=60001000001,
        name="Trueup Outfitters",
        email="owner@trueup.example",
        myshopify_domain="trueup-test.myshopify.com",
        currency="USD",
        country_code="US",
        taxes_included=False,
        plan_name="shopify_plus",
        created_at=AT,
        updated_at=AT,
        enabled_presentment_currencies=("USD", "EUR"),
    )
    body = roundtrip(payloads.app_uninstalled(shop))
    assert body["myshopify_domain"] == body["domain"] == "trueup-test.myshopify.com"
    assert body["plan_display_name"] == "Shopify Plus"
    assert body["enabled_presentment_currencies"] == ["USD", "EUR"]
    assert body["created_at"] == "2026-11-27T09:00:00+00:00"


def test_orders_edited_carries_only_what_the_edit_changed():
    edit = payloads.OrderEdit(
        id=78912328,
        order_id=450789469,
        created_at=AT,
        committed_at=AT,
        additions=(payloads.LineItemDelta(466157049, 1),),
        removals=(payloads.LineItemDelta(518995019, 2),),
    )
    body = roundtrip(payloads.orders_edited(edit))
    order_edit = body["order_edit"]
    assert set(body) == {"order_edit"}
    assert order_edit["order_id"] == 450789469
    assert order_edit["line_items"] == {
        "additions": [{"id": 466157049, "delta": 1}],
        "removals": [{"id": 518995019, "delta": 2}],
    }
    assert set(order_edit) == {
        "id",
        "app_id",
        "created_at",
        "committed_at",
        "notify_customer",
        "order_id",
        "staff_note",
        "user_id",
        "line_items",
        "discounts",
        "shipping_lines",
    }
