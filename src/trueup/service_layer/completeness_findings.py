"""The completeness check's open findings (kept by service_layer/verify.py), for the console's overview and the
alerts (a finding source) and for `trueup status` (a summary per kind, with what to do)."""

from __future__ import annotations

from collections import defaultdict

from trueup.domain.completeness import WHAT_TO_DO, FindingKind, OpenFinding
from trueup.service_layer.ports import Store

CHECKED_AT = "completeness_checked_at"  # the cursor saying when the check last ran over the shop (ISO time)


class CompletenessFindings:
    """The open findings of a shop: each ERP document a Shopify order (or payout) requires and the ERP does not
    hold as it should (None until the check has run over the shop or found something)."""

    title = "Shopify = ERP (completeness check)"

    def __init__(self, store: Store) -> None:
        self._store = store

    def findings(self, shop: str) -> list[dict[str, str]] | None:
        found = self._store.open_findings(shop)
        if not found and self._store.cursor(shop, CHECKED_AT) is None:
            return None
        return [
            {
                "what": f"{o.finding.order}: {o.finding.kind} ({o.finding.detail})",
                "what_to_do": o.finding.what_to_do,
                "since": o.found_at.isoformat(),
            }
            for o in found
        ]


def completeness_summary(store: Store, examples: int = 3, *, shop: str | None = None) -> dict[str, object]:
    """The open findings (of `shop`): how many, when the check last ran over the shop, and per kind (most first)
    the count, what to do and the first few found; empty when there is none and the check has not run."""
    found = store.open_findings(shop)
    checked_at = store.cursor(shop, CHECKED_AT) if shop is not None else None
    if not found and checked_at is None:
        return {}
    by_kind: dict[FindingKind, list[OpenFinding]] = defaultdict(list)
    for o in found:
        by_kind[o.finding.kind].append(o)
    return {
        "open": len(found),
        "checked_at": checked_at,
        "by_kind": [
            {
                "kind": str(kind),
                "count": len(group),
                "what_to_do": WHAT_TO_DO[kind],
                "examples": [
                    {
                        "order": o.finding.order,
                        "shop": o.finding.shop,
                        "document": o.finding.document,
                        "detail": o.finding.detail,
                        "found_at": o.found_at.isoformat(),
                    }
                    for o in group[:examples]
                ],
            }
            for kind, group in sorted(by_kind.items(), key=lambda item: (-len(item[1]), str(item[0])))
        ],
    }
