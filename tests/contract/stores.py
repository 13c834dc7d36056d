"""The clock the Store contract tests move (`clock.now = ...`); the `store` and `clock` fixtures are in
tests/contract/conftest.py."""

from __future__ import annotations

from datetime import datetime

from tests.support.deliveries import T0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now
