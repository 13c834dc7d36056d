"""`trueup users`: people added with a role and an argon2id hash, listed, their password changed; bad input
refused plainly."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.integration.cli.test_cli import CONFIG
from trueup.adapters.storage.console_store import SqlConsoleStore
from trueup.entrypoints.cli import app
from trueup.entrypoints.cli_groups import register_groups

register_groups(app)
PASSWORD = "correct horse battery"


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "trueup.toml"
    path.write_text(CONFIG.format())
    return path


def test_a_user_is_added_with_a_role_listed_and_given_a_new_password(tmp_path: Path) -> None:
    config = str(_config(tmp_path))
    added = CliRunner().invoke(
        app, ["users", "add", "olga", "--role", "operator", "-c", config, "--password-stdin"], input=PASSWORD + "\n"
    )
    listed = CliRunner().invoke(app, ["users", "list", "-c", config, "--json"])
    changed = CliRunner().invoke(
        app, ["users", "password", "olga", "-c", config, "--password-stdin"], input="another long password\n"
    )

    assert added.exit_code == 0, added.output
    assert "olga added as operator." in added.output
    assert json.loads(listed.stdout) == [{"username": "olga", "role": "operator", "disabled": False}]
    assert changed.exit_code == 0, changed.output
    records = SqlConsoleStore(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        kept = records.console_user("olga")
    finally:
        records.close()
    assert kept is not None
    assert kept.password_hash.startswith("$argon2id$")
    assert PASSWORD not in kept.password_hash


def test_a_short_password_or_a_taken_name_is_refused_plainly(tmp_path: Path) -> None:
    config = str(_config(tmp_path))
    short = CliRunner().invoke(app, ["users", "add", "olga", "-c", config, "--password-stdin"], input="short\n")
    CliRunner().invoke(app, ["users", "add", "olga", "-c", config, "--password-stdin"], input=PASSWORD + "\n")
    again = CliRunner().invoke(app, ["users", "add", "olga", "-c", config, "--password-stdin"], input=PASSWORD + "\n")

    assert short.exit_code != 0
    assert "a password has at least 12 characters" in str(short.exception or short.output)
    assert "user olga exists already" in str(again.exception or again.output)
