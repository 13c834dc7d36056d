"""The Store contract for the keyed hashes of orders' customer e-mails: the in-memory fake, SqlStore on SQLite
and on PostgreSQL (the `store` fixture of tests/contract/conftest.py)."""

from __future__ import annotations

from trueup.domain.email_index import email_hash
from trueup.service_layer.ports import Store

SHOP, OTHER = "alpha.myshopify.com", "beta.myshopify.com"
KEY, OTHER_KEY = b"k" * 32, b"o" * 32
JANE, JOHN = email_hash(KEY, "jane@example.com"), email_hash(KEY, "john@example.com")
JANE_AT_OTHER = email_hash(OTHER_KEY, "jane@example.com")


def _indexed(store: Store) -> None:
    assert JANE
    assert JOHN
    assert JANE_AT_OTHER
    store.index_order_email(SHOP, "gid://shopify/Order/2", JANE)
    store.index_order_email(SHOP, "gid://shopify/Order/1", JANE)
    store.index_order_email(SHOP, "gid://shopify/Order/3", JOHN)
    store.index_order_email(OTHER, "gid://shopify/Order/9", JANE_AT_OTHER)


def test_orders_are_found_by_each_shops_hash_of_the_email(store: Store) -> None:
    _indexed(store)
    assert JANE
    assert JANE_AT_OTHER

    assert store.orders_by_email({SHOP: JANE, OTHER: JANE_AT_OTHER}) == [
        (SHOP, "gid://shopify/Order/1"),
        (SHOP, "gid://shopify/Order/2"),
        (OTHER, "gid://shopify/Order/9"),
    ]
    assert store.orders_by_email({OTHER: JANE}) == []  # a shop's hash only matches in that shop
    assert store.orders_by_email({SHOP: JANE}, limit=1) == [(SHOP, "gid://shopify/Order/1")]
    assert store.orders_by_email({}) == []


def test_indexing_an_order_again_replaces_its_hash(store: Store) -> None:
    _indexed(store)
    assert JOHN
    assert JANE

    store.index_order_email(SHOP, "gid://shopify/Order/1", JOHN)

    assert store.orders_by_email({SHOP: JANE}) == [(SHOP, "gid://shopify/Order/2")]
    assert store.orders_by_email({SHOP: JOHN}) == [(SHOP, "gid://shopify/Order/1"), (SHOP, "gid://shopify/Order/3")]


def test_forgetting_deletes_the_orders_named_and_any_carrying_the_hash_in_that_shop_only(store: Store) -> None:
    _indexed(store)
    assert JANE
    assert JOHN
    assert JANE_AT_OTHER

    assert store.forget_order_emails(SHOP, ["gid://shopify/Order/2"], email_hash=JANE) == 2
    assert store.orders_by_email({SHOP: JANE, OTHER: JANE_AT_OTHER}) == [(OTHER, "gid://shopify/Order/9")]
    assert store.forget_order_emails(SHOP, ["gid://shopify/Order/3"]) == 1
    assert store.forget_order_emails(SHOP, []) == 0
    assert store.orders_by_email({SHOP: JOHN}) == []


def test_erasing_a_shop_erases_its_email_index(store: Store) -> None:
    _indexed(store)

    assert store.erase_shop(SHOP).get("order_emails") == 3
    assert JANE_AT_OTHER
    assert store.orders_by_email({OTHER: JANE_AT_OTHER}) == [(OTHER, "gid://shopify/Order/9")]
