"""What the console's handlers read from: the store, the history, the people, the clock, the shops."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trueup.service_layer.overview import FindingSource
from trueup.service_layer.people import People
from trueup.service_layer.ports import AlertRecords, Clock, History, Store


@dataclass(frozen=True)
class ConsoleDeps:
    store: Store
    history: History
    people: People
    clock: Clock
    shops: Sequence[str]
    sources: Sequence[FindingSource] = field(default_factory=tuple)  # payouts, completeness: once they exist
    # One SKU's level explained per location, read live from Shopify and the ERP (None: inventory is off).
    explain_sku: Callable[[str], dict[str, list[dict[str, Any]]]] | None = None
    alerts: AlertRecords | None = None  # what `trueup alerts` found firing, shown on the overview
    # Each shop's key of the customer e-mail index (operators and admins find orders by e-mail); empty: no search.
    email_keys: Mapping[str, bytes] = field(default_factory=dict)
