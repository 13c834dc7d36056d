"""`/sandbox/...`: the shop's state as JSON for tests and demos, clock control and plan changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shopify_sandbox.bucket import PLANS
from shopify_sandbox.clock import ManualClock
from shopify_sandbox.models.catalog import QUANTITY_NAMES
from shopify_sandbox.order_webhooks import order_rest_now
from shopify_sandbox.rest_payloads import timestamp

if TYPE_CHECKING:
    from shopify_sandbox.app import Sandbox


def inspection_routes(sandbox: Sandbox) -> list[Route]:
    async def summary(_request: Request) -> JSONResponse:
        state = sandbox.state
        with state.lock:
            counts = {name: state.count(name) for name in sorted(state.typenames())}
        return JSONResponse(
            {
                "shop": {
                    "name": state.shop.name,
                    "myshopifyDomain": state.shop.myshopify_domain,
                    "currencyCode": state.shop.currency_code,
                },
                "plan": sandbox.buckets.plan.name,
                "now": timestamp(state.now()),
                "counts": counts,
                "webhookSubscriptions": len(sandbox.registry.list()),
            }
        )

    async def inventory(_request: Request) -> JSONResponse:
        with sandbox.state.lock:
            rows = [_level_row(level) for level in sandbox.state.all("InventoryLevel")]
        return JSONResponse({"inventoryLevels": rows})

    async def orders(_request: Request) -> JSONResponse:
        with sandbox.state.lock:
            rows = [order_rest_now(sandbox.state, order) for order in sandbox.state.all("Order")]
        return JSONResponse({"orders": rows})

    async def advance_clock(request: Request) -> JSONResponse:
        clock = sandbox.state.clock
        if not isinstance(clock, ManualClock):
            return JSONResponse({"error": "the sandbox clock is not manual"}, status_code=409)
        body = await request.json()
        clock.advance(float(body.get("seconds", 0)))
        with sandbox.state.lock:  # what falls due on the way (jobs, payout runs) happens now, not at the next call
            sandbox.state.run_before_request_hooks()
        return JSONResponse({"now": timestamp(clock.now())})

    async def plan(request: Request) -> JSONResponse:
        if request.method == "POST":
            name = (await request.json()).get("plan")
            if name not in PLANS:
                return JSONResponse({"error": f"unknown plan {name!r}", "plans": sorted(PLANS)}, status_code=422)
            sandbox.set_plan(name)
        current = sandbox.buckets.plan
        return JSONResponse(
            {"plan": current.name, "maximumAvailable": current.maximum_available, "restoreRate": current.restore_rate}
        )

    async def throttled(_request: Request) -> JSONResponse:
        return JSONResponse({"throttled": sandbox.service.throttled_answers})

    async def webhook_deliveries(request: Request) -> JSONResponse:
        log = getattr(sandbox.state.bus, "log", None)  # present when webhooks are delivered (webhooks package)
        if log is None:
            return JSONResponse({"deliveries": [], "note": "webhook delivery is not enabled"})
        return JSONResponse({"deliveries": log(request.query_params.get("topic"), request.query_params.get("status"))})

    return [
        Route("/sandbox/webhooks/deliveries", webhook_deliveries, methods=["GET"]),
        Route("/sandbox/state", summary, methods=["GET"]),
        Route("/sandbox/inventory", inventory, methods=["GET"]),
        Route("/sandbox/orders", orders, methods=["GET"]),
        Route("/sandbox/clock/advance", advance_clock, methods=["POST"]),
        Route("/sandbox/plan", plan, methods=["GET", "POST"]),
        Route("/sandbox/api/throttled", throttled, methods=["GET"]),
    ]


def _level_row(level: Any) -> dict[str, Any]:
    return {
        "inventoryItemId": level.item.id,
        "sku": level.item.sku,
        "locationId": level.location.id,
        "location": level.location.name,
        "quantities": {name: level.quantity(name) for name in QUANTITY_NAMES},
    }
