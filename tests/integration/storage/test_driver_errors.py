"""Database failures reach the engine as TransientError (retry later), never as a driver exception."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from trueup.adapters.storage import SqlStore, upgrade
from trueup.domain.errors import TransientError
from trueup.entrypoints.benchmarks.intake import free_port
from trueup.service_layer.ports import JobRequest


def test_a_locked_sqlite_database_is_a_transient_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    upgrade(f"sqlite:///{path}")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with SqlStore(f"sqlite:///{path}", sqlite_busy_timeout_s=0.05) as store, pytest.raises(TransientError):
            store.enqueue(JobRequest("sync_order", "k", "shop"))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_an_unreachable_postgresql_is_a_transient_error() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    with SqlStore(url) as store, pytest.raises(TransientError, match="database unavailable"):
        store.pending_jobs()
