"""The TokenVault port: the in-memory fake and SqlTokenVault (SQLite, PostgreSQL) held to the same behaviour:
tokens round-trip, one refresh lease at a time, a lapsed lease can be taken; the SQL vault keeps tokens
encrypted, and a token sealed under another key reads as none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fakes.token_vault import InMemoryTokenVault
from tests.support.deliveries import T0
from tests.support.postgres import MEMORY
from trueup.adapters.storage import upgrade
from trueup.adapters.storage.tokens_sql import SqlTokenVault
from trueup.domain.credentials import ShopToken
from trueup.domain.errors import BadInput
from trueup.service_layer.ports import TokenVault

KEY = "k" * 40
SHOP = "vault-shop.myshopify.com"
TOKEN = ShopToken(
    "shpat_secret_value",
    T0 + timedelta(hours=1),
    "shprt_refresh_value",
    T0 + timedelta(days=90),
    frozenset({"read_orders", "write_inventory"}),
)


@pytest.fixture
def vault(state_url: str) -> Iterator[TokenVault]:
    if state_url == MEMORY:
        yield InMemoryTokenVault()
        return
    sql_vault = SqlTokenVault(state_url, KEY)
    yield sql_vault
    sql_vault.close()


def test_a_token_round_trips(vault: TokenVault) -> None:
    assert vault.load_token(SHOP) is None
    vault.save_token(SHOP, TOKEN)
    assert vault.load_token(SHOP) == TOKEN
    renewed = ShopToken("shpat_next", T0 + timedelta(hours=2))
    vault.save_token(SHOP, renewed)
    assert vault.load_token(SHOP) == renewed


def test_one_refresh_lease_at_a_time_until_released_or_lapsed(vault: TokenVault) -> None:
    assert vault.take_refresh_lease(SHOP, "worker-a", T0, 30)
    assert not vault.take_refresh_lease(SHOP, "worker-b", T0 + timedelta(seconds=1), 30)
    assert vault.take_refresh_lease(SHOP, "worker-a", T0 + timedelta(seconds=2), 30)  # its own again
    vault.release_refresh_lease(SHOP, "worker-b")  # not b's to release
    assert not vault.take_refresh_lease(SHOP, "worker-b", T0 + timedelta(seconds=3), 30)
    vault.release_refresh_lease(SHOP, "worker-a")
    assert vault.take_refresh_lease(SHOP, "worker-b", T0 + timedelta(seconds=4), 30)
    assert vault.take_refresh_lease(SHOP, "worker-c", T0 + timedelta(seconds=35), 30)  # b's lapsed


def test_a_lease_on_a_shop_with_a_token_keeps_the_token(vault: TokenVault) -> None:
    vault.save_token(SHOP, TOKEN)
    assert vault.take_refresh_lease(SHOP, "worker-a", T0, 30)
    vault.release_refresh_lease(SHOP, "worker-a")
    assert vault.load_token(SHOP) == TOKEN


def test_tokens_are_encrypted_at_rest_and_need_the_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vault.db'}"
    upgrade(url)
    vault = SqlTokenVault(url, KEY)
    vault.save_token(SHOP, TOKEN)
    vault.close()
    engine = create_engine(url)
    with engine.connect() as connection:
        raw = b"".join(
            bytes(value)
            for row in connection.execute(text("SELECT access_token, refresh_token FROM shop_tokens"))
            for value in row
        )
    engine.dispose()
    assert b"shpat_secret_value" not in raw
    assert b"shprt_refresh_value" not in raw
    other = SqlTokenVault(url, "another-key-of-enough-length-0123456789")
    assert other.load_token(SHOP) is None  # under another key, as good as none (fetched or installed again)
    other.close()
    with pytest.raises(BadInput, match="at least 32"):
        SqlTokenVault(url, "short")


def test_a_tokens_repr_never_shows_it() -> None:
    assert "shpat_secret_value" not in repr(TOKEN)
    assert "shprt_refresh_value" not in repr(TOKEN)
