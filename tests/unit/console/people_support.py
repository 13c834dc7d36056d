"""A People on the fakes, with a cheap argon2 and a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tests.fakes.console_store import InMemoryConsoleStore
from tests.fakes.store import InMemoryStore
from tests.support.deliveries import T0
from trueup.adapters.passwords import Argon2Hasher
from trueup.domain.people import Role
from trueup.service_layer.people import People, SessionRules, add_user

PASSWORD = "correct horse battery"
CHEAP = Argon2Hasher(time_cost=1, memory_cost=1024)


@dataclass
class MovingClock:
    at: datetime = T0

    def now(self) -> datetime:
        return self.at


def people_with(
    *users: tuple[str, Role], rules: SessionRules | None = None
) -> tuple[People, MovingClock, InMemoryStore]:
    clock = MovingClock()
    store = InMemoryStore(clock.now)
    records = InMemoryConsoleStore(store)
    for name, role in users:
        add_user(records, CHEAP, clock, name, role, PASSWORD)
    return People(records, CHEAP, clock, rules or SessionRules()), clock, store
