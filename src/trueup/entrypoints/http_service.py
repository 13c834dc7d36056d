"""`trueup serve`: the intake web app on uvicorn, wired from the configuration."""

from __future__ import annotations

import uvicorn
from starlette.applications import Starlette

from trueup import bootstrap
from trueup.config import TrueupConfig
from trueup.entrypoints.http import create_app
from trueup.service_layer.intake import Intake


def build_http_app(config: TrueupConfig) -> Starlette:
    store = bootstrap.build_store(config)
    return create_app(Intake(store), bootstrap.webhook_secrets(config), config.server.max_body_bytes)


def run_http_service(config: TrueupConfig) -> None:
    uvicorn.run(
        build_http_app(config),
        host=config.server.host,
        port=config.server.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
