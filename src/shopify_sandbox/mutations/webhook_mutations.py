"""webhookSubscriptionCreate / Update / Delete and the webhookSubscriptions query, each on the calling
app's own subscriptions only (another app's are neither listed nor changed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlparse

from graphql import GraphQLResolveInfo

from shopify_sandbox.connections import Connection, paginate
from shopify_sandbox.events import Subscription
from shopify_sandbox.ids import gid, number_of
from shopify_sandbox.mutations.payloads import user_error
from shopify_sandbox.resolvers.context import context_of
from shopify_sandbox.resolvers.registry import NotImplementedBySandbox, resolves


@dataclass
class WebhookSubscriptionView:
    """A registry Subscription as the WebhookSubscription GraphQL object."""

    typename: ClassVar[str] = "WebhookSubscription"
    subscription: Subscription
    api_version_handle: str

    @property
    def number(self) -> int:
        return self.subscription.id

    def __getattr__(self, name: str) -> Any:
        s = self.subscription
        values = {
            "id": gid("WebhookSubscription", s.id),
            "legacy_resource_id": str(s.id),
            "topic": s.topic,
            "callback_url": s.callback_url,
            "uri": s.callback_url,
            "format": s.format,
            "created_at": s.created_at,
            "updated_at": s.updated_at,
            "include_fields": [],
            "metafield_namespaces": [],
            "metafields": [],
            "filter": None,
            "name": None,
            "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": s.callback_url},
            "api_version": {
                "handle": self.api_version_handle,
                "displayName": self.api_version_handle,
                "supported": True,
            },
        }
        if name in values:
            return values[name]
        raise AttributeError(name)


@resolves("Mutation", "webhookSubscriptionCreate")
def webhook_subscription_create(
    _root: Any, info: GraphQLResolveInfo, topic: str, webhookSubscription: dict[str, Any], **_args: Any
) -> dict[str, Any]:
    context = context_of(info)
    url = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl") or ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return {
            "webhookSubscription": None,
            "userErrors": [user_error("Address is invalid", ["webhookSubscription", "callbackUrl"])],
        }
    duplicate = any(s.topic == topic and s.callback_url == url for s in context.registry.list(context.app))
    if duplicate:
        return {
            "webhookSubscription": None,
            "userErrors": [
                user_error("Address for this topic has already been taken", ["webhookSubscription", "callbackUrl"])
            ],
        }
    try:
        subscription = context.registry.create(topic, url, webhookSubscription.get("format") or "JSON", context.app)
    except ValueError as error:  # the registry's refusals (unsupported topic, bad address, duplicate)
        field = ["webhookSubscription", "callbackUrl"]
        return {"webhookSubscription": None, "userErrors": [user_error(str(error), field)]}
    return {"webhookSubscription": WebhookSubscriptionView(subscription, context.api_version), "userErrors": []}


@resolves("Mutation", "webhookSubscriptionUpdate")
def webhook_subscription_update(
    _root: Any, info: GraphQLResolveInfo, id: str, webhookSubscription: dict[str, Any], **_args: Any
) -> dict[str, Any]:
    context = context_of(info)
    url_field = ["webhookSubscription", "callbackUrl"]
    url = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
    unsupported = sorted(k for k, v in webhookSubscription.items() if v is not None and k not in ("uri", "callbackUrl"))
    if unsupported:
        raise NotImplementedBySandbox("WebhookSubscriptionInput", unsupported[0])
    number = number_of(id, "WebhookSubscription")
    found = None if number is None else next((s for s in context.registry.list(context.app) if s.id == number), None)
    if found is None:
        return {"webhookSubscription": None, "userErrors": [user_error("Webhook subscription does not exist", ["id"])]}
    if not url:
        return {"webhookSubscription": WebhookSubscriptionView(found, context.api_version), "userErrors": []}
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return {"webhookSubscription": None, "userErrors": [user_error("Address is invalid", url_field)]}
    try:
        changed = context.registry.update(found.id, url, context.app)
    except ValueError as error:
        return {"webhookSubscription": None, "userErrors": [user_error(str(error), url_field)]}
    assert changed is not None
    return {"webhookSubscription": WebhookSubscriptionView(changed, context.api_version), "userErrors": []}


@resolves("Mutation", "webhookSubscriptionDelete")
def webhook_subscription_delete(_root: Any, info: GraphQLResolveInfo, id: str, **_args: Any) -> dict[str, Any]:
    number = number_of(id, "WebhookSubscription")
    context = context_of(info)
    if number is None or not context.registry.delete(number, context.app):
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [user_error("Webhook subscription does not exist", ["id"])],
        }
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


@resolves("QueryRoot", "webhookSubscriptions")
def webhook_subscriptions(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Connection:
    context = context_of(info)
    topics, url = args.pop("topics", None), args.pop("callbackUrl", None) or args.pop("uri", None)
    fmt = args.pop("format", None)
    for ignored in ("query", "sortKey", "uri"):
        args.pop(ignored, None)
    views = [
        WebhookSubscriptionView(s, context.api_version)
        for s in context.registry.list(context.app)
        if (not topics or s.topic in topics)
        and (url is None or s.callback_url == url)
        and (fmt is None or s.format == fmt)
    ]
    return paginate(views, **args)


@resolves("QueryRoot", "webhookSubscription")
def webhook_subscription(_root: Any, info: GraphQLResolveInfo, id: str, **_args: Any) -> WebhookSubscriptionView | None:
    context = context_of(info)
    number = number_of(id, "WebhookSubscription")
    found = next((s for s in context.registry.list(context.app) if s.id == number), None)
    return None if found is None else WebhookSubscriptionView(found, context.api_version)
