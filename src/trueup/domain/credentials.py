"""A shop's Admin API access token as trueup keeps it: when it expires, and the refresh token that renews it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Renew this long before expiry, so a request never leaves with a token about to lapse (Shopify advises
# refreshing a few minutes early).
RENEW_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class ShopToken:
    """An access token (never logged: its repr hides it) with its expiry and, for expiring offline tokens, the
    rotating refresh token. `expires_at` None: the token does not expire."""

    access_token: str = field(repr=False)
    expires_at: datetime | None = None
    refresh_token: str | None = field(default=None, repr=False)
    refresh_expires_at: datetime | None = None
    scopes: frozenset[str] = frozenset()

    def usable(self, now: datetime, margin: timedelta = RENEW_MARGIN) -> bool:
        """True while the token is good for more than `margin`."""
        return self.expires_at is None or now + margin < self.expires_at

    def can_refresh(self, now: datetime) -> bool:
        return self.refresh_token is not None and (self.refresh_expires_at is None or now < self.refresh_expires_at)
