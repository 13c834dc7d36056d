"""What a redact looks for in free text: the customer's own details as their deliveries quote them, never an
order's number or a product's name, never text so short it would match unrelated words."""

from __future__ import annotations

import json

from trueup.domain.privacy import customer_details


def test_an_orders_customer_and_addresses_give_their_names_streets_and_contacts() -> None:
    body = {
        "name": "#1001",
        "email": "Ada.Lovelace@example.com",
        "phone": "+44 20 7946 0000",
        "customer": {
            "first_name": "Augusta Ada",
            "last_name": "King",
            "email": "ada.lovelace@example.com",
            "addresses": [{"address1": "12 St James's Square", "address2": "Flat 3B", "name": "Ada King"}],
        },
        "shipping_address": {"name": "Augusta Ada King", "address1": "12 St James's Square", "city": "London"},
        "billing_address": {"first_name": "Ada", "last_name": "Byron", "address1": "Ockham Park"},
        "line_items": [{"name": "Analytical Engine", "sku": "AE-1"}],
    }

    found = customer_details(json.dumps(body).encode())

    assert found == {
        "ada.lovelace@example.com",
        "+44 20 7946 0000",
        "augusta ada king",
        "12 st james's square",
        "flat 3b",
        "ada king",
        "ada byron",
        "ockham park",
    }


def test_short_text_and_unreadable_bodies_give_nothing() -> None:
    body = {"customer": {"first_name": "Al", "last_name": "W", "address1": "1 A"}, "email": "a@bc"}

    assert customer_details(json.dumps(body).encode()) == set()
    assert customer_details(b"{not json") == set()
    assert customer_details(b'["a list", {"customer": 5}]') == set()
