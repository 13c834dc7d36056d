"""Postal addresses as Shopify models them on orders (MailingAddress) and on locations (LocationAddress)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

_COUNTRY_NAMES = {
    "FR": "France",
    "DE": "Germany",
    "GB": "United Kingdom",
    "US": "United States",
    "ES": "Spain",
    "IT": "Italy",
    "NL": "Netherlands",
    "BE": "Belgium",
    "CA": "Canada",
    "IE": "Ireland",
}


def country_name(code: str | None) -> str | None:
    return None if code is None else _COUNTRY_NAMES.get(code, code)


@dataclass
class MailingAddress:
    typename: ClassVar[str] = "MailingAddress"
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    province_code: str | None = None
    zip: str | None = None
    country_code_v2: str | None = None
    phone: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def country(self) -> str | None:
        return country_name(self.country_code_v2)

    @property
    def country_code(self) -> str | None:
        return self.country_code_v2

    @property
    def name(self) -> str | None:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None

    @property
    def formatted(self) -> list[str]:
        lines = [self.name, self.company, self.address1, self.address2, " ".join(p for p in (self.zip, self.city) if p)]
        return [line for line in (*lines, self.country) if line]

    @property
    def formatted_area(self) -> str:
        return ", ".join(part for part in (self.city, self.province_code, self.country) if part)

    @classmethod
    def from_input(cls, data: dict[str, Any]) -> MailingAddress:
        """From a MailingAddressInput (camelCase keys as sent)."""
        return cls().updated(data)

    def updated(self, data: dict[str, Any]) -> MailingAddress:
        """A copy with the MailingAddressInput fields present in `data` replaced."""
        changes = {snake: data[camel] for camel, snake in _INPUT_FIELDS.items() if camel in data}
        return replace(self, **changes)


_INPUT_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "company": "company",
    "address1": "address1",
    "address2": "address2",
    "city": "city",
    "province": "province",
    "provinceCode": "province_code",
    "zip": "zip",
    "countryCode": "country_code_v2",
    "phone": "phone",
}


@dataclass
class LocationAddress:
    typename: ClassVar[str] = "LocationAddress"
    address1: str | None
    city: str | None
    zip: str | None
    country_code: str | None
    address2: str | None = None
    province: str | None = None
    province_code: str | None = None
    phone: str | None = None

    @property
    def country(self) -> str | None:
        return country_name(self.country_code)

    @property
    def formatted(self) -> list[str]:
        return [part for part in (self.address1, self.address2, self.city, self.zip, self.country) if part]
