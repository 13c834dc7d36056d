"""Shopify's search syntax for the `query:` argument, the part the sandbox honours.

Terms are ANDed: `updated_at:>'2026-11-27T09:00:00Z' created_at:<=2026-11-28 financial_status:paid
name:#1001 tag:wholesale sku:ABC-1 id:>5801000000001`. Comparators: `:` (equals), `:>`, `:>=`, `:<`, `:<=`.
`OR` between terms gives alternatives (`sku:A OR sku:B`; AND binds tighter, as in Shopify's syntax); an
explicit `AND` is the same as a space. Parentheses and NOT are not honoured.
Unknown fields are ignored, as Shopify ignores them.
"""

from __future__ import annotations

import operator
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_TERM = re.compile(r"^(?P<field>[a-z_]+):(?P<op>>=|<=|>|<)?(?P<value>.*)$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Term:
    field: str
    op: str
    value: str

    def matches(self, actual: Any) -> bool:
        try:
            return self._matches(actual)
        except (ValueError, InvalidOperation):
            return True  # a value Shopify cannot read is ignored, not an error

    def _matches(self, actual: Any) -> bool:
        if actual is None:
            return False
        if isinstance(actual, datetime):
            return _OPS[self.op](actual, parse_time(self.value))
        if isinstance(actual, list):
            return any(self.value.lower() == str(a).lower() for a in actual)
        if isinstance(actual, int):
            return _OPS[self.op](actual, int(self.value))
        if isinstance(actual, Decimal):
            return _OPS[self.op](actual, Decimal(self.value))
        return _OPS[self.op](str(actual).lower(), self.value.lower())


def parse_time(value: str) -> datetime:
    """ISO 8601 date or date-time; naive values are UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_query(text: str | None) -> list[Term]:
    """The terms of a search query; free text and unsupported syntax are dropped."""
    if not text:
        return []
    terms = []
    for token in shlex.split(text, posix=True):
        match = _TERM.match(token)
        if match and match["value"]:
            terms.append(Term(match["field"], match["op"] or "", match["value"].strip("'\"")))
    return terms


def parse_alternatives(text: str | None) -> list[list[Term]]:
    """The query as alternatives joined by `OR`, each a list of terms that must all match."""
    if not text:
        return [[]]
    groups: list[list[str]] = [[]]
    for word in shlex.split(text, posix=True):
        if word == "OR":
            groups.append([])
        elif word != "AND":
            groups[-1].append(shlex.quote(word))
    return [parse_query(" ".join(group)) for group in groups]


def filter_items(items: list[Any], text: str | None, fields: dict[str, Callable[[Any], Any]]) -> list[Any]:
    """The items matching every supported term of one alternative of `text` (all of it, without `OR`);
    `fields` maps a search field to its value."""
    alternatives = [[term for term in terms if term.field in fields] for terms in parse_alternatives(text)]
    return [
        item
        for item in items
        if any(all(term.matches(fields[term.field](item)) for term in terms) for terms in alternatives)
    ]
