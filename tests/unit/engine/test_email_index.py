"""Each order synced keeps a keyed hash of its customer's e-mail (never the e-mail), by which it is found again
whatever the case and spaces; a customers/redact deletes those hashes."""

from __future__ import annotations

import json
from dataclasses import replace

from tests.factories import SHOP, a_customer, an_order
from tests.support.deliveries import make_delivery
from tests.unit.engine.harness import Engine

from trueup.domain.email_index import email_hash
from trueup.service_layer.jobs import delivery_job
from trueup.service_layer.order_timeline import find_orders_by_email

KEY = b"an e-mail index key of 32 bytes!"


def an_engine_keeping_emails() -> Engine:
    engine = Engine()
    engine.ctx = replace(engine.ctx, email_key=KEY)
    engine.worker = engine.worker_named("w1")
    return engine


def names(engine: Engine, email: str) -> list[str]:
    return [entry.name for entry in find_orders_by_email(engine.store, {SHOP: KEY}, email)]


def test_a_synced_order_is_found_by_its_customers_email_in_any_case_and_with_spaces() -> None:
    engine = an_engine_keeping_emails()
    for number, email in ((1001, "Ada.Lovelace@Example.com"), (1002, "ada.lovelace@example.com"), (1003, "g@x.io")):
        order = engine.shopify.put_order(an_order(number=number, customer=a_customer(email=email)))
        engine.notify(order.order_id)
    engine.run_until_idle()

    assert names(engine, "  ADA.lovelace@example.COM ") == ["#1001", "#1002"]
    assert names(engine, "g@x.io") == ["#1003"]
    assert names(engine, "nobody@example.com") == []
    assert engine.store.orders_by_email({SHOP: email_hash(KEY, "g@x.io") or ""}) == [(SHOP, "gid://shopify/Order/1003")]


def test_a_shop_without_a_key_keeps_no_hash() -> None:
    engine = Engine()
    order = engine.shopify.put_order(an_order(number=1001))
    engine.notify(order.order_id)
    engine.run_until_idle()

    assert names(engine, "ada@example.com") == []


def test_a_customer_redact_deletes_the_hashes_of_the_orders_named_and_of_any_under_their_email() -> None:
    engine = an_engine_keeping_emails()
    for number in (1001, 1002):
        order = engine.shopify.put_order(an_order(number=number, customer=a_customer(email="ada@example.com")))
        engine.notify(order.order_id)
    keeps = engine.shopify.put_order(an_order(number=1003, customer=a_customer(number=2, email="g@x.io")))
    engine.notify(keeps.order_id)
    engine.run_until_idle()
    assert names(engine, "ada@example.com") == ["#1001", "#1002"]
    redact = {"customer": {"id": 1, "email": "Ada@Example.com"}, "orders_to_redact": [1001]}
    engine.store.accept_deliveries(
        [make_delivery(shop=SHOP, order_number=None, topic="customers/redact", body=json.dumps(redact).encode())],
        delivery_job,
    )

    engine.run_until_idle()

    assert names(engine, "ada@example.com") == []
    assert names(engine, "g@x.io") == ["#1003"]
    [report] = engine.store.privacy_reports(SHOP)
    assert report.records["order_emails"] == 2
