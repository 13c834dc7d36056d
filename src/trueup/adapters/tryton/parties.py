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
from dataclasses import dataclass
from typing import Any

import structlog

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.party_fields import PartyFieldWriter, describe
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyFieldValue
from trueup.domain.sales import SalesOrderRequest

log = structlog.get_logger(__name__)

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
    party_id, ids = PartyBook(db).find_or_create(order.customer, _sale_addresses(order), order.party_fields)
    return _sale_party(party_id, ids)


def batch_sale_parties(
    db: TrytonDatabase, orders: Sequence[SalesOrderRequest]
) -> list[tuple[int, int, int] | StructuralError]:
    """`sale_parties` for each of `orders`, in a few calls for the whole batch (PartyBook.find_or_create_many),
    each order given what it would have been given posted alone after the ones before it: a new customer
    ordering twice in the batch is one party. When Tryton refuses the batch's creates (another worker created
    one of these customers meanwhile: the party code is unique; or one customer's data), the batch's customers
    are found or created one order at a time instead, so that the race is settled and a refusal spoils only its
    own order. Per order, its party and addresses or why it has none."""
    if not orders:
        return []
    requests = [(order.customer, _sale_addresses(order), order.party_fields) for order in orders]
    try:
        found: list[tuple[int, list[int]] | StructuralError] = PartyBook(db).find_or_create_many(requests)
    except StructuralError:
        log.info("erp_batch_parties_one_by_one", orders=len(orders))
        found = []
        for customer, addresses, fields in requests:
            try:
                found.append(PartyBook(db).find_or_create(customer, addresses, fields))
            except StructuralError as error:
                found.append(error)
    return [one if isinstance(one, StructuralError) else _sale_party(*one) for one in found]


def _sale_addresses(order: SalesOrderRequest) -> list[Address]:
    invoice = order.invoice_address or order.shipment_address
    shipment = order.shipment_address or order.invoice_address
    return [a for a in (invoice, shipment) if a is not None]


def _sale_party(party_id: int, ids: list[int]) -> tuple[int, int, int]:
    invoice_id, shipment_id = (ids * 2)[:2] if len(ids) == 1 else ids[:2]
    return party_id, invoice_id, shipment_id


@dataclass(frozen=True)
class _Pending:
    """A record the batch is to create: its place in the create call's values."""

    index: int


