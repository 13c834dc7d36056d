"""What the generator believes is still in stock, so a plan does not order what the shop has not got.

Orders are placed with `inventoryBehaviour: DECREMENT_OBEYING_POLICY`, as a storefront would: Shopify
refuses to oversell. The ledger keeps, per SKU, the best single location's quantity (an order is
taken from one location) and only ever decreases it, so it errs on the side of caution.
"""

from __future__ import annotations

from shopify_sandbox.spec import BundleComponentSpec, ShopSpec


class StockLedger:
    def __init__(self, shop: ShopSpec) -> None:
        self._tracked = {v.sku for p in shop.products for v in p.variants if v.tracked and not p.bundle_components}
        self._best: dict[str, int] = {}
        for (sku, _location), quantity in shop.stock.items():
            self._best[sku] = max(self._best.get(sku, 0), quantity)

    def take(self, sku: str, quantity: int, bundles: dict[str, tuple[BundleComponentSpec, ...]]) -> bool:
        """Reserve `quantity` of `sku` (a bundle reserves its components); False, reserving nothing,
        when there is not enough."""
        needs = {c.sku: c.quantity * quantity for c in bundles[sku]} if sku in bundles else {sku: quantity}
        tracked_needs = {s: n for s, n in needs.items() if s in self._tracked}
        if any(self._best.get(s, 0) < n for s, n in tracked_needs.items()):
            return False
        for s, n in tracked_needs.items():
            self._best[s] -= n
        return True
