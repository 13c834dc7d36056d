"""Keep the shop's state in a file between runs (optional; the sandbox is in memory by default)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from shopify_sandbox.clock import Clock
from shopify_sandbox.events import WebhookBus
from shopify_sandbox.state import ShopState


def save_state(state: ShopState, path: Path) -> None:
    """Write the state atomically (the clock, bus and lock are not saved: they belong to the process)."""
    clock, bus, lock, hooks = state.clock, state.bus, state.lock, state.before_request
    with lock:
        try:
            del state.clock, state.bus, state.lock, state.before_request
            data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            state.clock, state.bus, state.lock, state.before_request = clock, bus, lock, hooks
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def load_state(path: Path, clock: Clock, bus: WebhookBus) -> ShopState:
    """A state saved by `save_state` (a file this sandbox wrote itself: pickle is not for untrusted input)."""
    import threading

    state: ShopState = pickle.loads(path.read_bytes())  # noqa: S301
    state.clock, state.bus, state.lock, state.before_request = clock, bus, threading.RLock(), []
    return state
