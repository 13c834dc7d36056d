"""Shops that sell from one warehouse are stocked together: one pass at a time decides what each offers.

Two shops are in one group when a warehouse is mapped to a location of each, or one's orders post to a
warehouse mapped by the other, directly or through a third. A shop whose orders post to the ERP's default
warehouse (no `warehouse` configured) counts its demand at every warehouse, so it joins every group. The first
shop of a group (by domain) runs the group's stock jobs; a shop alone is its own group, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from trueup.service_layer.inventory import StockContext, StockMember, StockPolicy
from trueup.service_layer.ports import BackOffice, Clock, ShopifyAdmin, Store

_ANYWHERE = "*"


def _warehouses(policy: StockPolicy) -> set[str]:
    return {*policy.locations.values(), policy.posting_warehouse or _ANYWHERE}


def grouped(policies: Mapping[str, StockPolicy]) -> dict[str, StockPolicy]:
    """`policies` with each shop's `shares_with` set to the other shops of its group."""
    groups: list[set[str]] = []
    for shop in sorted(policies):
        touching = [group for group in groups if any(_shares(policies[shop], policies[other]) for other in group)]
        merged = {shop}.union(*touching)
        groups = [group for group in groups if group not in touching] + [merged]
    group_of = {shop: group for group in groups for shop in group}
    return {
        shop: replace(policy, shares_with=tuple(sorted(group_of[shop] - {shop}))) for shop, policy in policies.items()
    }


def _shares(one: StockPolicy, other: StockPolicy) -> bool:
    mine, theirs = _warehouses(one), _warehouses(other)
    return bool(mine & theirs) or _ANYWHERE in mine or _ANYWHERE in theirs


def runs_group(shop: str, policy: StockPolicy) -> bool:
    """Whether `shop` runs its group's stock jobs (the first of the group by domain)."""
    return all(shop < other for other in policy.shares_with)


def group_context(
    shop: str,
    policies: Mapping[str, StockPolicy],
    shopify: Mapping[str, ShopifyAdmin],
    back_office: BackOffice,
    store: Store,
    clock: Clock,
) -> StockContext:
    """The stock context of `shop` with the other shops of its group."""
    policy = policies[shop]
    others = tuple(StockMember(shopify[other], policies[other]) for other in policy.shares_with)
    return StockContext(shopify[shop], back_office, store, clock, policy, others)
