from pathlib import Path

import pytest

from trueup.bootstrap import posting_policy, worker_settings
from trueup.config import load_config, write_secret_file
from trueup.domain.errors import BadInput

VALID = """
[back_office]
database = "trueup"
password = { env = "TEST_TRYTON_PASSWORD" }

[[shops]]
domain = "brand.myshopify.com"
access_token = { env = "TEST_SHOPIFY_TOKEN" }
api_secret = { file = "secret.txt" }

[storage]
url = "sqlite:///state/trueup.db"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trueup.toml"
    path.write_text(text)
    return path


def test_a_valid_file_loads_with_relative_paths_from_its_folder(tmp_path):
    config = load_config(write(tmp_path, VALID))
    assert config.shops[0].domain == "brand.myshopify.com"
    assert config.storage_url() == f"sqlite:///{tmp_path.resolve()}/state/trueup.db"


def test_secrets_come_from_the_environment_or_a_file_and_never_print(tmp_path, monkeypatch):
    write_secret_file(tmp_path / "secret.txt", "shhh-app-secret")
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", "shpat_secret_token")
    config = load_config(write(tmp_path, VALID))
    shop = config.shops[0]
    token = shop.access_token.read("token", config.base_dir)
    secret = shop.api_secret.read("secret", config.base_dir)
    assert token.get_secret_value() == "shpat_secret_token"
    assert secret.get_secret_value() == "shhh-app-secret"
    assert "shpat" not in repr(token) + str(token)


def test_a_missing_environment_variable_is_named_without_a_value(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_SHOPIFY_TOKEN", raising=False)
    config = load_config(write(tmp_path, VALID))
    with pytest.raises(BadInput, match="TEST_SHOPIFY_TOKEN is not set"):
        config.shops[0].access_token.read("shops[0].access_token", config.base_dir)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("brand.myshopify.com", "brand.example.com"), "shops.0.domain"),
        (('database = "trueup"\n', ""), "back_office.database: Field required"),
        (('{ env = "TEST_SHOPIFY_TOKEN" }', '{ env = "A", file = "b" }'), "exactly one of"),
        (("[storage]", "[storage]\nunknown = 1"), "storage.unknown: Extra inputs are not permitted"),
    ],
)
def test_an_invalid_file_names_the_key_and_the_problem(tmp_path, change, message):
    with pytest.raises(BadInput) as error:
        load_config(write(tmp_path, VALID.replace(*change)))
    assert message in str(error.value)


def test_a_secret_written_in_the_file_is_refused_without_echoing_it(tmp_path):
    text = VALID.replace('{ env = "TEST_SHOPIFY_TOKEN" }', '"shpat_plain_secret"')
    with pytest.raises(BadInput) as error:
        load_config(write(tmp_path, text))
    assert "shops.0.access_token" in str(error.value)
    assert "shpat_plain_secret" not in str(error.value)


def test_not_toml_is_a_clear_error(tmp_path):
    with pytest.raises(BadInput, match="not valid TOML"):
        load_config(write(tmp_path, "[[shops]\n"))


def test_metafields_map_customer_and_company_metafields_to_erp_party_fields(tmp_path):
    text = VALID + '\n[metafields]\n"company.erp.account_number" = "party.identifier"\n'
    text += '"company.erp.credit_term" = "party.customer_payment_term"\n'
    config = load_config(write(tmp_path, text))
    assert config.metafields == {
        "company.erp.account_number": "party.identifier",
        "company.erp.credit_term": "party.customer_payment_term",
    }
    policy = posting_policy(config.shops[0], config)
    assert [(str(m.source), str(m.target)) for m in policy.party_metafields] == [
        ("company metafield erp.account_number", "party.identifier"),
        ("company metafield erp.credit_term", "party.customer_payment_term"),
    ]


def test_a_metafield_mapped_to_an_unknown_erp_field_names_the_key(tmp_path):
    text = VALID + '\n[metafields]\n"company.erp.account_number" = "party.code"\n'
    with pytest.raises(BadInput) as error:
        load_config(write(tmp_path, text))
    assert "metafields: Value error" in str(error.value)
    assert "not an ERP party field" in str(error.value)


def test_customer_notification_of_fulfilments_is_on_by_default_and_can_be_turned_off(tmp_path):
    assert worker_settings(load_config(write(tmp_path, VALID))).notify_customer is True
    quiet = VALID + "\n[worker]\nnotify_customer = false\nfulfil_interval_seconds = 10\n"
    settings = worker_settings(load_config(write(tmp_path, quiet)))
    assert settings.notify_customer is False
    assert settings.fulfil_interval_seconds == 10


def test_an_unknown_back_office_kind_is_refused_naming_the_kinds_trueup_knows(tmp_path):
    from trueup.bootstrap import build_back_office

    config = load_config(write(tmp_path, VALID.replace("[back_office]", '[back_office]\nkind = "netsuite"')))

    with pytest.raises(BadInput) as refused:
        build_back_office(config)

    assert "'netsuite'" in str(refused.value)
    assert "known kinds: tryton" in str(refused.value)


def test_the_tryton_kind_builds_the_tryton_back_office_without_connecting(tmp_path, monkeypatch):
    from trueup.adapters.tryton.back_office import TrytonBackOffice
    from trueup.bootstrap import build_back_office

    monkeypatch.setenv("TEST_TRYTON_PASSWORD", "x")
    config = load_config(write(tmp_path, VALID.replace("[back_office]", '[back_office]\nkind = "tryton"')))

    assert isinstance(build_back_office(config), TrytonBackOffice)


def test_shipping_books_on_the_configured_product(tmp_path):
    config = load_config(write(tmp_path, 'shipping_sku = "FREIGHT"\n' + VALID))
    assert posting_policy(config.shops[0], config).shipping_sku == "FREIGHT"
    assert posting_policy(config.shops[0], load_config(write(tmp_path, VALID))).shipping_sku == "SHIPPING"


@pytest.mark.parametrize("content", ["", "   \n\t\n"])
def test_an_empty_or_blank_secret_file_is_refused_naming_the_shop(tmp_path, content):
    write_secret_file(tmp_path / "secret.txt", content)
    config = load_config(write(tmp_path, VALID))
    shop = config.shops[0]

    with pytest.raises(BadInput) as error:
        shop.api_secret.read(f"shops[{shop.domain}].api_secret", config.base_dir)

    assert "brand.myshopify.com" in str(error.value)
    assert "empty" in str(error.value)


def test_a_blank_secret_variable_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", "  ")
    config = load_config(write(tmp_path, VALID))

    with pytest.raises(BadInput, match="TEST_SHOPIFY_TOKEN is not set or is blank"):
        config.shops[0].access_token.read("shops[brand.myshopify.com].access_token", config.base_dir)


@pytest.mark.parametrize("seconds", [60, 14399])
def test_a_delivery_age_window_shorter_than_shopifys_retries_is_refused(tmp_path, seconds):
    with pytest.raises(BadInput, match="max_delivery_age_seconds"):
        load_config(write(tmp_path, VALID + f"\n[server]\nmax_delivery_age_seconds = {seconds}\n"))


def test_the_database_password_comes_from_a_secret_not_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_DB_PASSWORD", "p@ss/word")
    text = VALID.replace(
        'url = "sqlite:///state/trueup.db"',
        'url = "postgresql+psycopg://trueup@db.internal/trueup"\npassword = { env = "TEST_DB_PASSWORD" }',
    )
    config = load_config(write(tmp_path, text))

    assert config.storage_url() == "postgresql+psycopg://trueup:p%40ss%2Fword@db.internal/trueup"
    assert "p@ss" not in repr(config)


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        ('api_url = "http://127.0.0.1:8765"', True),
        ('api_url = "http://localhost:8765"', True),
        ('api_url = "https://brand.myshopify.com"', True),
        ('api_url = "http://brand.myshopify.com"', False),
    ],
)
def test_plain_http_is_refused_beyond_this_machine(tmp_path, line, allowed):
    text = VALID.replace('domain = "brand.myshopify.com"', f'domain = "brand.myshopify.com"\n{line}')
    if allowed:
        load_config(write(tmp_path, text))
    else:
        with pytest.raises(BadInput, match="plain http"):
            load_config(write(tmp_path, text))
        load_config(write(tmp_path, "allow_plain_http = true\n" + text))  # the opt-out for local work


def test_a_secret_file_others_can_read_is_refused_with_the_fix(tmp_path):
    write_secret_file(tmp_path / "secret.txt", "shhh-app-secret")
    (tmp_path / "secret.txt").chmod(0o644)
    config = load_config(write(tmp_path, VALID))

    with pytest.raises(BadInput, match="chmod 600"):
        config.shops[0].api_secret.read("shops[brand.myshopify.com].api_secret", config.base_dir)


def test_secret_files_are_written_for_their_owner_only(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("old")
    path.chmod(0o644)

    write_secret_file(path, "new")

    assert (path.stat().st_mode & 0o777, path.read_text()) == (0o600, "new\n")
