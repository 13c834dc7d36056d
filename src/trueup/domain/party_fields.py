"""ERP party fields filled from Shopify customer and company metafields, as the configuration names them.

A mapping reads `"<owner>.<namespace>.<key>" = "<ERP field>"`, e.g. `"company.erp.account_number" =
"party.identifier"`. The owner is `customer` (the metafield is read on the Shopify customer, and set on the
customer's own party) or `company` (read on the B2B company, set on the company's party). The ERP fields:

- `party.identifier`: an identifier of the party (its code is the metafield's value), with no type;
  `party.identifier:<type>` gives it an ERP identifier type (e.g. `eu_vat`), which the ERP then validates.
- `party.customer_payment_term`: the party's customer payment term, by the ERP payment term's name.

A metafield that is not set (or blank) leaves the ERP field as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from trueup.domain.orders import ShopifyOrder

# Shopify's metafield namespaces and keys: letters, digits, "-" and "_" (an app-reserved namespace starts
# with "$app"). Nothing else is accepted, since they are written into the GraphQL document.
_SOURCE = re.compile(
    r"^(?P<owner>customer|company)\.(?P<namespace>\$?[A-Za-z0-9_:-]{2,255})\.(?P<key>[A-Za-z0-9_-]{2,64})$"
)
_IDENTIFIER_TYPE = re.compile(r"^[a-z0-9_]{1,32}$")
# The longest metafield value passed on to the ERP: longer is parked as invalid customer data.
VALUE_LIMIT = 255


class MetafieldOwner(StrEnum):
    CUSTOMER = "customer"
    COMPANY = "company"


class PartyField(StrEnum):
    """The ERP party fields a metafield can fill."""

    IDENTIFIER = "party.identifier"
    CUSTOMER_PAYMENT_TERM = "party.customer_payment_term"


@dataclass(frozen=True)
class MetafieldSource:
    """A Shopify metafield of a customer or a company, by namespace and key."""

    owner: MetafieldOwner
    namespace: str
    key: str

    @property
    def name(self) -> str:
        """The metafield's full key, e.g. "erp.account_number"."""
        return f"{self.namespace}.{self.key}"

    def __str__(self) -> str:
        return f"{self.owner} metafield {self.name}"


@dataclass(frozen=True)
class PartyTarget:
    """Where a metafield's value goes on the ERP party; `identifier_type` only for an identifier."""

    field: PartyField
    identifier_type: str | None = None

    def __str__(self) -> str:
        return f"{self.field}:{self.identifier_type}" if self.identifier_type else str(self.field)


@dataclass(frozen=True)
class MetafieldMapping:
    source: MetafieldSource
    target: PartyTarget


@dataclass(frozen=True)
class PartyFieldValue:
    """A value for an ERP party field, and the metafield it came from (for messages)."""

    target: PartyTarget
    value: str
    source: MetafieldSource


def parse_source(text: str) -> MetafieldSource:
    """ "company.erp.account_number" → MetafieldSource; ValueError says what is wrong."""
    match = _SOURCE.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not '<customer|company>.<namespace>.<key>' "
            "(letters, digits, '-' and '_' in the namespace and the key)"
        )
    return MetafieldSource(MetafieldOwner(match["owner"]), match["namespace"], match["key"])


def parse_target(text: str) -> PartyTarget:
    """ "party.identifier", "party.identifier:eu_vat" or "party.customer_payment_term" → PartyTarget."""
    name, _, identifier_type = text.partition(":")
    try:
        field = PartyField(name)
    except ValueError:
        known = ", ".join(f.value for f in PartyField)
        raise ValueError(f"{text!r} is not an ERP party field (one of {known})") from None
    if identifier_type and (field is not PartyField.IDENTIFIER or not _IDENTIFIER_TYPE.match(identifier_type)):
        raise ValueError(f"{text!r}: only party.identifier takes a type, in lower case (e.g. party.identifier:eu_vat)")
    return PartyTarget(field, identifier_type or None)


def parse_mappings(raw: Mapping[str, str]) -> tuple[MetafieldMapping, ...]:
    """The configuration's `[metafields]` table, checked: each ERP field is filled by one metafield per owner."""
    mappings = tuple(MetafieldMapping(parse_source(source), parse_target(target)) for source, target in raw.items())
    seen: set[tuple[MetafieldOwner, PartyTarget]] = set()
    for mapping in mappings:
        slot = (mapping.source.owner, mapping.target)
        if slot in seen:
            raise ValueError(f"{mapping.target} is filled by two {mapping.source.owner} metafields")
        seen.add(slot)
    return mappings


def sources(mappings: Iterable[MetafieldMapping], owner: MetafieldOwner) -> tuple[MetafieldSource, ...]:
    """The metafields to read on `owner`, in configuration order."""
    return tuple(m.source for m in mappings if m.source.owner is owner)


def party_field_values(
    order: ShopifyOrder, mappings: Iterable[MetafieldMapping], *, own_party: bool
) -> tuple[PartyFieldValue, ...]:
    """The ERP party fields of the order's buyer. A company order's party takes the company's metafields;
    a customer's own party (`own_party`: not a guest party) the customer's. Unset metafields are left out."""
    if order.company is not None:
        owner, values = MetafieldOwner.COMPANY, dict(order.company.metafields)
    elif own_party and order.customer is not None:
        owner, values = MetafieldOwner.CUSTOMER, dict(order.customer.metafields)
    else:
        return ()
    return tuple(
        PartyFieldValue(m.target, values[m.source.name], m.source)
        for m in mappings
        if m.source.owner is owner and values.get(m.source.name, "").strip()
    )
