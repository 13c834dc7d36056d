"""Tryton on PostgreSQL, as a production Tryton runs: a template database built once per server, copied per use
(`CREATE DATABASE … TEMPLATE …`), served by several trytond processes behind gunicorn, with Tryton's queue worker.

- `build_template(server)`: activates the modules with `trytond-admin` and sets up the demo business
  (`demo_business`) in a PostgreSQL database named after the recipe (`template_key`), once per server.
- `create_database(server, template, name)`: a copy of the template (a second or two).
- `PostgresTryton(work_dir, server, database, port)`: gunicorn running `trytond.application:app` with
  `workers` processes on 127.0.0.1:`port`, plus `trytond-worker` (Tryton's queue: a confirmed sale's processing
  runs there, not in the request) and, when asked, `trytond-cron`. A context manager; `drop()` removes the database.

`server` is a libpq URL of the PostgreSQL server, without a database: `postgresql://postgres@127.0.0.1:5432/`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx
import psycopg
from psycopg import sql

from trueup.config import write_secret_file
from trueup.local_stack.embedded_tryton import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    MODULES,
    TEMPLATE_NAME,
    EmbeddedTrytonError,
    template_key,
    write_trytond_conf,
)
from trueup.local_stack.processes import ManagedProcess

__all__ = [
    "DEFAULT_SERVER",
    "PostgresTryton",
    "build_template",
    "create_database",
    "database_exists",
    "drop_database",
    "ensure_database",
]

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
_LOCK_ID = 0x7472_7974  # pg_advisory_lock key: one template build at a time per server


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _server_url(server: str) -> str:
    """`server` with a trailing slash (trytond appends the database name)."""
    return server if server.endswith("/") else server + "/"


def _admin_connection(server: str) -> psycopg.Connection[tuple[object, ...]]:
    """A connection to the server's `postgres` database, in autocommit (CREATE/DROP DATABASE need it)."""
    return psycopg.connect(_server_url(server) + "postgres", autocommit=True, connect_timeout=5)


def database_exists(server: str, name: str) -> bool:
    with _admin_connection(server) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None


def drop_database(server: str, name: str) -> None:
    """Drop database `name` if it exists, closing its connections."""
    with _admin_connection(server) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def write_config(
    work_dir: Path, server: str, port: int | None = None, settings: Mapping[str, Mapping[str, str]] | None = None
) -> Path:
    """A trytond.conf for databases on `server`, Tryton's queue run by `trytond-worker` (`[queue] worker`),
    plus `settings` ({section: {option: value}})."""
    sections = {"database": {"uri": _server_url(server)}, "queue": {"worker": "True"}}
    return write_trytond_conf(work_dir, sections, port, settings)


def template_name() -> str:
    """The template database of this recipe (modules, set-up code, trytond's version, the year)."""
    return f"{TEMPLATE_NAME}_{template_key()}"


def build_template(server: str = DEFAULT_SERVER) -> str:
    """The name of the template database on `server`, built on first use (one build at a time per server)."""
    name = template_name()
    if database_exists(server, name):
        return name
    with _admin_connection(server) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))  # another process may be building it right now
        try:
            if not database_exists(server, name):
                _build_into(server, name)
        finally:
            lock.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    return name


def _build_into(server: str, name: str) -> None:
    building = f"{name}_building"
    drop_database(server, building)  # a build that died half-way
    with _admin_connection(server) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(building)))
        # The build commits often and a crash restarts it: no need to wait for each commit's flush to disk.
        # (A database's settings are not copied with it: copies of the template commit as the server does.)
        connection.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(building)))
    try:
        with tempfile.TemporaryDirectory(prefix="tryton-build-") as tmp:
            work = Path(tmp)
            config = write_config(work, server, settings={"queue": {"worker": "False"}})
            password_file = work / "admin-password"
            write_secret_file(password_file, ADMIN_PASSWORD)
            env = {**os.environ, "TRYTONPASSFILE": str(password_file)}
            log = work / "build.log"
            admin = [_bin("trytond-admin"), "-c", str(config), "-d", building, "-u", *MODULES]
            _run([*admin, "--activate-dependencies", "--email", ADMIN_EMAIL], env, log)
            _run([sys.executable, "-m", "trueup.local_stack.demo_business", str(config), building], env, log)
        with _admin_connection(server) as connection:
            connection.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(name))
            )
    except BaseException:
        drop_database(server, building)
        raise


