"""Party fields taken from Shopify metafields, on a Tryton party: identifiers and the customer payment term.

- `party.identifier[:<type>]` is a `party.identifier` row of that type (none for no type). trueup keeps the
  party's first identifier of the type equal to the metafield: it adds one when the party has none of the
  type, and rewrites the first one's code when the metafield changes. Codes are compared without spaces and
  punctuation, since Tryton formats typed codes (a VAT number) its own way.
- `party.customer_payment_term` is the party's customer payment term (account_invoice), by the payment
  term's name; a name Tryton lacks is invalid customer data, checked before anything is created
  (domain/posting_checks.py). A sale whose
  Shopify order has no payment terms takes this one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from trueup.adapters.tryton.database import TrytonDatabase
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.party_fields import PartyField, PartyFieldValue

_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")


def party_payment_term(fields: Sequence[PartyFieldValue]) -> str | None:
    """The customer payment term `fields` give the party, by name: the sale's terms when Shopify gives none."""
    term = _payment_term(fields)
    return term.value if term is not None else None


def describe(fields: Sequence[PartyFieldValue]) -> str:
    """The metafields behind `fields`, for a message: "company metafield erp.vat (party.identifier:eu_vat)"."""
    return ", ".join(f"{field.source} ({field.target})" for field in fields)


class PartyFieldWriter:
    """Sets the metafield-sourced fields on a party, at creation or later when they changed."""

    def __init__(self, client: TrytonDatabase, payment_terms: Mapping[str, int]) -> None:
        self._client = client
        self._payment_terms = payment_terms

    def create_values(self, fields: Sequence[PartyFieldValue]) -> dict[str, Any]:
        """The `party.party` create values for `fields`."""
        values: dict[str, Any] = {}
        identifiers = [{"type": f.target.identifier_type, "code": f.value} for f in _identifiers(fields)]
        if identifiers:
            values["identifiers"] = [("create", identifiers)]
        term = _payment_term(fields)
        if term is not None:
            values["customer_payment_term"] = self._payment_terms[term.value]
        return values

    def update(self, party_id: int, fields: Sequence[PartyFieldValue]) -> None:
        """Bring the party's fields to `fields`: nothing is written when they already agree."""
        identifiers = _identifiers(fields)
        if identifiers:
            self._update_identifiers(party_id, identifiers)
        term = _payment_term(fields)
        if term is not None:
            self._update_payment_term(party_id, term)

    def _update_identifiers(self, party_id: int, fields: list[PartyFieldValue]) -> None:
        rows = self._client.call(
            "party.identifier", "search_read", [("party", "=", party_id)], 0, None, [("id", "ASC")], ["type", "code"]
        )
        for field in fields:
            same_type = [row for row in rows if (row["type"] or None) == field.target.identifier_type]
            if any(_compact(row["code"]) == _compact(field.value) for row in same_type):
                continue
            try:
                if same_type:
                    self._client.call("party.identifier", "write", [same_type[0]["id"]], {"code": field.value})
                else:
                    values = {"party": party_id, "type": field.target.identifier_type, "code": field.value}
                    self._client.call("party.identifier", "create", [values])
            except StructuralError as error:
                raise StructuralError(
                    Cause.INVALID_CUSTOMER_DATA, f"Tryton refused the value of Shopify {describe([field])}"
                ) from error

    def _update_payment_term(self, party_id: int, field: PartyFieldValue) -> None:
        wanted = self._payment_terms[field.value]
        (row,) = self._client.call("party.party", "read", [party_id], ["customer_payment_term"])
        if row["customer_payment_term"] != wanted:
            self._client.call("party.party", "write", [party_id], {"customer_payment_term": wanted})


def _identifiers(fields: Sequence[PartyFieldValue]) -> list[PartyFieldValue]:
    return [f for f in fields if f.target.field is PartyField.IDENTIFIER]


def _payment_term(fields: Sequence[PartyFieldValue]) -> PartyFieldValue | None:
    return next((f for f in fields if f.target.field is PartyField.CUSTOMER_PAYMENT_TERM), None)


def _compact(code: str | None) -> str:
    return _NOT_ALPHANUMERIC.sub("", code or "").upper()
