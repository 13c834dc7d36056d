"""Everything trueup runs with, on 127.0.0.1, under one folder: the Shopify sandbox, an embedded Tryton, the
HTTP service and workers as real processes. `trueup demo` and the end-to-end tests both stand on it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shopify_sandbox.config import SECRET_ENV, TOKEN_ENV
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.storage.migrate import upgrade
from trueup.adapters.storage.sql_store import SqlStore
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.config import SecretRef, write_secret_file
from trueup.domain.errors import TransientError
from trueup.domain.ledger import OrderState
from trueup.domain.money import Money
from trueup.domain.shop_setup import WEBHOOK_TOPICS, webhook_address
from trueup.domain.taxes import TaxLine, tax_key
from trueup.local_stack.demo_taxes import ensure_taxes
from trueup.local_stack.embedded_tryton import ADMIN_LOGIN, ADMIN_PASSWORD, TrytonServer, ensure_database
from trueup.local_stack.postgres_tryton import DEFAULT_SERVER, PostgresTryton, build_template, create_database
from trueup.local_stack.processes import ManagedProcess, free_port, trueup_command
from trueup.local_stack.tryton_catalogue import ensure_products, receive_stock

SETTLED_STATES = frozenset(
    {OrderState.POSTED, OrderState.EXCEPTION, OrderState.WAITING_FOR_PAYMENT, OrderState.CANCELLED_UNPOSTED}
    | {OrderState.CANCELLED}
)
PLACEHOLDER_DOMAIN = "sandbox.myshopify.com"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class StackOptions:
    dir: Path
    seed: int = 1
    plan: str = "advanced"
    storage_url: str | None = None  # default: SQLite under dir
    workers: int = 1
    worker_threads: int = 1  # [worker] threads: jobs side by side in each worker, new sales posted together
    poll_interval_seconds: float = 10.0
    lease_seconds: float = 10.0
    tryton_cache: Path | None = None  # default: dir/cache
    worker_env: dict[str, str] = field(default_factory=dict)
    hold_minutes: int = 0  # [post_purchase]: the hold window of new orders (0: none)
    replay_interval_seconds: float = 5.0  # [worker]: how often parked orders whose cause is fixed replay
    console: bool = False  # also run `trueup console` (console_url)
    cut_off: str = "picked"  # [post_purchase]: picked, packed or shipped
    # [inventory] (off unless `inventory`): stock from Tryton to the sandbox's locations.
    inventory: bool = False
    inventory_buffer: int | str = 0  # units, or a percentage ("10%")
    locations: dict[str, str] = field(default_factory=dict)  # sandbox location name -> ERP warehouse (WH1, WH2)
    stock_sync_interval_seconds: float = 2.0
    stock_reconcile_interval_seconds: float = 3600.0
    bundles: dict[str, dict[str, int]] = field(default_factory=dict)  # [bundles]: SKU -> {component SKU: units}
    stock: dict[str, dict[str, int]] = field(default_factory=dict)  # received in Tryton first: warehouse -> units
    # A second sandbox shop (same catalogue and locations, its own domain, token and secret) feeding the same
    # Tryton, its locations mapped as the first's; `sharing` is WH1's ([inventory.warehouses.WH1]).
    second_shop: bool = False
    sharing: str = "split"
    # The sandbox on a manual clock from this instant (`trade_month` moves it); its webhooks and orders are then
    # dated in the sandbox's past, so trueup's delivery-age check is off and its first polls look back far.
    clock_start: datetime | None = None
    payments: bool = False  # [payments] enabled: payouts booked in Tryton
    payout_poll_interval_seconds: float = 3.0
    # The ERP: "sqlite" (one trytond over a file, the default) or "postgresql" (a database on `erp_server` copied
    # from a template, served by gunicorn with `erp_workers` trytond processes, plus Tryton's queue worker).
    erp: str = "sqlite"
    erp_server: str = DEFAULT_SERVER
    erp_database: str | None = None  # PostgreSQL's database (default: trueup_<a hash of dir>); replaced on start
    erp_workers: int = 2
    # The SQLite Tryton's own trytond.conf settings ({section: {option: value}}), e.g. {"queue": {"worker": "1"}}
    # to leave a confirmed sale's processing queued for a worker, as a production Tryton does.
    erp_settings: dict[str, dict[str, str]] = field(default_factory=dict)
    # Where trueup reaches the ERP (default: Tryton's own address), e.g. a proxy in front of it.
    back_office_url: str | None = None
    # erp = "external": a Tryton already running (a brand's staging copy of its ERP, never its production: the
    # stack creates products, taxes, customers, sales and invoices in it). Nothing is started for the ERP; trueup
    # and the stack's checks reach it at `erp_url`, database `erp_database`, as `erp_user` with `erp_password`.
    erp_url: str | None = None
    erp_user: str = ADMIN_LOGIN
    erp_password: SecretRef | None = None
    erp_warehouse: str = "WH1"  # the ERP warehouse (code) the shop's orders ship from
    # The sandbox shop's myshopify domain (default: the sandbox's own). The sales the stack posts carry it in
    # their reference ("shopify:<domain>:<order id>"), so a domain of its own per run keeps one rehearsal's sales
    # apart from an earlier one's in an ERP that outlives the stack (an external one).
    shop_domain: str | None = None
    fulfil_interval_seconds: float = 30.0  # [worker]: how often despatched shipments are read for Shopify


def external_erp_problems(options: StackOptions) -> list[str]:
    """What an external ERP's options lack (nothing when `erp` is not "external")."""
    if options.erp != "external":
        return []
    wanted = {
        "its JSON-RPC address (erp_url)": options.erp_url,
        "its database (erp_database)": options.erp_database,
        "its password (erp_password, from a variable or a file)": options.erp_password,
    }
    problems = [what for what, given in wanted.items() if not given]
    if options.erp_url and not options.erp_url.startswith(("http://", "https://")):
        problems.append(f"an http(s) address, not {options.erp_url!r}")
    return problems


