"""A 401 renews the token and the request is sent once more; a static token, or a renewed one refused too,
is bad input. The token sent is the source's current one, read for every request."""

from __future__ import annotations

import httpx
import pytest

from trueup.adapters.shopify.graphql import ShopifyGraphQL
from trueup.adapters.shopify.queries import SHOP_INFO
from trueup.domain.errors import BadInput

SHOP = "demo.myshopify.com"
OK = {"data": {"shop": {}, "locations": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}}
REFUSED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


class Tokens:
    """A token source handing out `first`, then `renewed` after a 401."""

    def __init__(self, first: str, renewed: str | None) -> None:
        self.token, self.renewed, self.renewals = first, renewed, []

    def current(self) -> str:
        return self.token

    def renew(self, rejected: str) -> str | None:
        self.renewals.append(rejected)
        if self.renewed is None:
            return None
        self.token = self.renewed
        return self.token


def shopify_accepting(*tokens: str) -> tuple[httpx.Client, list[str]]:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.headers["X-Shopify-Access-Token"]
        sent.append(token)
        return httpx.Response(200, json=OK) if token in tokens else httpx.Response(401, json=REFUSED)

    return httpx.Client(transport=httpx.MockTransport(handler)), sent


def test_a_lapsed_token_is_renewed_and_the_request_sent_once_more() -> None:
    http, sent = shopify_accepting("new")
    tokens = Tokens("old", "new")
    assert ShopifyGraphQL(SHOP, tokens, http=http).execute(SHOP_INFO)["shop"] == {}
    assert sent == ["old", "new"]
    assert tokens.renewals == ["old"]


def test_a_renewed_token_refused_too_is_bad_input_after_one_retry() -> None:
    http, sent = shopify_accepting()
    with pytest.raises(BadInput, match="refused the access token"):
        ShopifyGraphQL(SHOP, Tokens("old", "new"), http=http).execute(SHOP_INFO)
    assert sent == ["old", "new"]


def test_a_static_token_refused_is_bad_input_at_once() -> None:
    http, sent = shopify_accepting()
    with pytest.raises(BadInput) as refused:
        ShopifyGraphQL(SHOP, "shpat_static", http=http).execute(SHOP_INFO)
    assert sent == ["shpat_static"]
    assert "shpat_static" not in str(refused.value)
