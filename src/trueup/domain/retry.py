"""When to try again after a transient failure: exponential backoff with full jitter, capped."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    cap_seconds: float = 600.0

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt `attempts + 1`. The remote's Retry-After is a floor."""
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** max(attempts - 1, 0)))
        jittered = rng.uniform(ceiling / 2, ceiling)
        return max(jittered, retry_after or 0.0)
