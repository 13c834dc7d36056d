"""The payout benchmark books what trueup would: its synthetic payouts pass Shopify's checks and balance."""

import random

from trueup.domain.payouts import payout_entry
from trueup.entrypoints.benchmarks.payouts import SHOP, _accounts, synthetic_payout


def test_a_synthetic_payout_is_one_balanced_entry_of_a_line_per_transaction_plus_net_and_fees():
    _, accounts = _accounts()
    payout = synthetic_payout("1", 50, random.Random(3))

    entry = payout_entry(SHOP, payout, accounts)

    assert len(entry.lines) == 52
    assert entry.balance().is_zero()
    assert {t.type for t in payout.transactions} == {"CHARGE", "REFUND"}
