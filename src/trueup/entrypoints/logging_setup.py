"""Structured logs: one event per line, key=value fields (or JSON), to stderr. No secrets, no customer data."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

import structlog


def configure_logging(level: str = "INFO", json: bool = False) -> None:
    """Set up structlog for a process; call once from an entry point, never at import time."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.processors.KeyValueRenderer(sort_keys=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            exception_without_message,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def exception_without_message(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Render a logged exception as its type and where it was raised, frame by frame, never its message nor its
    causes' messages: an unexpected error can quote what it was handed (a customer's e-mail, an ERP's answer
    naming a party), and a log cannot be redacted. The message goes where a customer redact reaches it: the
    job's last error, or the detail of the order it parks."""
    exc_info = event.pop("exc_info", None)
    if not exc_info:
        return event
    if isinstance(exc_info, BaseException):
        error: BaseException | None = exc_info
    elif isinstance(exc_info, tuple):
        error = exc_info[1]
    else:
        error = sys.exc_info()[1]
    if error is None:
        return event
    lines = ["Traceback (most recent call last):"]
    lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in traceback.extract_tb(error.__traceback__)]
    lines.append(f"{_name(error)} (message not logged)")
    seen, cause = {id(error)}, error.__cause__ or error.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        lines.append(f"  from {_name(cause)}")
        cause = cause.__cause__ or cause.__context__
    event["exception"] = "\n".join(lines)
    return event


def _name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
