"""What `trueup status` and the console's overview say about intake: deliveries kept but not understood, each
with what to do, and the requests refused at the door, by reason."""

from __future__ import annotations

from trueup.service_layer.ports import IntakeStats, NotUnderstood

# Kept-but-not-understood problems (adapters/shopify/webhooks.py) -> what the operator does about them.
WHAT_TO_DO_WITH_PROBLEM = {
    "body_not_json": (
        "Signed with the shop's secret but not JSON: check the subscription's format is JSON "
        "(`trueup shop check`); the order is caught up by polling meanwhile."
    ),
    "body_too_deeply_nested": (
        "Signed but nested deeper than any Shopify payload: the app secret may be known to someone else; "
        "rotate it in the Dev Dashboard and in the secret file."
    ),
    "privacy_request_unreadable": (
        "A privacy webhook signed with the shop's secret but not the JSON object Shopify sends: nothing was done "
        "for it. Check the app's privacy webhooks in the Dev Dashboard; if it was a real request, honour it by "
        "hand within Shopify's 30 days."
    ),
    "order_not_found_in_body": (
        "An order topic whose body names no order: nothing to do for the order (polling catches it up); "
        "if it repeats, check the subscription's API version."
    ),
}
UNKNOWN_TOPIC = (
    "A topic trueup does not act on: remove the subscription (`trueup shop connect` manages trueup's own) "
    "or leave it; the deliveries are kept for the retention period only."
)
UNKNOWN_PROBLEM = "Kept as received; see the log line webhook.kept_not_understood for its shop and topic."


def kept_not_understood(stats: IntakeStats | NotUnderstood) -> list[dict[str, object]]:
    """One row per problem and per unknown topic: count and what to do, the largest first. Names of problems
    and topics only: nothing of a delivery's body, so it may be shown to anyone who may see the overview."""
    rows: list[dict[str, object]] = [
        {"problem": problem, "count": count, "what_to_do": WHAT_TO_DO_WITH_PROBLEM.get(problem, UNKNOWN_PROBLEM)}
        for problem, count in stats.problems.items()
    ]
    rows += [
        {"problem": f"unknown_topic:{topic}", "count": count, "what_to_do": UNKNOWN_TOPIC}
        for topic, count in stats.unknown_topics.items()
    ]
    return sorted(rows, key=lambda row: (-int(str(row["count"])), str(row["problem"])))
