"""What every stored Shopify object shares: a numeric id behind a gid, and its GraphQL type name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from shopify_sandbox.ids import gid


@dataclass(eq=False, repr=False)
class Node:
    """A Shopify object with a global id. `number` is the numeric part (the REST id)."""

    typename: ClassVar[str] = "Node"
    number: int

    def __repr__(self) -> str:
        return f"<{self.typename} {self.number}>"

    @property
    def id(self) -> str:
        return gid(self.typename, self.number)

    @property
    def legacy_resource_id(self) -> str:
        # UnsignedInt64 is serialised as a string by Shopify.
        return str(self.number)
