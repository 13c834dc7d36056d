"""A US shop on a manual clock that starts on Monday 2 November 2026, orders paid through any gateway, and reads
of its Shopify Payments account."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shopify_sandbox.clock import ManualClock
from shopify_sandbox.spec import LocationSpec
from tests.sandbox.factories import RecordingBus, SandboxClient, sandbox_config, shop_spec

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Veterans Day is Wednesday 11th, Thanksgiving Thursday 26th
ORDER = """
mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) {
  userErrors { field message }
  order { id name totalPriceSet { shopMoney { amount } presentmentMoney { amount } }
    transactions { id kind status gateway } } } }
"""
TRANSACTIONS = """
query($query: String, $first: Int = 250, $after: String, $hide: Boolean = true, $sort: BalanceTransactionSortKeys,
      $reverse: Boolean = false) { shopifyPaymentsAccount {
  balance { amount currencyCode }
  balanceTransactions(first: $first, after: $after, query: $query, hideTransfers: $hide, sortKey: $sort,
                      reverse: $reverse) {
    pageInfo { hasNextPage endCursor }
    nodes { id type amount { amount currencyCode } fee { amount currencyCode } net { amount currencyCode }
      transactionDate sourceType sourceId sourceOrderTransactionId adjustmentReason test
      associatedOrder { id name } associatedPayout { id status } } } } }
"""
PAYOUTS = """
query($query: String) { shopifyPaymentsAccount { payouts(first: 50, query: $query) { nodes {
  id legacyResourceId status issuedAt transactionType net { amount currencyCode }
  summary { chargesGross { amount } chargesFee { amount } refundsFeeGross { amount } refundsFee { amount }
    adjustmentsGross { amount } adjustmentsFee { amount } reservedFundsGross { amount } reservedFundsFee { amount }
    retriedPayoutsGross { amount } retriedPayoutsFee { amount } } } } } }
"""


def us_sandbox(**settings: Any) -> tuple[SandboxClient, RecordingBus]:
    """A US shop (USD, CAD and EUR presented), Shopify Payments with `settings` applied."""
    spec = shop_spec(
        currency="USD",
        locations=(
            LocationSpec("Main", "1 Main St", "Reno", "89502", "US"),
            LocationSpec("Second", "2 Side St", "Dallas", "75201", "US"),
        ),
        presentment_rates={"CAD": Decimal("1.37"), "EUR": Decimal("0.92")},
    )
    bus = RecordingBus()
    client = SandboxClient(sandbox_config(shop_spec=spec, clock=ManualClock(MONDAY), bus=bus))
    if settings:
        response = client.post("/sandbox/payments/settings", json=settings)
        assert response.status_code == 200, response.text
    return client, bus


def buy(
    client: SandboxClient,
    amount: str = "100.00",
    *,
    gateway: str = "shopify_payments",
    kind: str = "SALE",
    currency: str = "USD",
    country: str = "US",
    payments: list[tuple[str, str]] | None = None,
    company: bool = False,
) -> dict[str, Any]:
    """An order for one custom line of `amount` (presentment currency, no tax or shipping), paid by `kind`
    through `gateway` (or by the (gateway, amount) `payments`), billed to `country`."""
    rate = client.state.shop.presentment_rates.get(currency, Decimal(1))
    shop_amount = (Decimal(amount) / rate).quantize(Decimal("0.01"))

    def bag(presentment: str, shop: Decimal) -> dict[str, Any]:
        return {
            "shopMoney": {"amount": str(shop), "currencyCode": "USD"},
            "presentmentMoney": {"amount": presentment, "currencyCode": currency},
        }

    order: dict[str, Any] = {
        "currency": "USD",
        "presentmentCurrency": currency,
        "lineItems": [
            {"title": "Gift", "quantity": 1, "priceSet": bag(amount, shop_amount), "requiresShipping": False}
        ],
        "billingAddress": {"address1": "1 Road", "city": "Town", "countryCode": country, "zip": "00001"},
    }
    if company:
        order["companyLocationId"] = client.state.all("CompanyLocation")[0].id
    elif kind != "PENDING":
        split = payments or [(gateway, amount)]
        order["transactions"] = [
            {
                "kind": kind,
                "status": "SUCCESS",
                "gateway": name,
                "amountSet": bag(part, (Decimal(part) / rate).quantize(Decimal("0.01"))),
            }
            for name, part in split
        ]
    answer = client.graphql(ORDER, {"order": order})
    assert answer["data"]["orderCreate"]["userErrors"] == [], answer
    return answer["data"]["orderCreate"]["order"]  # type: ignore[no-any-return]


def at(client: SandboxClient, when: datetime) -> None:
    """Move the sandbox's clock to `when` through its control endpoint (payout runs on the way happen)."""
    seconds = (when - client.state.now()).total_seconds()
    assert seconds >= 0
    assert client.post("/sandbox/clock/advance", json={"seconds": seconds}).status_code == 200


def transactions(client: SandboxClient, query: str | None = None, **variables: Any) -> list[dict[str, Any]]:
    """Every balance transaction matching `query`, read page by page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        answer = client.graphql(TRANSACTIONS, {"query": query, "after": after, **variables})
        assert "errors" not in answer, answer
        connection = answer["data"]["shopifyPaymentsAccount"]["balanceTransactions"]
        nodes.extend(connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


def payouts(client: SandboxClient, query: str | None = None) -> list[dict[str, Any]]:
    answer = client.graphql(PAYOUTS, {"query": query})
    assert "errors" not in answer, answer
    return answer["data"]["shopifyPaymentsAccount"]["payouts"]["nodes"]  # type: ignore[no-any-return]


def balance(client: SandboxClient) -> dict[str, str]:
    answer = client.graphql(TRANSACTIONS, {"first": 1})
    return {b["currencyCode"]: b["amount"] for b in answer["data"]["shopifyPaymentsAccount"]["balance"]}


def amount(node: dict[str, Any], name: str = "net") -> Decimal:
    return Decimal(node[name]["amount"])


def of_payout(client: SandboxClient, payout: dict[str, Any], hide: bool = True) -> list[dict[str, Any]]:
    return transactions(client, f"payments_transfer_id:{payout['legacyResourceId']}", hide=hide)
