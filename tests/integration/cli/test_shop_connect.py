"""`trueup shop check` / `shop connect` against the sandbox over HTTP, with a client credentials app: missing
scopes named with why, subscriptions created once, moved when the public URL changes, another app's left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from typer.testing import CliRunner

from shopify_sandbox.oauth import SandboxApp
from tests.support.sandbox import SHOP, RunningSandbox, running_sandbox
from trueup.domain.shop_setup import WEBHOOK_TOPICS, topic_enum
from trueup.entrypoints.shop_cli import shop_app

FULL = frozenset(
    {
        "read_orders",
        "read_customers",
        "write_merchant_managed_fulfillment_orders",
        "read_locations",
        "read_products",
        "write_inventory",
    }
)
FULL_APP = SandboxApp("connect-app", "connect-secret", FULL)
NARROW_APP = SandboxApp("narrow-app", "narrow-secret", FULL - {"write_inventory", "read_products"})
OTHER_APPS_HOOK = "https://erp.example/webhooks/shopify"

CONFIG = """
[storage]
url = "sqlite:///state.db"

[back_office]
database = "trueup"
password = {{ env = "UNUSED_PASSWORD" }}

[server]
public_url = "{public_url}"

[token_store]
key = {{ env = "TEST_TOKEN_KEY" }}

[inventory]
enabled = true

[[shops]]
domain = "{shop}"
api_url = "{api_url}"
locations = {{ "{location}" = "WH" }}

[shops.credentials]
kind = "client_credentials"
client_id = "{client_id}"
client_secret = {{ env = "TEST_CLIENT_SECRET" }}
"""


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    """The command configures structlog onto the runner's stderr, closed once it returns: put it back."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    monkeypatch.setenv("TEST_TOKEN_KEY", "a-random-key-for-the-tests-0123456789")
    with running_sandbox(apps=(FULL_APP, NARROW_APP)) as running:
        # Another app (the static token's) subscribed to a topic trueup uses, at an address of the same shape.
        created = running.graphql(
            """mutation($uri: String!) { webhookSubscriptionCreate(topic: ORDERS_CREATE,
            webhookSubscription: {uri: $uri}) { userErrors { message } } }""",
            {"uri": OTHER_APPS_HOOK},
        )
        assert created["data"]["webhookSubscriptionCreate"]["userErrors"] == []
        yield running


def write_config(
    tmp_path: Path,
    sandbox: RunningSandbox,
    app: SandboxApp,
    monkeypatch: pytest.MonkeyPatch,
    public_url: str = "https://trueup.example.com",
    location: str | None = None,
) -> str:
    monkeypatch.setenv("TEST_CLIENT_SECRET", app.client_secret)
    if location is None:
        nodes = sandbox.graphql("{ locations(first: 5) { nodes { id name } } }")["data"]["locations"]["nodes"]
        location = next(n["id"] for n in nodes if n["name"] == "Main warehouse")
    path = tmp_path / "trueup.toml"
    path.write_text(
        CONFIG.format(public_url=public_url, shop=SHOP, api_url=sandbox.url, client_id=app.client_id, location=location)
    )
    return str(path)


def run(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(shop_app, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    [report] = json.loads(result.stdout)["shops"]
    return result.exit_code, report


def subscriptions(sandbox: RunningSandbox, app: str) -> list[tuple[str, str]]:
    return sorted((s.topic, s.callback_url) for s in sandbox.app.state.sandbox.registry.list(app))


def test_missing_scopes_are_named_with_why(tmp_path: Path, sandbox: RunningSandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, sandbox, NARROW_APP, monkeypatch)
    code, report = run("check", "--config", config)
    assert code == 1
    assert report["problem"] is None
    assert {m["scope"] for m in report["missingScopes"]} == {"write_inventory", "read_products"}
    assert all(m["why"] for m in report["missingScopes"])
    assert report["apiVersion"] == {"configured": "2026-10", "served": "2026-10"}


def test_connect_subscribes_once_moves_with_the_public_url_and_leaves_other_apps_alone(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, sandbox, FULL_APP, monkeypatch)
    address = "https://trueup.example.com/webhooks/shopify"
    wanted = sorted((topic_enum(t), address) for t in WEBHOOK_TOPICS)

    code, checked = run("check", "--config", config)
    assert code == 1  # subscriptions to make
    assert [c["action"] for c in checked["webhookChanges"]] == ["create"] * len(WEBHOOK_TOPICS)
    code, dry = run("connect", "--config", config, "--dry-run")
    assert (code, dry["applied"]) == (1, False)
    assert subscriptions(sandbox, FULL_APP.client_id) == []

    code, connected = run("connect", "--config", config)
    assert (code, connected["ready"], connected["applied"]) == (0, True, True)
    assert connected["missingScopes"] == []
    assert connected["locationProblems"] == []
    assert subscriptions(sandbox, FULL_APP.client_id) == wanted

    code, again = run("connect", "--config", config)
    assert (code, again["webhookChanges"]) == (0, [])
    assert subscriptions(sandbox, FULL_APP.client_id) == wanted

    moved_config = write_config(tmp_path, sandbox, FULL_APP, monkeypatch, public_url="https://sync.brand.example")
    code, moved = run("connect", "--config", moved_config)
    assert code == 0
    assert {c["action"] for c in moved["webhookChanges"]} == {"update"}
    assert {c["previousUri"] for c in moved["webhookChanges"]} == {address}
    new_address = "https://sync.brand.example/webhooks/shopify"
    assert subscriptions(sandbox, FULL_APP.client_id) == sorted((t, new_address) for t, _ in wanted)
    assert subscriptions(sandbox, "static") == [("ORDERS_CREATE", OTHER_APPS_HOOK)]


def test_an_unknown_location_is_reported(tmp_path: Path, sandbox: RunningSandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, sandbox, FULL_APP, monkeypatch, location="gid://shopify/Location/999999")
    code, report = run("check", "--config", config)
    assert code == 1
    assert report["locationProblems"] == [f"gid://shopify/Location/999999 is not a location of {SHOP}"]


def test_wrong_credentials_are_a_problem_not_a_traceback(tmp_path: Path, sandbox: RunningSandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, sandbox, FULL_APP, monkeypatch)
    monkeypatch.setenv("TEST_CLIENT_SECRET", "not-the-secret")
    code, report = run("check", "--config", config)
    assert code == 1
    assert "invalid_client" in report["problem"]
    assert "not-the-secret" not in json.dumps(report)


def test_the_report_for_people_names_what_to_fix(tmp_path: Path, sandbox: RunningSandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, sandbox, NARROW_APP, monkeypatch)
    result = CliRunner().invoke(shop_app, ["connect", "--config", config, "--dry-run"])
    assert result.exit_code == 1
    assert "write_inventory" in result.stdout
    assert "[inventory] sets each mapped location's available stock" in result.stdout  # brackets kept
    assert "would create" in result.stdout
