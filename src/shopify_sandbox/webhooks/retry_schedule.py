"""When Shopify tries a failed webhook again: 8 retries over 4 hours, with exponential backoff.

Shopify publishes the count and the window, not the delays. With a doubling backoff the delays are
b, 2b, 4b, ... 128b, whose sum 255b must be the window: b = 14400 / 255 ≈ 56.5 s, so the last retry
comes 4 h after the first attempt and waits about 2 h 0 min 30 s before it.
"""

from __future__ import annotations

RETRIES = 8
WINDOW_SECONDS = 4 * 3600.0
BACKOFF_FACTOR = 2.0


def retry_delays(
    retries: int = RETRIES, window_seconds: float = WINDOW_SECONDS, factor: float = BACKOFF_FACTOR
) -> tuple[float, ...]:
    """Seconds to wait before each retry; they grow by `factor` and add up to `window_seconds`."""
    if retries <= 0:
        return ()
    base = window_seconds * (factor - 1) / (factor**retries - 1)
    return tuple(base * factor**n for n in range(retries))
