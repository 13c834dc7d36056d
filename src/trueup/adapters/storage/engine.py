"""Connecting to the database: SQLite tuned for durability, PostgreSQL pooled; driver errors translated.

SQLite: WAL journal, `synchronous=FULL` (a committed delivery survives a power cut: a 2xx is a promise;
workers may choose `NORMAL`, see `make_engine`),
a busy timeout so writers queue instead of failing, and write transactions opened with BEGIN IMMEDIATE
so two writers never deadlock upgrading a read lock.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import URL, Connection, Engine, create_engine, event, exc, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from trueup.domain.errors import BadInput, TransientError

SQLITE_BUSY_TIMEOUT_S = 30.0

P = ParamSpec("P")
T = TypeVar("T")


def make_engine(url: str, sqlite_busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S, durable_commits: bool = True) -> Engine:
    """An engine for `url` (`sqlite:///path` or `postgresql+psycopg://...`), set up for trueup's use.

    On SQLite, a writer waits up to `sqlite_busy_timeout_s` for another to finish before giving up.
    `durable_commits=False` (SQLite's synchronous=NORMAL in WAL mode) keeps every commit through a crash
    of the process but may lose the last ones to a power cut: right for workers, whose effects are
    idempotent and re-run from the queue, never for intake, whose 2xx is a promise.
    """
    parsed = checked_url(url)
    if parsed.get_backend_name() == "sqlite":
        _create_private_file(parsed)
        engine = create_engine(parsed, connect_args={"timeout": sqlite_busy_timeout_s})
        synchronous = "FULL" if durable_commits else "NORMAL"
        event.listen(engine, "connect", functools.partial(_tune_sqlite, synchronous=synchronous))
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)


SUPPORTED = {("sqlite", "pysqlite"), ("postgresql", "psycopg")}
EXPECTED = "sqlite:///<path> or postgresql+psycopg://<user>@<host>/<database>"


def checked_url(url: str) -> URL:
    """`url` parsed, or BadInput saying what is wrong with it (never quoting it: it may hold a password)."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise BadInput(f"storage.url is not a database URL; expected {EXPECTED}") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if (backend, driver) not in SUPPORTED:
        raise BadInput(f"storage.url: {backend}+{driver} is not supported; expected {EXPECTED}")
    if backend == "postgresql" and not parsed.database:
        raise BadInput("storage.url names no database; expected " + EXPECTED)
    return parsed


def _create_private_file(url: URL) -> None:
    """Create a new SQLite database file readable by its owner only (its -wal and -shm files follow its mode);
    BadInput when its folder does not exist."""
    if not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    if not path.parent.is_dir():
        raise BadInput(f"storage.url: the folder {path.parent} does not exist (create it, or fix the path)")
    if not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass  # another process created it first
        except OSError as error:
            raise BadInput(f"storage.url: cannot create {path}: {error.strerror}") from None


def describe_connection_failure(error: exc.DBAPIError, url: str) -> str:
    """One line on why the database at `url` cannot be reached (its password never included)."""
    parsed = make_url(url)
    where = parsed.database if parsed.get_backend_name() == "sqlite" else f"{parsed.host}:{parsed.port or 5432}"
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else type(error).__name__
    if parsed.password:
        reason = reason.replace(str(parsed.password), "***")
    return f"storage: cannot open the database ({where}, {parsed.database}): {reason[:300]}"


def _tune_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry, synchronous: str = "FULL") -> None:
    # Let SQLAlchemy's "begin" event open transactions, so that we choose BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        f"synchronous={synchronous}",
        "foreign_keys=ON",
        # Deleted and overwritten content is zeroed in the file, so an erased customer's data does not linger
        # in free pages (privacy requests; docs/going-live.md).
        "secure_delete=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
    with engine.begin() as connection:
        yield connection


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that does not take SQLite's write lock."""
    with engine.connect() as connection, connection.execution_options(sqlite_begin="DEFERRED").begin():
        yield connection


def translate_driver_errors(function: Callable[P, T]) -> Callable[P, T]:
    """Turn a lost connection or a locked database into TransientError: the caller retries later."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return function(*args, **kwargs)
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise TransientError(f"database unavailable: {type(error.orig).__name__}") from error
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                raise TransientError("database connection lost") from error
            raise

    return wrapper
