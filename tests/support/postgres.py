"""PostgreSQL for tests: one migrated template database per session, cloned per test.

The server is the one on 127.0.0.1:5432 (trust auth, user postgres), or TRUEUP_TEST_POSTGRES (a
libpq URL). When it is unreachable, tests that need it fail under CI (env CI set) and are skipped
otherwise, with the reason.

Registered for every test by tests/conftest.py (`pytest_plugins`): ask for `postgres_url` (a fresh migrated
database, SQLAlchemy URL), `postgres_server` (the server's libpq URL, for tests that make their own databases),
or `state_url` for trueup's state of each kind in turn ("memory" for the in-memory fakes, then a migrated SQLite
file, then a migrated PostgreSQL database).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from trueup.adapters.storage.migrate import upgrade

SERVER = os.environ.get("TRUEUP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _sqlalchemy_url(database: str) -> str:
    base = SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}"


def _admin(statement: str) -> None:
    with psycopg.connect(SERVER, autocommit=True, connect_timeout=3) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _server_or_skip() -> None:
    try:
        _admin("SELECT 1")
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL unreachable at {SERVER.split('@')[-1]}: {str(error).strip()[:200]}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: PostgreSQL tests must run)")
        pytest.skip(reason)


@pytest.fixture
def postgres_server() -> str:
    """The PostgreSQL server's libpq URL without a database (`postgresql://…:5432/`), once it answers."""
    _server_or_skip()
    return SERVER.rsplit("/", 1)[0] + "/"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The name of a database migrated to the latest schema, to clone with CREATE DATABASE ... TEMPLATE."""
    _server_or_skip()
    name = f"trueup_template_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        upgrade(_sqlalchemy_url(name))
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    """A fresh migrated database for one test (SQLAlchemy URL), dropped afterwards."""
    name = f"trueup_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    try:
        yield _sqlalchemy_url(name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MEMORY = "memory"  # the state_url of the in-memory fakes


@pytest.fixture(params=[MEMORY, "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """trueup's state for one test, of each kind in turn: MEMORY (the fakes), a migrated SQLite file, a fresh
    migrated PostgreSQL database."""
    if request.param == MEMORY:
        return MEMORY
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'trueup.db'}"
        upgrade(url)
        return url
    return str(request.getfixturevalue("postgres_url"))
