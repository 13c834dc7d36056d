"""Tryton's reference data, read once and again when something asked for is missing (it may have been created
since: an order parked for it must post by itself once it exists): currencies, countries, taxes (by name:
account.tax has no code in 8.2), warehouses (by location code, with the locations inside each), payment terms
and the default customer payment term.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.domain.errors import Cause, StructuralError

# kind → (model, key field, domain)
_LOOKUPS: dict[str, tuple[str, str, list[Any]]] = {
    "currencies": ("currency.currency", "code", []),
    "countries": ("country.country", "code", []),
    "taxes": ("account.tax", "name", []),
    "warehouses": ("stock.location", "code", [("type", "=", "warehouse")]),
    "payment_terms": ("account.invoice.payment_term", "name", []),
}


class ReferenceData:
    """The reference data of one Tryton database, by key (code or name) → record id."""

    def __init__(self, client: TrytonClient) -> None:
        self._client = client
        self._lookups: dict[str, dict[str, int]] = {}
        self._default_payment_term: tuple[int | None] | None = None  # read once
        self._location_warehouse: dict[int, str] = {}  # location id → its warehouse's code ("" for none)

    def lookup(self, kind: str, wanted: AbstractSet[Any] = frozenset()) -> dict[str, int]:
        """`kind`'s records by key, read again when a key of `wanted` is missing."""
        cached = self._lookups.get(kind)
        if cached is None or not wanted <= set(cached):
            cached = self._read(kind)
        return cached

    def _read(self, kind: str) -> dict[str, int]:
        model, key, domain = _LOOKUPS[kind]
        rows = self._client.call(model, "search_read", domain, 0, None, [("id", "ASC")], [key])
        self._lookups[kind] = {row[key]: row["id"] for row in rows if row[key]}
        return self._lookups[kind]

    def currency_code(self, currency_id: int) -> str:
        """The ISO code of a Tryton currency record."""
        codes = {record: code for code, record in self.lookup("currencies").items()}
        if currency_id not in codes:
            codes = {record: code for code, record in self._read("currencies").items()}
        return codes[currency_id]

    def warehouse_id(self, code: str | None) -> int:
        """The warehouse with this code (None: the first by code, Tryton's default for trueup);
        StructuralError(UNMAPPED_LOCATION) when Tryton has none."""
        warehouses = self.lookup("warehouses", {code} - {None})
        if code is None:
            return warehouses[min(warehouses)]
        if code not in warehouses:
            raise StructuralError(
                Cause.UNMAPPED_LOCATION, f"no Tryton warehouse with code {code}", needs={"warehouses": [code]}
            )
        return warehouses[code]

    def payment_term_id(self, name: str | None) -> int | None:
        """The payment term of this name; None: Tryton's default customer payment term."""
        if name is not None:
            return self.lookup("payment_terms", {name})[name]
        if self._default_payment_term is None:
            (config,) = self._client.call("account.configuration", "read", [1], ["default_customer_payment_term"])
            self._default_payment_term = (config["default_customer_payment_term"] or None,)
        return self._default_payment_term[0]

    def warehouse_of_locations(self, location_ids: AbstractSet[int]) -> dict[int, str]:
        """The code of the warehouse each location is in (child locations count as their warehouse's;
        supplier, customer and lost-and-found locations belong to none: "")."""
        if not self._location_warehouse or not location_ids <= self._location_warehouse.keys():
            self._read_locations()
        return self._location_warehouse

    def _read_locations(self) -> None:
        warehouses = self._read("warehouses")  # a new location may be in a new warehouse
        mapping: dict[int, str] = {}
        for code, warehouse_id in warehouses.items():
            for location_id in self._client.call("stock.location", "search", [("parent", "child_of", [warehouse_id])]):
                mapping.setdefault(location_id, code)
        everything = self._client.call("stock.location", "search", [], context={"active_test": False})
        self._location_warehouse = {location_id: mapping.get(location_id, "") for location_id in everything}
