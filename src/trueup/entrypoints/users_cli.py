"""`trueup users`: the console's people (add, list, set a password)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from trueup.domain.people import Role

users_app = typer.Typer(name="users", help="The operations console's people.", no_args_is_help=True)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", envvar="TRUEUP_CONFIG", help="The TOML configuration file.")
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input (for scripts).")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _records_and_people(config: Path):
    from trueup import bootstrap
    from trueup.config import load_config

    cfg = load_config(config)  # BadInput: main() prints it and exits 2
    bootstrap.build_store(cfg).close()  # the schema, up to date
    records = bootstrap.build_console_store(cfg)
    return records, bootstrap.build_people(cfg, records)


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="The name people sign in with.")],
    role: Annotated[
        Role, typer.Option(help="viewer: reads; operator: also acts on orders; admin: also reads everyone's audit.")
    ] = Role.VIEWER,
    config: ConfigOption = Path("trueup.toml"),
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a person who may sign in to the console (the password is asked twice, never on the command line)."""
    from trueup import bootstrap
    from trueup.adapters.passwords import Argon2Hasher
    from trueup.service_layer.people import add_user

    records, _ = _records_and_people(config)
    add_user(records, Argon2Hasher(), bootstrap.SystemClock(), username, role, _password(password_stdin))
    Console().print(f"{escape(username)} added as {role}.")


@users_app.command("password")
def password(
    username: Annotated[str, typer.Argument(help="The person's name.")],
    config: ConfigOption = Path("trueup.toml"),
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password (the person's sessions end)."""
    from trueup.adapters.passwords import Argon2Hasher
    from trueup.service_layer.people import set_password

    records, _ = _records_and_people(config)
    set_password(records, Argon2Hasher(), username, _password(password_stdin))
    Console().print(f"Password of {escape(username)} changed; their sessions ended.")


@users_app.command("list")
def list_users(
    config: ConfigOption = Path("trueup.toml"),
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The console's people and their roles."""
    records, _ = _records_and_people(config)
    users = records.console_users()
    if as_json:
        print(json.dumps([{"username": u.username, "role": str(u.role), "disabled": u.disabled} for u in users]))
        return
    table = Table(title="Console users")
    for column in ("name", "role", "since"):
        table.add_column(column)
    for u in users:
        table.add_row(escape(u.username), str(u.role), u.created_at.date().isoformat())
    Console().print(table)