def _run(command: list[str], env: dict[str, str], log: Path) -> None:
    with open(log, "a") as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        tail = log.read_text()[-2000:]
        raise EmbeddedTrytonError(f"{Path(command[0]).name} failed ({done.returncode}):\n{tail}")


def create_database(server: str, template: str, name: str) -> str:
    """A new database `name` on `server`, copied from `template`. Replaces one of that name, if any."""
    if name == template:
        raise ValueError("a database cannot replace its own template")
    drop_database(server, name)
    with _admin_connection(server) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        )
    return name


def ensure_database(server: str, name: str) -> str:
    """Database `name` on `server`, copied from the template unless it exists (it then keeps its data)."""
    if database_exists(server, name):
        return name
    return create_database(server, build_template(server), name)


class PostgresTryton:
    """Tryton for database `database` on `server`: gunicorn with `workers` trytond processes on
    127.0.0.1:`port`, `trytond-worker` for Tryton's queue and, if `cron`, `trytond-cron`; logs under `work_dir`.

    The same shape as `TrytonServer` (`url`, `start`, `stop`, `running`), so the local stack runs either.
    """

    def __init__(
        self,
        work_dir: Path,
        server: str,
        database: str,
        port: int,
        *,
        workers: int = 2,
        queue_workers: int = 1,
        cron: bool = False,
        start_timeout: float = 90.0,
    ) -> None:
        self.work_dir = work_dir
        self.server = server
        self.database = database
        self.port = port
        self.workers = workers
        self.queue_workers = queue_workers
        self.cron = cron
        self.start_timeout = start_timeout
        self.processes: list[ManagedProcess] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PostgresTryton:
        """Start gunicorn, the queue worker (and cron); return once JSON-RPC answers."""
        config = write_config(self.work_dir, self.server)
        env = {"TRYTOND_CONFIG": str(config), "TRYTOND_DATABASE_NAMES": self.database}
        logs = self.work_dir
        gunicorn = [
            _bin("gunicorn"),
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
            "--graceful-timeout",
            "10",
            "--no-control-socket",  # its default path is one per user: two instances would share it
            "trytond.application:app",
        ]
        worker = [_bin("trytond-worker"), "-c", str(config), "-d", self.database, "-n", str(self.queue_workers)]
        commands = [("gunicorn (trytond)", gunicorn, "trytond.log"), ("trytond-worker", worker, "trytond-worker.log")]
        if self.cron:
            cron = [_bin("trytond-cron"), "-c", str(config), "-d", self.database]
            commands.append(("trytond-cron", cron, "trytond-cron.log"))
        try:
            for name, argv, log in commands:
                self.processes.append(ManagedProcess(name, argv, logs / log, env=env).start())
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        body = {"id": 0, "method": "common.server.version", "params": []}
        while time.monotonic() < deadline:
            for process in self.processes:
                if not process.alive():
                    raise EmbeddedTrytonError(f"{process.name} exited; see {process.log_path}")
            try:
                if httpx.post(f"{self.url}/rpc/", json=body, timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise EmbeddedTrytonError(f"Tryton did not answer on {self.url} in {self.start_timeout} s; see {self.work_dir}")

    def stop(self) -> None:
        """SIGTERM to each process (gunicorn stops its workers gracefully), SIGKILL if one lingers."""
        processes, self.processes = self.processes, []
        for process in processes:
            process.stop()

    def drop(self) -> None:
        """Stop, then drop the database."""
        self.stop()
        drop_database(self.server, self.database)

    @property
    def running(self) -> bool:
        return bool(self.processes) and all(process.alive() for process in self.processes)

    def __enter__(self) -> PostgresTryton:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
