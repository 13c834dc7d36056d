"""A job failing with an unexpected error logs its type and where it was raised, never its message: the message
may quote a customer, and a log cannot be redacted (the job's last error, in the store, can)."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator

import pytest
import structlog

from trueup.entrypoints.logging_setup import configure_logging

EMAIL = "ada.lovelace@example.com"


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    written, saved = io.StringIO(), structlog.get_config()
    monkeypatch.setattr(sys, "stderr", written)
    configure_logging("INFO", json=True)  # bound to the stderr of now
    yield written
    structlog.configure(**saved)


def _parse_sku(body: dict[str, str]) -> str:
    try:
        return body["sku"]
    except KeyError as missing:
        raise ValueError(f"no SKU in the order of {body['email']}") from missing


def test_a_logged_exception_names_its_type_and_frames_but_not_its_message(json_logs: io.StringIO) -> None:
    log = structlog.get_logger("trueup.test")
    try:
        _parse_sku({"email": EMAIL})
    except ValueError:
        log.exception("job_failed", kind="sync_order")

    (line,) = json_logs.getvalue().strip().splitlines()
    event = json.loads(line)
    assert event["event"] == "job_failed"
    assert "ValueError (message not logged)" in event["exception"]
    assert "  from KeyError" in event["exception"]
    assert "in _parse_sku" in event["exception"]
    assert EMAIL not in line
    assert "'sku'" not in line
