"""When to try again after a transient failure: exponential backoff with equal jitter, capped.

Equal jitter waits at least half the backoff and at most all of it: retries of many jobs spread out, and none
comes back almost at once (full jitter, from 0, would let some hammer a remote that is still down)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    cap_seconds: float = 600.0

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt `attempts + 1`: between half and all of base × 2^(attempts−1), capped;
        the remote's Retry-After is a floor."""
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** max(attempts - 1, 0)))
        jittered = rng.uniform(ceiling / 2, ceiling)
        return max(jittered, retry_after or 0.0)
