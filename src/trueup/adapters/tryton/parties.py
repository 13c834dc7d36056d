"""Customers as Tryton parties: matched, never duplicated, with their addresses reused.

A party is found by its `code`: the one the domain chose when it did (`SHOPIFY-COMPANY-<id>` for a B2B company,
`SHOPIFY-GUESTS` for the shared guest party), else `SHOPIFY-<id>` for a Shopify customer, `EMAIL-<hash>` for a
guest. Tryton keeps party codes unique (a SQL constraint), so two workers racing to
create the same customer cannot both succeed: the loser finds the winner's party. A party an ERP user created
by hand is found by its e-mail contact mechanism.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.party_fields import PartyFieldWriter, describe
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyFieldValue
from trueup.domain.sales import SalesOrderRequest

_ADDRESS_FIELDS = ["party_name", "street_unstructured", "postal_code", "city", "country"]


def party_code(customer: Customer) -> str:
    """The Tryton party code of `customer` (no personal data in it: a guest's e-mail is hashed)."""
    if customer.erp_code:
        return customer.erp_code
    if customer.shopify_id:
        return f"SHOPIFY-{customer.shopify_id.rsplit('/', 1)[-1]}"
    digest = hashlib.sha256(customer.email.strip().lower().encode()).hexdigest()[:20]
    return f"EMAIL-{digest}"


def sale_parties(db: TrytonDatabase, order: SalesOrderRequest) -> tuple[int, int, int]:
    """The party of `order`'s customer, found or created, and the ids of its invoice and shipment addresses
    (each the other's when only one is given)."""
    invoice = order.invoice_address or order.shipment_address
    shipment = order.shipment_address or order.invoice_address
    addresses = [a for a in (invoice, shipment) if a is not None]
    party_id, ids = PartyBook(db).find_or_create(order.customer, addresses, order.party_fields)
    invoice_id, shipment_id = (ids * 2)[:2] if len(ids) == 1 else ids[:2]
    return party_id, invoice_id, shipment_id


class PartyBook:
    """Finds or creates parties and their addresses on one Tryton database; sets the fields taken from
    metafields (see party_fields.py), payment terms by name. Countries and payment terms are checked before
    (domain/posting_checks.py)."""

    def __init__(self, db: TrytonDatabase) -> None:
        self._client = db
        self._country_ids = db.reference.lookup("countries")
        self._fields = PartyFieldWriter(db, db.reference.lookup("payment_terms"))

    def find(self, customer: Customer) -> int | None:
        """The party of `customer`: by code first, else by e-mail."""
        code = party_code(customer)
        domain: list[Any] = [("code", "=", code)]
        email = customer.email.strip().lower()
        if email:
            email_clause = ("contact_mechanisms", "where", [("type", "=", "email"), ("value", "=", email)])
            domain = ["OR", domain[0], email_clause]
        found = self._client.call("party.party", "search_read", domain, 0, 10, [("id", "ASC")], ["code"])
        by_code = [p["id"] for p in found if p["code"] == code]
        return (by_code or [p["id"] for p in found] or [None])[0]

    def find_or_create(
        self, customer: Customer, addresses: list[Address], fields: Sequence[PartyFieldValue] = ()
    ) -> tuple[int, list[int]]:
        """The party of `customer` and the ids of `addresses` on it (reused when already there), with `fields`
        set on it (written only when they changed). An address in a country the ERP does not know is invalid
        customer data, checked before (domain/posting_checks.py)."""
        party_id = self.find(customer)
        if party_id is None:
            created = self._create(customer, addresses, fields)
            if created is not None:
                return created
            party_id = self.find(customer)  # another worker created it meanwhile
            if party_id is None:
                raise StructuralError(Cause.INVALID_CUSTOMER_DATA, "Tryton refused to create the customer")
        self._fields.update(party_id, fields)
        return party_id, self._address_ids(party_id, addresses)

    def _create(
        self, customer: Customer, addresses: list[Address], fields: Sequence[PartyFieldValue]
    ) -> tuple[int, list[int]] | None:
        contacts = [{"type": "email", "value": customer.email.strip().lower()}] if customer.email.strip() else []
        unique = list(dict.fromkeys(addresses))
        values = {
            "name": customer.display_name,
            "code": party_code(customer),
            "contact_mechanisms": [("create", contacts)],
            "addresses": [("create", [self._address_values(a) for a in unique] or [{}])],
            **self._fields.create_values(fields),
        }
        try:
            (party_id,) = self._client.call("party.party", "create", [values])
        except StructuralError as error:
            if "unique" in error.detail.lower():
                return None
            if fields:  # Tryton's message would show the value (an identifier): name where it came from instead
                detail = f"Tryton refused the customer's party with the values from Shopify {describe(fields)}"
                raise StructuralError(Cause.INVALID_CUSTOMER_DATA, detail) from error
            raise StructuralError(Cause.INVALID_CUSTOMER_DATA, error.detail) from error
        rows = self._client.call(
            "party.address", "search_read", [("party", "=", party_id)], 0, None, [("id", "ASC")], []
        )
        ids = [row["id"] for row in rows]
        by_address = dict(zip(unique, ids, strict=False))
        return party_id, [by_address[a] for a in addresses] if unique else ids

    def _address_ids(self, party_id: int, addresses: list[Address]) -> list[int]:
        rows = self._client.call(
            "party.address", "search_read", [("party", "=", party_id)], 0, None, [("id", "ASC")], _ADDRESS_FIELDS
        )
        known = {self._row_key(row): row["id"] for row in rows}
        missing = [a for a in dict.fromkeys(addresses) if self._key(a) not in known]
        if missing:
            created = self._client.call(
                "party.address", "create", [{"party": party_id, **self._address_values(a)} for a in missing]
            )
            known.update({self._key(a): new_id for a, new_id in zip(missing, created, strict=True)})
        if not addresses:
            return [rows[0]["id"]] if rows else self._client.call("party.address", "create", [{"party": party_id}])
        return [known[self._key(a)] for a in addresses]

    def _address_values(self, address: Address) -> dict[str, Any]:
        key = self._key(address)
        return dict(zip(_ADDRESS_FIELDS, key, strict=True))

    def _key(self, address: Address) -> tuple[Any, ...]:
        street = "\n".join(part for part in (address.address1, address.address2) if part)
        country = self._country_ids.get(address.country_code.upper())
        return (address.name or None, street or None, address.zip or None, address.city or None, country)

    @staticmethod
    def _row_key(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row.get(name) or None for name in _ADDRESS_FIELDS)
