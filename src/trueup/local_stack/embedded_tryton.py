"""trueup's own Tryton: a template database built once per machine, copied per use, served by `trytond`.

- `build_template(cache_dir)`: activates the modules with `trytond-admin` and sets up the demo business
  (`demo_business`), once, in a cache directory keyed by the module list and the set-up code version.
- `create_database(template, data_dir, name)`: copies the template (milliseconds).
- `TrytonServer(data_dir, port)`: runs the `trytond` of this Python environment on 127.0.0.1 over it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

from trueup.config import PaymentsConfig, write_secret_file
from trueup.local_stack import demo_accounts, demo_business, demo_taxes
from trueup.local_stack.tryton_catalogue import ensure_products, receive_stock
from trueup.local_stack.tryton_queue import pending_tasks

__all__ = [
    "TrytonServer",
    "build_template",
    "create_database",
    "ensure_database",
    "ensure_products",
    "receive_stock",
]

MODULES = (
    "sale",
    "stock",
    "account",
    "account_invoice",
    "account_invoice_stock",
    "product_kit",
    "sale_price_list",
    "company",
    "party",
    "currency",
    "country",
    "account_product",
    "sale_amendment",
    "sale_history",
    "carrier",  # with stock_shipment_cost: a carrier on customer shipments, read for fulfilment tracking
    "stock_shipment_cost",
)
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"  # noqa: S105 - the embedded Tryton listens on 127.0.0.1 only
ADMIN_EMAIL = "admin@trueup.invalid"
TEMPLATE_NAME = "trueup_template"
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class EmbeddedTrytonError(RuntimeError):
    """The embedded Tryton could not be built or started; the message says where its log is."""


def _bin(name: str) -> str:
    """A script of the Python environment trueup runs in (the .venv's trytond, not one on PATH)."""
    return str(Path(sys.executable).parent / name)


def template_key() -> str:
    """What the template depends on: the modules, the set-up code (its version and its source, so that an
    edit is never served a stale template), trytond's version and the year (the demo business has fiscal
    years for this year and the next)."""
    import trytond

    year = str(dt.date.today().year)
    modules = (demo_business, demo_accounts, demo_taxes)
    source = "".join(Path(module.__file__ or "").read_text() for module in modules)
    accounts = PaymentsConfig().model_dump_json()  # the chart's payment accounts are the defaults' codes
    recipe = "|".join(
        [*MODULES, demo_business.SETUP_VERSION, source, accounts, trytond.__version__, ADMIN_PASSWORD, year]
    )
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def write_config(
    data_dir: Path, port: int | None = None, settings: Mapping[str, Mapping[str, str]] | None = None
) -> Path:
    """A trytond.conf for SQLite databases in `data_dir` (and a listener on 127.0.0.1:`port`), plus
    `settings` ({section: {option: value}}, e.g. {"database": {"retry": "0"}})."""
    # Absolute: trytond opens its SQLite files through a URI, which a relative path does not survive.
    database = {"database": {"uri": "sqlite://", "path": str(data_dir.resolve())}}
    return write_trytond_conf(data_dir, database, port, settings)


def write_trytond_conf(
    folder: Path,
    sections: Mapping[str, Mapping[str, str]],
    port: int | None = None,
    settings: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """`folder`/trytond.conf: `sections`, e-mail kept on the machine, a listener on 127.0.0.1:`port` if given,
    then `settings` over them ({section: {option: value}})."""
    merged: dict[str, dict[str, str]] = {name: dict(options) for name, options in sections.items()}
    merged["email"] = {"uri": "smtp://127.0.0.1:1"}  # e-mails (password resets, …) never leave the machine
    if port is not None:
        merged["web"] = {"listen": f"127.0.0.1:{port}"}
    for section, options in (settings or {}).items():
        merged.setdefault(section, {}).update(options)
    lines = [f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in options.items()) for name, options in merged.items()]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "trytond.conf"
    path.write_text("\n".join(lines))
    return path


def build_template(cache_dir: Path) -> Path:
    """The template database file, built on first use and cached under `cache_dir` (safe across processes)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"template-{template_key()}" / f"{TEMPLATE_NAME}.sqlite"
    if target.exists():
        return target
    with open(cache_dir / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it right now
        if not target.exists():
            _build_into(target)
            for stale in cache_dir.glob("template-*"):  # older recipes are never used again
                if stale != target.parent:
                    shutil.rmtree(stale, ignore_errors=True)
    return target


def _build_into(target: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="build-", dir=target.parent.parent))
    try:
        config = write_config(work)
        (work / f"{TEMPLATE_NAME}.sqlite").touch()  # trytond-admin only opens an existing SQLite file
        password_file = work / "admin-password"
        write_secret_file(password_file, ADMIN_PASSWORD)
        env = {**os.environ, "TRYTONPASSFILE": str(password_file)}
        log = work / "build.log"
        admin = [_bin("trytond-admin"), "-c", str(config), "-d", TEMPLATE_NAME, "-u", *MODULES]
        _run([*admin, "--activate-dependencies", "--email", ADMIN_EMAIL], env, log)
        _run([sys.executable, "-m", "trueup.local_stack.demo_business", str(config), TEMPLATE_NAME], env, log)
        password_file.unlink()
        _checkpoint(work / f"{TEMPLATE_NAME}.sqlite")
        work.rename(target.parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(command: list[str], env: dict[str, str], log: Path) -> None:
    with open(log, "a") as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        tail = log.read_text()[-2000:]
        raise EmbeddedTrytonError(f"{Path(command[0]).name} failed ({done.returncode}):\n{tail}")


def _checkpoint(database: Path) -> None:
    """Fold the WAL into the main file so that the file alone is the whole database."""
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()
    for suffix in _SQLITE_SIDE_FILES:
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def create_database(template: Path, data_dir: Path, name: str) -> Path:
    """A new database `name` in `data_dir`, copied from `template`. Replaces one of that name, if any."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / f"{name}.sqlite"
    for suffix in _SQLITE_SIDE_FILES:  # a stale WAL next to a fresh copy would corrupt it
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    partial = target.with_suffix(".partial")
    shutil.copyfile(template, partial)
    partial.replace(target)
    return target


def ensure_database(cache_dir: Path, data_dir: Path, name: str) -> Path:
    """Database `name` in `data_dir`, copied from the (cached) template unless it exists: a demo that is
    started again keeps its data."""
    target = data_dir / f"{name}.sqlite"
    if target.exists() and target.stat().st_size > 0:
        return target
    return create_database(build_template(cache_dir), data_dir, name)


class TrytonServer:
    """`trytond` serving the SQLite databases of `data_dir` on 127.0.0.1:`port`; a context manager.

    Its log goes to `data_dir/trytond.log`. One server per data directory: SQLite allows one writer process.
    `databases` are loaded on start (default: every database of `data_dir`), so the first call is not slow.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        databases: tuple[str, ...] | None = None,
        settings: Mapping[str, Mapping[str, str]] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.port = port
        self.databases = databases if databases is not None else tuple(p.stem for p in data_dir.glob("*.sqlite"))
        self.start_timeout = start_timeout
        self.log_path = data_dir / "trytond.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TrytonServer:
        """Start trytond and return once it answers JSON-RPC (its databases are loaded on start)."""
        config = write_config(self.data_dir, self.port, self.settings)
        self._run_pending_tasks(config)
        command = [_bin("trytond"), "-c", str(config)]
        if self.databases:
            command += ["-d", *self.databases]
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_until_ready()
        return self

    def _run_pending_tasks(self, config: Path) -> None:
        """Tasks a stopped server left in Tryton's queue (a sale confirmed but never processed) run before it
        serves again (tryton_queue.py), unless a queue worker is configured to run them."""
        if (self.settings or {}).get("queue", {}).get("worker", "").lower() in ("true", "1"):
            return
        pending = [name for name in self.databases if pending_tasks(self.data_dir / f"{name}.sqlite")]
        if pending:
            command = [sys.executable, "-m", "trueup.local_stack.tryton_queue", str(config), *pending]
            _run(command, dict(os.environ), self.log_path)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        body = {"id": 0, "method": "common.server.version", "params": []}
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmbeddedTrytonError(f"trytond exited ({self._process.returncode}); see {self.log_path}")
            try:
                if httpx.post(f"{self.url}/rpc/", json=body, timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise EmbeddedTrytonError(
            f"trytond did not answer on {self.url} in {self.start_timeout} s; see {self.log_path}"
        )

    def stop(self) -> None:
        """Stop trytond: SIGTERM, then SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing committed after this, nothing run of what was queued."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> TrytonServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