def _sandbox_taxes() -> list[tuple[str, Decimal]]:
    """The tax lines the sandbox's generated trading charges (the demo's own set-up, not trueup's logic)."""
    from shopify_sandbox.trading.places import PLACES

    rates = {(t.title, t.rate) for place in PLACES for t in place.taxes}
    return sorted((tax_key(TaxLine(title, rate, Money.zero("USD"))), rate) for title, rate in rates)


class LocalStack:
    """Start with `start()`, stop with `stop()` (or use it as a context manager)."""

    def __init__(self, options: StackOptions, say: Callable[[str], None] = lambda _: None) -> None:
        self.options = options
        self.say = say
        self.dir = options.dir.resolve()
        self.token = "shpat_" + secrets.token_hex(16)
        self.api_secret = secrets.token_hex(24)
        self.sandbox_port = free_port()
        self.tryton_port = free_port()
        self.service_port = free_port()
        self.console_port = free_port()
        self.tryton: TrytonServer | PostgresTryton | None = None
        self.sandbox: ManagedProcess | None = None
        self.service: ManagedProcess | None = None
        self.console: ManagedProcess | None = None
        self.workers: list[ManagedProcess] = []
        self.shop_domain = PLACEHOLDER_DOMAIN
        self._shopify: ShopifyAdminClient | None = None
        self.second: LocalStack | None = None  # the second shop's view (`second_shop`): its sandbox, same stack

    # --- addresses ------------------------------------------------------------------------------
    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.service_port}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    @property
    def erp_database(self) -> str:
        """The ERP's database name: "trueup" in its own SQLite folder; on a shared PostgreSQL server, one per stack;
        an external ERP's as given."""
        if self.options.erp == "external":
            assert self.options.erp_database is not None, "checked by external_erp_problems"
            return self.options.erp_database
        if self.options.erp != "postgresql":
            return "trueup"
        return self.options.erp_database or "trueup_" + hashlib.sha256(str(self.dir).encode()).hexdigest()[:12]

    @property
    def erp_url(self) -> str:
        """The ERP's JSON-RPC address: the Tryton the stack started, or the external one."""
        if self.options.erp == "external":
            assert self.options.erp_url is not None, "checked by external_erp_problems"
            return self.options.erp_url
        assert self.tryton is not None, "the stack is started"
        return self.tryton.url

    @property
    def config_path(self) -> Path:
        return self.dir / "trueup.toml"

    @property
    def storage_url(self) -> str:
        return self.options.storage_url or f"sqlite:///{self.dir / 'state' / 'trueup.db'}"

    # --- life -----------------------------------------------------------------------------------
    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalStack:
        try:
            return self._start()
        except BaseException:
            self.stop()  # nothing half-started is left behind
            raise

    def _start(self) -> LocalStack:
        for sub in ("logs", "secrets", "state", "tryton"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        if self.options.storage_url is None:
            # Tryton and the sandbox start afresh: a ledger left by an earlier run would name sales that are gone.
            for old in (self.dir / "state").glob("trueup.db*"):
                old.unlink()
        self._start_tryton()
        self._start_sandbox()
        self._prepare_erp()
        self._write_config()
        upgrade(self.storage_url)
        self.say("Starting trueup's service and worker(s)")
        self.service = ManagedProcess("trueup serve", self._trueup("serve"), self.dir / "logs" / "service.log")
        self.service.start().wait_for_port(self.service_port)
        for _ in range(self.options.workers):
            self.add_worker()
        if self.options.console:
            self.console = ManagedProcess("trueup console", self._trueup("console"), self.dir / "logs" / "console.log")
            self.console.start().wait_for_port(self.console_port)
        self.shopify().ensure_webhooks(webhook_address(self.service_url), WEBHOOK_TOPICS)
        if self.second is not None:
            self.second.shopify().ensure_webhooks(webhook_address(self.service_url), WEBHOOK_TOPICS)
        return self

    def stop(self) -> None:
        for view in (self, self.second):
            if view is not None and view._shopify is not None:
                view._shopify.close()
                view._shopify = None
        second_sandbox = self.second.sandbox if self.second is not None else None
        for process in [self.console, *self.workers, self.service, self.sandbox, second_sandbox]:
            if process is not None:
                process.stop()
        if self.tryton is not None:
            self.tryton.stop()

    def stop_workers(self, timeout: float = 30.0) -> None:
        """Stop the workers as an operator would (SIGTERM): each finishes its job and stores what it has not yet
        stored of its API use (the current minute's), then exits."""
        for worker in self.workers:
            worker.stop(timeout)

    def add_worker(self) -> ManagedProcess:
        index = len(self.workers) + 1
        worker = ManagedProcess(
            f"trueup worker {index}",
            self._trueup("worker", "--name", f"worker-{index}"),
            self.dir / "logs" / f"worker-{index}.log",
            env=self.options.worker_env,
        )
        self.workers.append(worker.start())
        return worker

    def _trueup(self, *args: str) -> list[str]:
        return trueup_command(*args, "--config", str(self.config_path))

    def _start_tryton(self) -> None:
        if self.options.erp == "external":
            problems = external_erp_problems(self.options)
            if problems:
                raise ValueError("an external ERP needs " + "; ".join(problems))
            self.say(f"Using the ERP at {self.erp_url}, database {self.erp_database} (nothing started for it)")
            return
        if self.options.erp == "postgresql":
            self._start_postgres_tryton()
            return
        if self.options.erp != "sqlite":
            raise ValueError(f"unknown ERP {self.options.erp!r}: sqlite, postgresql or external")
        self.say("Preparing Tryton (the first build of its template takes about a minute)")
        cache = self.options.tryton_cache or self.dir / "cache"
        tryton_dir = self.dir / "tryton"
        for old in tryton_dir.glob("trueup.sqlite*"):
            old.unlink()
        ensure_database(cache, tryton_dir, "trueup")
        settings = self.options.erp_settings or None
        self.tryton = TrytonServer(tryton_dir, self.tryton_port, databases=("trueup",), settings=settings).start()

    def _start_postgres_tryton(self) -> None:
        self.say("Preparing Tryton on PostgreSQL (the first build of its template takes a few minutes)")
        server = self.options.erp_server
        create_database(server, build_template(server), self.erp_database)
        workers = self.options.erp_workers
        self.say(f"Starting Tryton: gunicorn with {workers} trytond process(es) and Tryton's queue worker")
        tryton = PostgresTryton(self.dir / "tryton", server, self.erp_database, self.tryton_port, workers=workers)
        self.tryton = tryton.start()

    def drop_erp(self) -> None:
        """Stop Tryton and drop its PostgreSQL database (a SQLite ERP's file stays under `dir`)."""
        if isinstance(self.tryton, PostgresTryton):
            self.tryton.drop()

    def _start_sandbox(self) -> None:
        self.say(f"Starting the Shopify sandbox (seed {self.options.seed}, plan {self.options.plan})")
        argv = trueup_command(
            "sandbox",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.sandbox_port),
            "--plan",
            self.options.plan,
            "--seed",
            str(self.options.seed),
            *(
                ("--clock", "manual", "--start", self.options.clock_start.isoformat())
                if self.options.clock_start
                else ()
            ),
            *(("--domain", self.options.shop_domain) if self.options.shop_domain else ()),
        )
        # The token and secret go by the environment: on a command line, any local user could read them.
        env = {TOKEN_ENV: self.token, SECRET_ENV: self.api_secret}
        self.sandbox = ManagedProcess("sandbox", argv, self.dir / "logs" / "sandbox.log", env=env).start()
        self.sandbox.wait_for_port(self.sandbox_port)
        self.shop_domain = self.shopify().shop_info().domain
        if self.options.second_shop:
            self._start_second_sandbox(argv)

    def _start_second_sandbox(self, argv: list[str]) -> None:
        """The second shop: the same sandbox command on its own port, token, secret and domain."""
        second = copy.copy(self)
        second.second, second._shopify, second.workers, second.console = None, None, [], None
        second.token, second.api_secret = "shpat_" + secrets.token_hex(16), secrets.token_hex(24)
        second.sandbox_port = free_port()
        second.shop_domain = f"second-{self.shop_domain}"
        second_argv = [str(second.sandbox_port) if i and argv[i - 1] == "--port" else a for i, a in enumerate(argv)]
        second_argv += ["--domain", second.shop_domain]
        env = {TOKEN_ENV: second.token, SECRET_ENV: second.api_secret}
        log = self.dir / "logs" / "sandbox-2.log"
        second.sandbox = ManagedProcess("sandbox 2", second_argv, log, env=env).start()
        second.sandbox.wait_for_port(second.sandbox_port)
        self.second = second

    def tryton_client(self) -> TrytonClient:
        return TrytonClient(self.erp_url, self.erp_database, self.options.erp_user, self._erp_password())

    def _erp_password(self) -> str:
        if self.options.erp != "external":
            return ADMIN_PASSWORD
        assert self.options.erp_password is not None, "checked by external_erp_problems"
        return self.options.erp_password.read("the ERP's password").get_secret_value()

    def shopify(self) -> ShopifyAdminClient:
        """The stack's one client of the sandbox (trueup's own Shopify client), closed on stop."""
        if self._shopify is None or self._shopify.shop != self.shop_domain:
            if self._shopify is not None:
                self._shopify.close()
            self._shopify = ShopifyAdminClient(self.shop_domain, self.token, base_url=self.sandbox_url)
        return self._shopify

    def _prepare_erp(self) -> None:
        self.say("Loading the shop's catalogue and taxes into Tryton")
        items = self.shopify().catalogue()
        with self.tryton_client() as client:
            ensure_products(client, items)
            self.taxes = ensure_taxes(client, _sandbox_taxes())
            for warehouse, quantities in self.options.stock.items():
                receive_stock(client, quantities, warehouse)

    def _write_config(self) -> None:
        write_secret_file(self.dir / "secrets" / "shopify-token", self.token)
        write_secret_file(self.dir / "secrets" / "api-secret", self.api_secret)
        taxes = "\n".join(f'"{key}" = "{code}"' for key, code in sorted(self.taxes.items()))
        self.config_path.write_text(
            f"""# Written by `trueup demo`: everything on 127.0.0.1, under {self.dir}
[storage]
url = "{self.storage_url}"

[server]
host = "127.0.0.1"
port = {self.service_port}
max_delivery_age_seconds = {0 if self.options.clock_start else 6 * 3600}

[worker]
lease_seconds = {self.options.lease_seconds}
threads = {self.options.worker_threads}
poll_interval_seconds = {self.options.poll_interval_seconds}
replay_interval_seconds = {self.options.replay_interval_seconds}
fulfil_interval_seconds = {self.options.fulfil_interval_seconds}
{self._past_clock_config()}
[console]
host = "127.0.0.1"
port = {self.console_port}

[back_office]
url = "{self.options.back_office_url or self.erp_url}"
database = "{self.erp_database}"
username = "{self.options.erp_user}"
password = {self._erp_password_config()}

[[shops]]
domain = "{self.shop_domain}"
api_url = "{self.sandbox_url}"
access_token = {{ file = "secrets/shopify-token" }}
api_secret = {{ file = "secrets/api-secret" }}
warehouse = "{self.options.erp_warehouse}"
{self._inventory_config()}
[post_purchase]
cut_off = "{self.options.cut_off}"
hold_minutes = {self.options.hold_minutes}

[payment_terms]
"Net 15" = "Net 15"
"Net 30" = "Net 30"
"Net 60" = "Net 60"

[taxes]
{taxes}
{self._payments_config()}{self._second_shop_config()}"""
        )

    def _erp_password_config(self) -> str:
        """`[back_office] password`: the embedded Tryton's admin password in a secret file of the stack's; an
        external ERP's where it was given (its variable, or its file), never copied."""
        secret = self.options.erp_password
        if self.options.erp != "external" or secret is None:
            write_secret_file(self.dir / "secrets" / "tryton-password", ADMIN_PASSWORD)
            return '{ file = "secrets/tryton-password" }'
        if secret.env is not None:
            return f"{{ env = {json.dumps(secret.env)} }}"
        assert secret.file is not None
        return f"{{ file = {json.dumps(str(secret.file.resolve()))} }}"

    def _past_clock_config(self) -> str:
        """[worker] keys (and a [server] table's) for a sandbox whose clock is in the past."""
        if self.options.clock_start is None:
            return ""
        return "first_lookback_seconds = 315360000\n"  # ten years: every order of the sandbox's month

    def _payments_config(self) -> str:
        if not self.options.payments:
            return ""
        return (
            "[payments]\nenabled = true\n"
            f"poll_interval_seconds = {self.options.payout_poll_interval_seconds}\nfirst_lookback_days = 3650\n"
        )

    def _second_shop_config(self) -> str:
        """The second shop's `[[shops]]` (its locations mapped as the first's) and WH1's sharing, or ""."""
        second = self.second
        if second is None:
            return ""
        write_secret_file(self.dir / "secrets" / "shopify-token-2", second.token)
        write_secret_file(self.dir / "secrets" / "api-secret-2", second.api_secret)
        ids = second.location_ids()
        mapped = "\n".join(f'"{ids[name]}" = "{wh}"' for name, wh in sorted(self.options.locations.items()))
        return f"""
[inventory.warehouses.WH1]
sharing = "{self.options.sharing}"

[[shops]]
domain = "{second.shop_domain}"
api_url = "{second.sandbox_url}"
access_token = {{ file = "secrets/shopify-token-2" }}
api_secret = {{ file = "secrets/api-secret-2" }}
warehouse = "WH1"
[shops.locations]
{mapped}
"""

    def location_ids(self) -> dict[str, str]:
        """The sandbox's locations: name -> gid."""
        return {location.name: location.location_id for location in self.shopify().locations()}

    def _inventory_config(self) -> str:
        """The shop's location mapping, `[inventory]` and `[bundles]` when inventory is on ("" otherwise)."""
        options = self.options
        if not options.inventory:
            return ""
        ids = self.location_ids()
        mapped = "\n".join(f'"{ids[name]}" = "{warehouse}"' for name, warehouse in sorted(options.locations.items()))
        buffer = json.dumps(options.inventory_buffer)  # 2, or "10%"
        bundles = "".join(
            f'\n[bundles."{sku}"]\ncomponents = ['
            + ", ".join(f'{{ sku = "{part}", quantity = {units} }}' for part, units in sorted(parts.items()))
            + "]\n"
            for sku, parts in sorted(options.bundles.items())
        )
        return f"""[shops.locations]
{mapped}

[inventory]
enabled = true
buffer = {buffer}
sync_interval_seconds = {options.stock_sync_interval_seconds}
reconcile_interval_seconds = {options.stock_reconcile_interval_seconds}
{bundles}"""

    def stock_ready(self) -> bool:
        """Whether the workers have taken their first cursor of the ERP's stock changes (the reconciliation at
        start is queued before it): from then on every change in Tryton reaches Shopify by itself."""
        from trueup.service_layer.inventory import CHANGES_CURSOR

        lead = min([self.shop_domain] + ([self.second.shop_domain] if self.second else []))  # runs the shops' stock
        store = self.store()
        try:
            return store.cursor(lead, CHANGES_CURSOR) is not None
        finally:
            store.close()

    # --- trading and settling --------------------------------------------------------------------
    def trade(
        self,
        orders: int,
        seed: int,
        follow_ups: bool = False,
        timeout: float = 600.0,
        profile: str = "ordinary",
        skus: Sequence[str] = (),
        speed: float = 0.0,
    ) -> dict[str, Any]:
        """Place `orders` orders through the sandbox's own API (with edits, cancels and refunds when
        `follow_ups`; buying only `skus` when given); returns the trade command's JSON summary."""
        argv = trueup_command(
            "sandbox",
            "trade",
            "--url",
            self.sandbox_url,
            "--orders",
            str(orders),
            "--seed",
            str(seed),
            "--shop-seed",
            str(self.options.seed),
            "--follow-ups" if follow_ups else "--no-follow-ups",
            "--json",
            "--profile",
            profile,
            "--speed",
            str(speed),
            *(("--skus", ",".join(skus)) if skus else ()),
        )
        return self._run_trade(argv, timeout)

    def _run_trade(self, argv: list[str], timeout: float) -> dict[str, Any]:
        env = {**os.environ, TOKEN_ENV: self.token}  # the token by the environment, never on a command line
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, env=env)
        log = self.dir / "logs" / f"trade-{self.sandbox_port}.log"
        log.write_text(result.stderr)
        if result.returncode != 0:
            raise RuntimeError(f"trading failed ({result.returncode}); see {log}")
        summary: dict[str, Any] = json.loads(result.stdout)
        return summary

    def verify(self, timeout: float = 600.0) -> dict[str, Any]:
        """`trueup verify --json` on the stack's configuration (every shop; the mechanical fixes applied): each
        shop's report (orders, documents, equal, fixed, findings, periods). Exit 1 (a finding open) is an answer,
        not a failure."""
        argv = self._trueup("verify", "--json")
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        log = self.dir / "logs" / "verify.log"
        log.write_text(result.stderr)
        if result.returncode not in (0, 1):
            raise RuntimeError(f"trueup verify failed ({result.returncode}); see {log}")
        reports: dict[str, Any] = json.loads(result.stdout)
        return reports

    def trade_month(self, days: int, orders: int, seed: int, timeout: float = 1200.0) -> dict[str, Any]:
        """Play `days` days on the sandbox's manual clock (`trade --days`: payout runs, captures, gift cards,
        PayPal, terms paid later, chargebacks, a reserve, a failed payout, CAD); the trade command's summary."""
        argv = trueup_command(
            "sandbox",
            "trade",
            "--url",
            self.sandbox_url,
            "--days",
            str(days),
            "--orders",
            str(orders),
            "--seed",
            str(seed),
            "--shop-seed",
            str(self.options.seed),
            "--json",
        )
        return self._run_trade(argv, timeout)

    @contextmanager
    def clock_moving(self, pace: float = 4.0) -> Iterator[None]:
        """While inside, the sandbox's manual clock moves `pace` seconds per real second (after `trade_month`
        its clock stands still, and with it Shopify's rate-limit bucket, which refills as that clock moves)."""
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(0.25):
                httpx.post(f"{self.sandbox_url}/sandbox/clock/advance", json={"seconds": pace / 4}, timeout=10)

        ticker = threading.Thread(target=tick, name="sandbox-clock", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join(timeout=15)

    def sandbox_payouts(self) -> list[dict[str, Any]]:
        """The sandbox's payouts with their summary and transactions (its control endpoint)."""
        response = httpx.get(f"{self.sandbox_url}/sandbox/payments/payouts", timeout=30)
        response.raise_for_status()
        payouts: list[dict[str, Any]] = response.json()["payouts"]
        return payouts

    def set_faults(self, **knobs: float) -> None:
        """Switch the sandbox's fault knobs (webhook_drop_rate, webhook_duplicate_rate, api_5xx_rate, ...)."""
        response = httpx.post(f"{self.sandbox_url}/sandbox/faults", json=knobs, timeout=10)
        response.raise_for_status()

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """One Admin API call to the sandbox, as any Shopify client would make it."""
        response = httpx.post(
            f"{self.sandbox_url}/admin/api/2026-10/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise RuntimeError(f"sandbox refused the call: {body['errors']}")
        return body

    def _posted(self, only_this_shop: bool, rest: str = "%") -> str:
        """A `like` pattern of the references trueup posts ("shopify:<shop>:<rest>"): every shop's, or this shop's."""
        return f"shopify:{self.shop_domain if only_this_shop else '%'}:{rest}"

    def erp_sales(self, only_this_shop: bool = False) -> list[dict[str, Any]]:
        """Every sale trueup posted to the ERP (reference, state, totals), read from Tryton itself (this shop's
        only when `only_this_shop`: an ERP that outlives the stack holds other shops' and earlier runs' too)."""
        with self.tryton_client() as client:
            rows: list[dict[str, Any]] = client.call(
                "sale.sale",
                "search_read",
                [("reference", "like", self._posted(only_this_shop))],
                0,
                None,
                None,
                ["reference", "state", "untaxed_amount", "tax_amount", "total_amount"],
            )
        return rows

    def erp_booked_totals(self, only_this_shop: bool = False) -> dict[str, Decimal]:
        """What the ERP books of each sale trueup posted, by reference: the total of its invoices not cancelled
        (they carry Shopify's tax to the cent), or the sale's own total while it has none (the sale keeps
        Tryton's own tax computation, which may differ by a rounding cent)."""
        with self.tryton_client() as client:
            rows = client.call(
                "sale.sale",
                "search_read",
                [("reference", "like", self._posted(only_this_shop))],
                0,
                None,
                None,
                ["reference", "invoices", "total_amount"],
            )
            invoice_ids = [i for row in rows for i in row["invoices"]]
            invoices = (
                client.call("account.invoice", "read", invoice_ids, ["state", "total_amount"]) if invoice_ids else []
            )
        live = {i["id"]: Decimal(str(i["total_amount"])) for i in invoices if i["state"] != "cancelled"}
        totals: dict[str, Decimal] = {}
        for row in rows:
            amounts = [live[i] for i in row["invoices"] if i in live]
            totals[row["reference"]] = sum(amounts, Decimal(0)) if amounts else Decimal(str(row["total_amount"]))
        return totals

    def erp_credit_notes(self, only_this_shop: bool = False) -> list[dict[str, Any]]:
        """Every credit note trueup posted for a Shopify refund (reference, number, state, total: negative, as
        Tryton keeps a credit note), read from Tryton itself."""
        with self.tryton_client() as client:
            rows: list[dict[str, Any]] = client.call(
                "account.invoice",
                "search_read",
                [("reference", "like", self._posted(only_this_shop, "refund:%")), ("type", "=", "out")],
                0,
                None,
                [("id", "ASC")],
                ["reference", "number", "state", "total_amount"],
            )
        return rows

    def store(self) -> SqlStore:
        return SqlStore(self.storage_url)

    def unsettled(self) -> list[str]:
        """Names of the shop's orders the ledger has not settled at their latest version."""
        store = self.store()
        try:
            pending = []
            for stamp in self.shopify().order_ids_updated_since(EPOCH):
                entry = store.ledger_entry(self.shop_domain, stamp.order_id)
                if (
                    entry is None
                    or entry.state not in SETTLED_STATES
                    or entry.shopify_updated_at is None
                    or entry.shopify_updated_at < stamp.updated_at
                ):
                    pending.append(stamp.order_id)
            return pending
        finally:
            store.close()

    def wait_settled(self, timeout: float, on_progress: Callable[[int], None] = lambda _: None) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                pending = self.unsettled() + (self.second.unsettled() if self.second is not None else [])
            except TransientError as error:  # the shop's budget is shared with the workers: wait our turn
                time.sleep(min(error.retry_after or 1.0, 5.0))
                continue
            on_progress(len(pending))
            if not pending:
                return True
            time.sleep(1.0)
        return False