_Id = int | _Pending
_CustomerRequest = tuple[Customer, list[Address], Sequence[PartyFieldValue]]


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

    def find_or_create_many(
        self, requests: Sequence[_CustomerRequest]
    ) -> list[tuple[int, list[int]] | StructuralError]:
        """`find_or_create` for each request (customer, addresses, fields), in order, as if one after the other,
        in a few calls: one search for every party (by code, else by e-mail), one create for the parties missing
        (their first order's addresses inside), one search and one create for the addresses; a party's fields
        written one party at a time, only where an order brings fields. Per request, the party and address ids,
        or why Tryton refused the fields. A StructuralError raised means Tryton refused a create: nothing of that
        create was made, and the caller finds or creates these customers one at a time (see batch_sale_parties)."""
        codes = [party_code(customer) for customer, _, _ in requests]
        emails = [customer.email.strip().lower() for customer, _, _ in requests]
        by_code, by_email = self._find_many(codes, emails)
        new_values: list[dict[str, Any]] = []
        new_by_code: dict[str, _Pending] = {}
        new_by_email: dict[str, _Pending] = {}
        creator: dict[_Pending, int] = {}  # a new party → the request that creates it
        parties: list[_Id] = []
        for index, ((customer, addresses, fields), code, email) in enumerate(zip(requests, codes, emails, strict=True)):
            party = by_code.get(code) or new_by_code.get(code) or by_email.get(email) or new_by_email.get(email)
            if party is None:  # as find(): the code first, then the e-mail, the oldest party first
                party = _Pending(len(new_values))
                new_values.append(self._party_values(customer, addresses, fields))
                new_by_code[code] = party
                if email:
                    new_by_email.setdefault(email, party)
                creator[party] = index
            parties.append(party)
        created = self._create_many("party.party", new_values)
        party_ids = [created[p.index] if isinstance(p, _Pending) else p for p in parties]
        rows = self._client.call(
            "party.address",
            "search_read",
            [("party", "in", sorted(set(party_ids)))],
            0,
            None,
            [("id", "ASC")],
            [*_ADDRESS_FIELDS, "party"],
        )
        book = _AddressBook(self, rows)
        results: list[tuple[int, list[_Id]] | StructuralError] = []
        updated: set[_Pending] = set()  # new parties whose fields an order after their first one wrote
        for index, ((_, addresses, fields), party, party_id) in enumerate(
            zip(requests, parties, party_ids, strict=True)
        ):
            if isinstance(party, _Pending) and creator[party] == index:
                results.append((party_id, book.created(party_id, addresses)))
                continue
            # A party just created with these very fields, and not written since, has them already.
            if not isinstance(party, _Pending) or party in updated or fields != requests[creator[party]][2]:
                if isinstance(party, _Pending) and fields:
                    updated.add(party)
                try:
                    self._fields.update(party_id, fields)
                except StructuralError as error:
                    results.append(error)
                    continue
            results.append((party_id, book.ids(party_id, addresses)))
        address_ids = self._create_many("party.address", book.pending)
        return [
            one
            if isinstance(one, StructuralError)
            else (one[0], [address_ids[i.index] if isinstance(i, _Pending) else i for i in one[1]])
            for one in results
        ]

    def _find_many(self, codes: list[str], emails: list[str]) -> tuple[dict[str, int], dict[str, int]]:
        """The parties with these codes, by code, and those with these e-mail addresses, by address (the oldest
        party of an address): one search."""
        wanted = sorted({email for email in emails if email})
        domain: list[Any] = [("code", "in", sorted(set(codes)))]
        if wanted:
            email_clause = ("contact_mechanisms", "where", [("type", "=", "email"), ("value", "in", wanted)])
            domain = ["OR", domain[0], email_clause]
        fields = ["code", "contact_mechanisms.type", "contact_mechanisms.value"]
        found = self._client.call("party.party", "search_read", domain, 0, None, [("id", "ASC")], fields)
        by_code: dict[str, int] = {}
        by_email: dict[str, int] = {}
        for party in found:
            by_code.setdefault(party["code"], party["id"])
            for mechanism in party.get("contact_mechanisms.") or []:
                if mechanism["type"] == "email" and mechanism["value"] in wanted:
                    by_email.setdefault(mechanism["value"], party["id"])
        return by_code, by_email

    def _create_many(self, model: str, values: list[dict[str, Any]]) -> list[int]:
        return list(self._client.call(model, "create", values)) if values else []

    def _party_values(
        self, customer: Customer, addresses: list[Address], fields: Sequence[PartyFieldValue]
    ) -> dict[str, Any]:
        contacts = [{"type": "email", "value": customer.email.strip().lower()}] if customer.email.strip() else []
        unique = list(dict.fromkeys(addresses))
        return {
            "name": customer.display_name,
            "code": party_code(customer),
            "contact_mechanisms": [("create", contacts)],
            "addresses": [("create", [self._address_values(a) for a in unique] or [{}])],
            **self._fields.create_values(fields),
        }

    def _create(
        self, customer: Customer, addresses: list[Address], fields: Sequence[PartyFieldValue]
    ) -> tuple[int, list[int]] | None:
        values = self._party_values(customer, addresses, fields)
        unique = list(dict.fromkeys(addresses))
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


class _AddressBook:
    """The addresses of a batch's parties as `PartyBook._address_ids` would find them one order after the
    other: the ones Tryton has (one search for every party) and those the orders before asked to create
    (`pending`, created in one call afterwards), each matched by its values, the newest of equal ones."""

    def __init__(self, parties: PartyBook, rows: list[dict[str, Any]]) -> None:
        self._parties = parties
        self._ids: dict[int, list[_Id]] = {}  # party → its addresses, oldest first
        self._known: dict[int, dict[tuple[Any, ...], _Id]] = {}  # party → its addresses by values
        for row in rows:
            self._add(row["party"], PartyBook._row_key(row), row["id"])
        self.pending: list[dict[str, Any]] = []

    def created(self, party_id: int, addresses: list[Address]) -> list[_Id]:
        """The ids of `addresses` on a party just created with them (as `PartyBook._create` reads them)."""
        ids = self._ids.get(party_id, [])
        unique = list(dict.fromkeys(addresses))
        by_address = dict(zip(unique, ids, strict=False))
        return [by_address[a] for a in addresses] if unique else list(ids)

    def ids(self, party_id: int, addresses: list[Address]) -> list[_Id]:
        """The ids of `addresses` on the party, those it lacks to be created (`PartyBook._address_ids`)."""
        known = self._known.setdefault(party_id, {})
        for address in dict.fromkeys(addresses):
            key = self._parties._key(address)
            if key not in known:
                self._create(party_id, key, self._parties._address_values(address))
        if not addresses:
            ids = self._ids.get(party_id)
            return [ids[0]] if ids else [self._create(party_id, (None,) * len(_ADDRESS_FIELDS), {})]
        return [known[self._parties._key(a)] for a in addresses]

    def _create(self, party_id: int, key: tuple[Any, ...], values: dict[str, Any]) -> _Pending:
        pending = _Pending(len(self.pending))
        self.pending.append({"party": party_id, **values})
        self._add(party_id, key, pending)
        return pending

    def _add(self, party_id: int, key: tuple[Any, ...], address: _Id) -> None:
        self._ids.setdefault(party_id, []).append(address)
        self._known.setdefault(party_id, {})[key] = address
