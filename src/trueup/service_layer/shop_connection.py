"""`trueup shop check` / `shop connect`: is a shop ready for trueup, and bring its webhooks to the public URL.

Checked, in order: the credentials (a token is obtained and accepted) and the API version Shopify answers
with; the scopes granted against those the enabled features need; the configured locations; the app's webhook
subscriptions against trueup's topics at `<public_url>/webhooks/shopify`. `connect` then makes the changes
(unless it is a dry run); running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from trueup.domain.errors import BadInput, TransientError
from trueup.domain.shop_setup import (
    WEBHOOK_TOPICS,
    Action,
    Features,
    ScopeNeed,
    WebhookChange,
    WebhookSubscription,
    missing_scopes,
    needed_scopes,
    plan_webhooks,
)
from trueup.service_layer.inventory import location_problems
from trueup.service_layer.ports import ShopSetup

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ShopTarget:
    """What the configuration asks of one shop."""

    shop: str
    api_version: str
    features: Features
    locations: tuple[str, ...] = ()  # configured location gids
    webhook_address: str | None = None  # None: no `server.public_url`, webhooks are not checked


@dataclass
class ShopReport:
    shop: str
    api_version_wanted: str
    problem: str | None = None  # the shop could not be checked (credentials, network)
    api_version: str | None = None
    granted: frozenset[str] = frozenset()
    missing: list[ScopeNeed] = field(default_factory=list)
    location_problems: list[str] = field(default_factory=list)
    webhooks_checked: bool = False
    changes: list[WebhookChange] = field(default_factory=list)
    left_alone: list[WebhookSubscription] = field(default_factory=list)
    applied: bool = False

    @property
    def version_problem(self) -> str | None:
        if self.api_version is None or self.api_version == self.api_version_wanted:
            return None
        return (
            f"Shopify answered with API version {self.api_version}, not {self.api_version_wanted}: the configured "
            "version is not served any more; set [[shops]] api_version to a supported one"
        )

    @property
    def ready(self) -> bool:
        """Nothing left to fix (after `connect`, the webhook changes count as done)."""
        pending = bool(self.changes) and not self.applied
        return not (self.problem or self.version_problem or self.missing or self.location_problems or pending) and (
            self.webhooks_checked
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "shop": self.shop,
            "ready": self.ready,
            "problem": self.problem,
            "apiVersion": {"configured": self.api_version_wanted, "served": self.api_version},
            "apiVersionProblem": self.version_problem,
            "grantedScopes": sorted(self.granted),
            "missingScopes": [{"scope": n.scope, "why": n.why} for n in self.missing],
            "locationProblems": list(self.location_problems),
            "webhooksChecked": self.webhooks_checked,
            "webhookChanges": [
                {
                    "action": c.action.value,
                    "topic": c.topic,
                    "uri": c.uri,
                    "previousUri": c.previous_uri,
                    "subscriptionId": c.subscription_id,
                }
                for c in self.changes
            ],
            "leftAlone": [{"topic": s.topic, "uri": s.uri} for s in self.left_alone],
            "applied": self.applied,
        }


def check_shop(shopify: ShopSetup, target: ShopTarget) -> ShopReport:
    """Everything about the shop that `connect` would fix or report, changing nothing."""
    report = ShopReport(target.shop, target.api_version)
    try:
        report.granted = shopify.granted_scopes()
    except (BadInput, TransientError) as error:
        report.problem = str(error)
        return report
    report.api_version = shopify.api_version_served()
    report.missing = missing_scopes(report.granted, needed_scopes(target.features))
    if target.locations:
        try:
            report.location_problems = location_problems(target.shop, shopify.locations(), target.locations)
        except BadInput as error:  # read_locations missing: already named among the scopes
            report.location_problems = [f"the locations could not be read: {error}"]
    if target.webhook_address is None:
        report.problem = "server.public_url is not set: Shopify's webhooks have no address to go to"
        return report
    report.changes, report.left_alone = plan_webhooks(
        shopify.webhook_subscriptions(), WEBHOOK_TOPICS, target.webhook_address
    )
    report.webhooks_checked = True
    return report


def connect_shop(
    shopify: ShopSetup, target: ShopTarget, *, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> ShopReport:
    """`check_shop`, then the webhook changes made (one by one, each logged), unless `dry_run`."""
    report = check_shop(shopify, target)
    if dry_run or not report.webhooks_checked or report.problem:
        return report
    for change in report.changes:
        if progress is not None:
            progress(f"{change.action.value} {change.topic} → {change.uri}")
        apply_change(shopify, change)
        log.info("shop.webhook_changed", shop=target.shop, action=change.action.value, topic=change.topic)
    report.applied = True
    return report


def apply_change(shopify: ShopSetup, change: WebhookChange) -> None:
    if change.action is Action.CREATE:
        shopify.create_webhook(change.topic, change.uri)
    elif change.action is Action.UPDATE:
        assert change.subscription_id is not None
        shopify.update_webhook(change.subscription_id, change.uri)
    else:
        assert change.subscription_id is not None
        shopify.delete_webhook(change.subscription_id)
