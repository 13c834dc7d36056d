"""trueup's renewed tokens against the sandbox's token endpoint over HTTP: client credentials renewed before
expiry and after a 401 (orders synced across the lapses all posted, once), expiring offline tokens renewed with
their rotating refresh token, and workers (threads, processes) sharing a store renewing once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopify_sandbox.oauth import SandboxApp
from tests.fakes.back_office import FakeBackOffice
from tests.fakes.store import InMemoryStore
from tests.support.sandbox import RunningSandbox, running_sandbox
from tests.support.token_worker import token_in_another_process
from trueup.adapters.shopify.access_tokens import RenewedToken, client_credentials_form, refresh_form
from trueup.adapters.shopify.admin import ShopifyAdminClient
from trueup.adapters.shopify.oauth import AppCredentials, request_token
from trueup.adapters.storage import upgrade
from trueup.adapters.storage.tokens_sql import SqlTokenVault
from trueup.domain.errors import BadInput
from trueup.domain.ledger import OrderState
from trueup.domain.posting import PostingPolicy
from trueup.service_layer.order_context import OrderContext
from trueup.service_layer.sync_order import sync_order

KEY = "a-random-key-for-the-tests-0123456789"
OWN = SandboxApp("own-app", "own-secret", frozenset({"read_orders", "read_locations", "read_products"}))
AGENCY = SandboxApp("agency-app", "agency-secret", frozenset({"read_orders", "read_locations"}), own_organisation=False)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(apps=(OWN, AGENCY)) as running:
        yield running


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'trueup.db'}"
        upgrade(url)
        return url
    return str(request.getfixturevalue("postgres_url"))


class LaggingClock:
    """trueup's idea of now: the sandbox's, or frozen (to see a token expire on Shopify's side first)."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox
        self.frozen: datetime | None = None

    def __call__(self) -> datetime:
        return self.frozen or self.sandbox.now()


def issued(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = httpx.get(f"{sandbox.url}/sandbox/oauth/tokens").json()["issued"]
    return rows


def app_of(sandbox: RunningSandbox, app: SandboxApp, secret: str | None = None) -> AppCredentials:
    return AppCredentials(sandbox.shop, app.client_id, secret or app.client_secret, sandbox.url)


def client_for(sandbox: RunningSandbox, tokens: RenewedToken) -> ShopifyAdminClient:
    return ShopifyAdminClient(sandbox.shop, tokens, base_url=sandbox.url)


def test_client_credentials_are_renewed_before_they_expire(sandbox: RunningSandbox, store_url: str) -> None:
    vault = SqlTokenVault(store_url, KEY)
    tokens = RenewedToken(app_of(sandbox, OWN), vault, client_credentials_form, sandbox.now)
    client = client_for(sandbox, tokens)
    assert client.shop_info().currency == "EUR"
    assert [row["grantType"] for row in issued(sandbox)] == ["client_credentials"]
    sandbox.advance(86399 - 120)  # within the renewal margin, still valid at Shopify
    assert client.shop_info().currency == "EUR"
    assert len(issued(sandbox)) == 2
    stored = vault.load_token(sandbox.shop)
    assert stored is not None
    assert stored.expires_at == sandbox.now() + timedelta(seconds=86399)
    client.close()
    vault.close()


def test_a_token_expired_at_shopify_mid_run_is_renewed_and_the_request_sent_again(
    sandbox: RunningSandbox, store_url: str
) -> None:
    vault = SqlTokenVault(store_url, KEY)
    clock = LaggingClock(sandbox)
    tokens = RenewedToken(app_of(sandbox, OWN), vault, client_credentials_form, clock)
    client = client_for(sandbox, tokens)
    client.shop_info()
    clock.frozen = sandbox.now()  # trueup still believes its token good...
    sandbox.advance(86400)  # ...when Shopify has let it lapse
    info = client.shop_info()  # 401, renewed, sent again: the caller sees only the answer
    assert [loc.name for loc in info.locations] == ["Main warehouse", "Overflow"]
    assert len(issued(sandbox)) == 2
    client.close()
    vault.close()


@pytest.mark.parametrize("why", ["expired_in_the_store", "refused_by_shopify"])
def test_two_workers_sharing_a_store_renew_once(sandbox: RunningSandbox, store_url: str, why: str) -> None:
    first_vault = SqlTokenVault(store_url, KEY)
    RenewedToken(app_of(sandbox, OWN), first_vault, client_credentials_form, sandbox.now).current()
    assert len(issued(sandbox)) == 1
    workers_clock = LaggingClock(sandbox)
    if why == "refused_by_shopify":
        workers_clock.frozen = sandbox.now()  # both still trust the token and both get the 401
    sandbox.advance(86400)
    vaults = [SqlTokenVault(store_url, KEY) for _ in range(2)]
    clients = [
        client_for(sandbox, RenewedToken(app_of(sandbox, OWN), vault, client_credentials_form, workers_clock))
        for vault in vaults
    ]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def work(client: ShopifyAdminClient) -> None:
        start.wait()
        try:
            client.shop_info()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(issued(sandbox)) == 2  # the first token, and one renewal for both workers
    for client in clients:
        client.close()
    for vault in [first_vault, *vaults]:
        vault.close()


def install_code(sandbox: RunningSandbox) -> str:
    reply = httpx.get(
        f"{sandbox.url}/admin/oauth/authorize",
        params={
            "client_id": AGENCY.client_id,
            "scope": "read_orders,read_locations",
            "redirect_uri": "https://trueup.example/shopify/callback",
            "state": "s",
        },
    )
    assert reply.status_code == 302
    return str(httpx.URL(reply.headers["location"]).params["code"])


def test_expiring_offline_tokens_are_renewed_with_their_rotating_refresh_token(
    sandbox: RunningSandbox, store_url: str
) -> None:
    vault = SqlTokenVault(store_url, KEY)
    app = app_of(sandbox, AGENCY)
    first = request_token(app, {"code": install_code(sandbox), "expiring": "1"}, sandbox.now())
    assert first.refresh_token is not None
    assert first.scopes == {"read_orders", "read_locations"}
    vault.save_token(sandbox.shop, first)
    tokens = RenewedToken(app, vault, refresh_form(sandbox.shop), sandbox.now)
    client = client_for(sandbox, tokens)
    for _hour in range(3):
        sandbox.advance(3600)
        assert client.shop_info().currency == "EUR"
    grants = [row["grantType"] for row in issued(sandbox)]
    assert grants == ["authorization_code", "refresh_token", "refresh_token", "refresh_token"]
    latest = vault.load_token(sandbox.shop)
    assert latest is not None
    assert latest.refresh_token != first.refresh_token
    with pytest.raises(BadInput, match="install the app again"):
        request_token(app, {"grant_type": "refresh_token", "refresh_token": first.refresh_token}, sandbox.now())
    client.close()
    vault.close()


def test_a_shop_never_installed_or_a_wrong_secret_is_a_clear_error(sandbox: RunningSandbox, store_url: str) -> None:
    vault = SqlTokenVault(store_url, KEY)
    not_installed = RenewedToken(app_of(sandbox, AGENCY), vault, refresh_form(sandbox.shop), sandbox.now)
    with pytest.raises(BadInput, match="install the app"):
        not_installed.current()
    wrong = RenewedToken(app_of(sandbox, OWN, secret="not-the-secret"), vault, client_credentials_form, sandbox.now)
    with pytest.raises(BadInput, match="invalid_client") as refused:
        wrong.current()
    assert "not-the-secret" not in str(refused.value)
    vault.close()


@pytest.mark.slow  # three processes spawned, each importing trueup
def test_worker_processes_sharing_a_store_obtain_one_token(sandbox: RunningSandbox, store_url: str) -> None:
    context = get_context("spawn")
    workers = 3
    app = (sandbox.shop, OWN.client_id, OWN.client_secret, sandbox.url)
    with context.Manager() as manager, ProcessPoolExecutor(workers, mp_context=context) as pool:
        barrier = manager.Barrier(workers)
        futures = [
            pool.submit(token_in_another_process, store_url, KEY, app, sandbox.now(), barrier) for _ in range(workers)
        ]
        tokens = {future.result(timeout=120) for future in futures}
    assert len(tokens) == 1  # every process uses the one token
    assert len(issued(sandbox)) == 1  # asked of Shopify once


def test_orders_synced_while_the_token_lapses_are_all_posted_once(sandbox: RunningSandbox, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tokens.db'}"
    upgrade(url)
    vault = SqlTokenVault(url, KEY)
    clock = LaggingClock(sandbox)
    clock.frozen = sandbox.now()  # trueup never sees the expiry coming: each lapse is a 401 mid-run
    app = SandboxApp("sync-app", "sync-secret", frozenset({"read_orders", "read_customers"}))
    httpx.post(
        f"{sandbox.url}/sandbox/apps",
        json={"clientId": app.client_id, "clientSecret": app.client_secret, "scopes": sorted(app.scopes)},
    ).raise_for_status()
    client = client_for(sandbox, RenewedToken(app_of(sandbox, app), vault, client_credentials_form, clock))
    erp = FakeBackOffice()
    erp.add_products("TEE-S", "TEE-M", "CAP")

    class Now:
        def now(self) -> datetime:
            return sandbox.now()

    store = InMemoryStore(sandbox.now)
    ctx = OrderContext(client, erp, store, Now(), PostingPolicy(warehouse="WH1"), track_demand=False)
    orders = [sandbox.place_order([("TEE-M", 1), ("CAP", 2)]) for _ in range(4)]
    for order_id in orders:
        entry = sync_order(ctx, order_id)
        assert entry is not None
        assert entry.state is OrderState.POSTED, entry
        sandbox.advance(86400)  # the token lapses before the next order
    assert len(erp.sales) == 4
    assert [row["grantType"] for row in issued(sandbox)] == ["client_credentials"] * 4
    client.close()
    vault.close()
