"""Every bad configuration a first-time user can write gets a short message (at most three lines) naming what
to fix, and the shop where one is meant: never a traceback, never a secret."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog

from trueup.config import write_secret_file
from trueup.entrypoints import cli

SECRET_VALUE = "shpss_never_printed_7c1"
SHOP = "brand.myshopify.com"


@dataclass(frozen=True)
class Bad:
    name: str
    says: str  # what the message must contain
    command: str = "migrate"
    storage: str = 'url = "sqlite:///state.db"'
    secret: str = '{ file = "secret.txt" }'
    secret_file: str | None = SECRET_VALUE
    secret_mode: int = 0o600
    shop: str = f'domain = "{SHOP}"'
    extra: str = ""
    toml: str | None = None  # the whole file instead
    postgres: bool = False


PG = "postgresql+psycopg://postgres@127.0.0.1"
CASES = [
    Bad("database down", "cannot open the database", storage=f'url = "{PG}:1/golive_intake_x"'),
    Bad(
        "database missing",
        "does not exist",
        storage=f'url = "{PG}:5432/golive_intake_no_such_db"',
        postgres=True,
    ),
    Bad("unreadable URL", "not a database URL", storage='url = "::not a url::"'),
    Bad("unsupported driver", "mysql+mysqldb is not supported", storage='url = "mysql://u@h/db"'),
    Bad(
        "postgres with another driver",
        "postgresql+asyncpg is not supported",
        storage='url = "postgresql+asyncpg://u@h/db"',
    ),
    Bad("postgres without a database", "names no database", storage=f'url = "{PG}:5432"'),
    Bad("SQLite folder missing", "does not exist", storage='url = "sqlite:///no/such/folder/state.db"'),
    Bad(
        "database password variable unset",
        "storage.password: environment variable GOLIVE_NO_SUCH_VAR",
        storage=f'url = "{PG}:5432/x"\npassword = {{ env = "GOLIVE_NO_SUCH_VAR" }}',
    ),
    Bad("shop secret variable unset", SHOP, command="serve", secret='{ env = "GOLIVE_NO_SUCH_SECRET" }'),
    Bad("shop secret file missing", SHOP, command="serve", secret_file=None),
    Bad("shop secret file empty", SHOP, command="serve", secret_file=""),
    Bad("shop secret file blank", SHOP, command="serve", secret_file="  \t "),
    Bad("shop secret file readable by all", "chmod 600", command="serve", secret_mode=0o644),
    Bad("shop secret file readable by the group", "chmod 600", command="serve", secret_mode=0o640),
    Bad("configuration missing", "cannot read the configuration", toml=""),
    Bad("not TOML", "not valid TOML", toml="[shops\n"),
    Bad("unknown key", "server.listen: Extra inputs are not permitted", extra="[server]\nlisten = 1\n"),
    Bad("shop domain not a myshopify domain", "domain", shop='domain = "brand.example.com"'),
    Bad("secret written in the file", "secret", secret=f'"{SECRET_VALUE}"'),
    Bad("plain http to the ERP", "back_office.url: plain http", extra=""),
    Bad(
        "plain http to Shopify",
        f"shops[{SHOP}].api_url: plain http",
        shop=f'domain = "{SHOP}"\napi_url = "http://shop.example.com"',
    ),
    Bad(
        "replay window under Shopify's retries",
        "max_delivery_age_seconds",
        extra="[server]\nmax_delivery_age_seconds = 60\n",
    ),
    Bad("no shop", "shops", toml='[back_office]\ndatabase = "x"\npassword = { env = "X" }\n'),
]


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    """`trueup serve` sets up logging on the captured stream; later tests must not log to it once closed."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def write(tmp_path: Path, bad: Bad) -> Path:
    path = tmp_path / "trueup.toml"
    if bad.toml == "":
        return path  # not written
    if bad.secret_file is not None:
        write_secret_file(tmp_path / "secret.txt", bad.secret_file)
        os.chmod(tmp_path / "secret.txt", bad.secret_mode)
    erp = "http://erp.example.com:8000" if bad.name == "plain http to the ERP" else "https://erp.example.com"
    path.write_text(
        bad.toml
        if bad.toml is not None
        else f"""
[storage]
{bad.storage}

[back_office]
url = "{erp}"
database = "trueup"
password = {{ env = "GOLIVE_UNUSED_PASSWORD" }}

[[shops]]
{bad.shop}
access_token = {{ env = "GOLIVE_UNUSED_TOKEN" }}
api_secret = {bad.secret}

{bad.extra}
"""
    )
    return path


@pytest.mark.parametrize("bad", CASES, ids=[case.name for case in CASES])
def test_a_bad_configuration_gets_a_short_message_and_no_traceback(
    bad: Bad, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if bad.postgres:
        pytest.importorskip("psycopg")
        from tests.support.postgres import _server_or_skip

        _server_or_skip()
    monkeypatch.setattr(sys, "argv", ["trueup", bad.command, "--config", str(write(tmp_path, bad))])
    monkeypatch.setattr(cli.console, "width", 1000)  # the message's own lines, not the terminal's wrapping

    with pytest.raises(SystemExit) as exit_:
        cli.main()  # anything but BadInput would escape here as the traceback a user would see

    out, err = capsys.readouterr()
    assert exit_.value.code == 2
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 3, err
    assert bad.says in err
    assert SECRET_VALUE not in out + err
    assert "Traceback" not in out + err
