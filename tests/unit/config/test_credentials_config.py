"""`[[shops]] credentials`: static tokens as before, client credentials and installs by authorization code,
with the token store key they need."""

from __future__ import annotations

from pathlib import Path

import pytest

from trueup.bootstrap import access_tokens, webhook_secrets
from trueup.config import AuthorizationCode, ClientCredentials, StaticCredentials, load_config
from trueup.domain.errors import BadInput

BACK_OFFICE = """
[back_office]
database = "trueup"
password = { env = "TEST_TRYTON_PASSWORD" }
"""

CLIENT_CREDENTIALS = """
[[shops]]
domain = "brand.myshopify.com"
credentials = { kind = "client_credentials", client_id = "abc123", client_secret = { env = "TEST_CLIENT_SECRET" } }

[token_store]
key = { env = "TEST_TOKEN_KEY" }
"""


def loaded(tmp_path: Path, shops: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "trueup.toml"
    path.write_text(BACK_OFFICE + shops)
    return load_config(path)


def test_a_shop_with_only_a_token_keeps_static_credentials(tmp_path: Path) -> None:
    config = loaded(
        tmp_path,
        """
[[shops]]
domain = "brand.myshopify.com"
access_token = { env = "T" }
api_secret = { env = "S" }
""",
    )
    assert isinstance(config.shops[0].credentials, StaticCredentials)


def test_client_credentials_sign_webhooks_with_the_client_secret(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TEST_CLIENT_SECRET", "shpss_client_secret")
    monkeypatch.setenv("TEST_TOKEN_KEY", "k" * 40)
    config = loaded(tmp_path, CLIENT_CREDENTIALS)
    shop = config.shops[0]
    assert isinstance(shop.credentials, ClientCredentials)
    assert webhook_secrets(config) == {"brand.myshopify.com": "shpss_client_secret"}
    config = config.model_copy(
        update={"storage": config.storage.model_copy(update={"url": f"sqlite:///{tmp_path}/t.db"})}
    )
    tokens = access_tokens(shop, config)
    assert "shpss_client_secret" not in repr(tokens)


def test_authorization_code_is_a_kind_of_its_own(tmp_path: Path) -> None:
    config = loaded(tmp_path, CLIENT_CREDENTIALS.replace("client_credentials", "authorization_code"))
    assert isinstance(config.shops[0].credentials, AuthorizationCode)


@pytest.mark.parametrize(
    ("shops", "message"),
    [
        (CLIENT_CREDENTIALS.split("[token_store]")[0], r"\[token_store\] key"),
        (
            CLIENT_CREDENTIALS.replace(
                'domain = "brand.myshopify.com"', 'domain = "brand.myshopify.com"\naccess_token = { env = "T" }'
            ),
            "access_token is not used with credentials kind 'client_credentials'",
        ),
        ('[[shops]]\ndomain = "brand.myshopify.com"\napi_secret = { env = "S" }\n', "give access_token"),
        ('[[shops]]\ndomain = "brand.myshopify.com"\naccess_token = { env = "T" }\n', "give api_secret"),
        (CLIENT_CREDENTIALS.replace('"client_credentials"', '"password"'), "credentials"),
        (CLIENT_CREDENTIALS.replace('client_id = "abc123", ', ""), "client_id"),
    ],
)
def test_incomplete_credentials_name_what_is_missing(tmp_path: Path, shops: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        loaded(tmp_path, shops)


def test_the_public_url_must_be_a_url(tmp_path: Path) -> None:
    shops = '[[shops]]\ndomain = "brand.myshopify.com"\naccess_token = { env = "T" }\napi_secret = { env = "S" }\n'
    with pytest.raises(BadInput, match=r"server\.public_url"):
        loaded(tmp_path, shops + '[server]\npublic_url = "trueup.example.com"\n')
    config = loaded(tmp_path, shops + '[server]\npublic_url = "https://trueup.example.com"\n')
    assert config.server.public_url == "https://trueup.example.com"


def test_a_missing_client_secret_is_named_as_such(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TEST_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("TEST_TOKEN_KEY", "k" * 40)
    config = loaded(tmp_path, CLIENT_CREDENTIALS)
    with pytest.raises(BadInput, match=r"shops\[brand\.myshopify\.com\]\.credentials\.client_secret"):
        webhook_secrets(config)
