"""SqlTokenVault: the TokenVault port on trueup's database. Tokens are encrypted with Fernet (AES-128-CBC with
an HMAC-SHA256, cryptography's recipe) under a key derived from the configured secret; the database never holds
a token in clear. The refresh lease is a conditional UPDATE of the shop's row: one owner at a time."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import structlog
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, exc, or_, select

from trueup.adapters.storage.engine import make_engine, reading, translate_driver_errors, writing
from trueup.adapters.storage.tables import shop_tokens
from trueup.domain.credentials import ShopToken
from trueup.domain.errors import BadInput

log = structlog.get_logger(__name__)

MIN_KEY_LENGTH = 32


def fernet_for(secret: str) -> Fernet:
    """The Fernet of `secret` (at least 32 characters: a random key, e.g. `openssl rand -base64 32`)."""
    if len(secret.strip()) < MIN_KEY_LENGTH:
        raise BadInput(f"token_store.key: give a random key of at least {MIN_KEY_LENGTH} characters")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.strip().encode()).digest()))


class SqlTokenVault:
    """Each shop's token in `shop_tokens`, encrypted; every method one transaction."""

    def __init__(self, engine_or_url: Engine | str, key: str) -> None:
        self._engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
        self._fernet = fernet_for(key)

    def close(self) -> None:
        self._engine.dispose()

    def _seal(self, value: str | None) -> bytes | None:
        return None if value is None else self._fernet.encrypt(value.encode())

    def _open(self, value: bytes | None) -> str | None:
        return None if value is None else self._fernet.decrypt(bytes(value)).decode()

    @translate_driver_errors
    def load_token(self, shop: str) -> ShopToken | None:
        with reading(self._engine) as connection:
            row = connection.execute(select(shop_tokens).where(shop_tokens.c.shop == shop)).mappings().first()
        if row is None or row["access_token"] is None:
            return None
        try:
            access, refresh = self._open(row["access_token"]), self._open(row["refresh_token"])
        except InvalidToken:
            # Sealed under another key (token_store.key changed): as good as none. Client credentials are
            # fetched again; an installed shop is told to install again.
            log.warning("token_store.unreadable", shop=shop)
            return None
        assert access is not None
        return ShopToken(
            access,
            row["expires_at"],
            refresh,
            row["refresh_expires_at"],
            frozenset(s for s in row["scopes"].split(",") if s),
        )

    @translate_driver_errors
    def save_token(self, shop: str, token: ShopToken, now: datetime | None = None) -> None:
        values = {
            "access_token": self._seal(token.access_token),
            "expires_at": token.expires_at,
            "refresh_token": self._seal(token.refresh_token),
            "refresh_expires_at": token.refresh_expires_at,
            "scopes": ",".join(sorted(token.scopes)),
            "updated_at": now or datetime.now(UTC),
        }
        with writing(self._engine) as connection:
            changed = connection.execute(shop_tokens.update().where(shop_tokens.c.shop == shop).values(**values))
            if changed.rowcount == 0:
                connection.execute(shop_tokens.insert().values(shop=shop, **values))

    @translate_driver_errors
    def take_refresh_lease(self, shop: str, owner: str, now: datetime, seconds: float) -> bool:
        until = now + timedelta(seconds=seconds)
        try:
            with writing(self._engine) as connection:
                taken = connection.execute(
                    shop_tokens.update()
                    .where(
                        shop_tokens.c.shop == shop,
                        or_(
                            shop_tokens.c.lease_until.is_(None),
                            shop_tokens.c.lease_until <= now,
                            shop_tokens.c.lease_owner == owner,
                        ),
                    )
                    .values(lease_owner=owner, lease_until=until)
                )
                if taken.rowcount == 1:
                    return True
                exists = connection.execute(select(shop_tokens.c.shop).where(shop_tokens.c.shop == shop)).first()
                if exists is not None:
                    return False
                connection.execute(
                    shop_tokens.insert().values(
                        shop=shop, scopes="", lease_owner=owner, lease_until=until, updated_at=now
                    )
                )
                return True
        except exc.IntegrityError:
            return False  # another process made the shop's row (and holds the lease) at the same moment

    @translate_driver_errors
    def release_refresh_lease(self, shop: str, owner: str) -> None:
        with writing(self._engine) as connection:
            connection.execute(
                shop_tokens.update()
                .where(shop_tokens.c.shop == shop, shop_tokens.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            )
