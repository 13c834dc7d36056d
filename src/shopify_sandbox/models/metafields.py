"""Metafields: custom data a merchant (or an app) attaches to a Shopify resource, by namespace and key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from shopify_sandbox.models.base import Node

# The namespace Shopify uses when a query names none (`metafield(key:)` without `namespace:`): the calling
# app's reserved one. The sandbox serves a single app, so one fixed name stands for it.
APP_RESERVED_NAMESPACE = "$app"


@dataclass(eq=False, repr=False)
class Metafield(Node):
    """One metafield. `value` is always a string, whatever its `type` (as Shopify serves it)."""

    typename: ClassVar[str] = "Metafield"
    namespace: str = ""
    key: str = ""
    value: str = ""
    type: str = "single_line_text_field"
    owner_type: str = ""  # MetafieldOwnerType: "CUSTOMER", "COMPANY"
    created_at: datetime | None = None
    updated_at: datetime | None = None


def find_metafield(metafields: list[Metafield], namespace: str | None, key: str) -> Metafield | None:
    """The metafield `namespace`.`key` among `metafields` (the app-reserved namespace when none is given)."""
    wanted = namespace if namespace is not None else APP_RESERVED_NAMESPACE
    return next((m for m in metafields if m.namespace == wanted and m.key == key), None)
