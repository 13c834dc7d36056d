"""Whole processes: the Shopify sandbox, a real trytond, `trueup serve` and `trueup worker`s, on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trueup.local_stack.stack import LocalStack, StackOptions

TRYTON_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "tryton"

StackFactory = Callable[..., LocalStack]


@pytest.fixture
def start_stack(tmp_path: Path) -> Iterator[StackFactory]:
    """Start a stack under the test's folder; stopped at the end of the test, whatever happened."""
    started: list[LocalStack] = []

    def start(**options: object) -> LocalStack:
        settings = {"poll_interval_seconds": 3.0, "lease_seconds": 10.0, **options}
        stack = LocalStack(StackOptions(dir=tmp_path / f"stack{len(started)}", tryton_cache=TRYTON_CACHE, **settings))
        started.append(stack)
        return stack.start()

    yield start
    for stack in started:
        stack.stop()
