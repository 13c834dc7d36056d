"""A 2xx is a promise: kill the server right after it answered, and the delivery is still there."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx

from trueup.adapters.storage import SqlStore, upgrade
from trueup.entrypoints.benchmarks.intake import free_port, signed_webhook, start_server, wait_until_up

SECRET = "crash-test-secret"


def test_deliveries_answered_200_survive_a_sigkill_of_the_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    upgrade(url)
    port = free_port()
    server = start_server(url, SECRET, port)
    try:
        asyncio.run(wait_until_up(f"http://127.0.0.1:{port}", server))
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            answers = [
                client.post("/webhooks/shopify", content=body, headers=headers).status_code
                for body, headers in (signed_webhook(n, SECRET) for n in range(1, 21))
            ]
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()

    assert answers == [200] * 20
    assert server.returncode == -signal.SIGKILL
    with SqlStore(url) as reopened:
        assert reopened.intake_stats().deliveries == 20
        assert reopened.pending_jobs() == 20
