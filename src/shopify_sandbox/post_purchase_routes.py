"""`/sandbox/...` routes of the post-purchase features: bulk result files, payout runs, due jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shopify_sandbox.payments_routes import payout_json
from shopify_sandbox.payouts import run_payouts
from shopify_sandbox.post_purchase_state import run_due_jobs

if TYPE_CHECKING:
    from shopify_sandbox.app import Sandbox


def post_purchase_routes(sandbox: Sandbox) -> list[Route]:
    async def bulk_file(request: Request) -> Response:
        operation = sandbox.state.get("BulkOperation", int(request.path_params["number"]))
        body = operation.result if operation is not None else None
        if body is None:
            return JSONResponse({"errors": "Not Found"}, status_code=404)
        return Response(body, media_type="application/jsonl")

    async def payouts_run(_request: Request) -> JSONResponse:
        # Pays out everything pending now, in every currency (`/sandbox/payments/payouts/run` is the same run).
        with sandbox.state.lock:
            payouts = run_payouts(sandbox.state)
            return JSONResponse({"payouts": [payout_json(sandbox.state, p, with_transactions=False) for p in payouts]})

    async def jobs_run(_request: Request) -> JSONResponse:
        return JSONResponse({"ran": run_due_jobs(sandbox.state)})

    return [
        Route("/sandbox/bulk/{number:int}.jsonl", bulk_file, methods=["GET"]),
        Route("/sandbox/payouts/run", payouts_run, methods=["POST"]),
        Route("/sandbox/jobs/run", jobs_run, methods=["POST"]),
    ]
