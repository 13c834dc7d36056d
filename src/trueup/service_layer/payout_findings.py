"""Payouts → booked, as a finding source for the console's overview and the alerts: each payout that nothing
of is booked in the ERP, with its cause and what to do."""

from __future__ import annotations

from trueup.domain.errors import WHAT_TO_DO
from trueup.domain.payouts import PayoutState
from trueup.service_layer.ports import Store


class PayoutFindings:
    """The payouts of a shop not booked (None until trueup has seen a payout of it)."""

    title = "payouts → booked"

    def __init__(self, store: Store) -> None:
        self._store = store

    def findings(self, shop: str) -> list[dict[str, str]] | None:
        records = self._store.payout_records(shop)
        if not records:
            return None
        return [
            {
                "what": f"payout {r.payout_id} of {r.issued_at.date().isoformat()} ({r.net}) not booked: {r.cause}",
                "what_to_do": WHAT_TO_DO[r.cause] if r.cause else "",
            }
            for r in records
            if r.state is PayoutState.EXCEPTION
        ]
