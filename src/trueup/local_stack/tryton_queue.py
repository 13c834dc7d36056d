"""Tryton's queued tasks for the embedded Tryton, which runs no `trytond-worker`.

Tryton queues work such as a confirmed sale's processing (its shipment and invoice) in `ir.queue`. Without a
worker, `trytond` runs a request's tasks itself right after the request commits; a server stopped in between
leaves them queued for good (the sale stays `confirmed`). `trytond-worker` would run them, but it waits on
PostgreSQL's LISTEN and cannot serve SQLite. So, before the embedded `trytond` starts, the tasks still
pending and due are run here, each in its own transaction, by trytond's own `run_task` (what the worker
calls). A production Tryton on PostgreSQL runs `trytond-worker` (and `trytond-cron`) instead.

Run as `python -m trueup.local_stack.tryton_queue CONFIG DATABASE...` (trytond's configuration is global to
the process, so it is its own process).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path


def pending_tasks(database_file: Path) -> int:
    """How many tasks of this SQLite database are queued, due and not finished (a cheap look, no trytond)."""
    if not database_file.exists() or database_file.stat().st_size == 0:
        return 0
    connection = sqlite3.connect(database_file)
    try:
        (count,) = connection.execute(
            "SELECT count(*) FROM ir_queue WHERE finished_at IS NULL AND (scheduled_at IS NULL OR scheduled_at <= ?)",
            (dt.datetime.now().isoformat(sep=" "),),
        ).fetchone()
    except sqlite3.OperationalError:  # no ir_queue table: not a Tryton database
        return 0
    finally:
        connection.close()
    return int(count)


def run_pending_tasks(config_file: str, databases: list[str]) -> int:
    """Run every pending, due task of `databases`, oldest first; how many ran."""
    from trytond.config import config

    config.update_etc(config_file)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.worker import run_task

    ran = 0
    for name in databases:
        pool = Pool(name)
        with Transaction().start(name, 0, readonly=True):
            pool.init()
        queue = pool.get("ir.queue")
        with Transaction().start(name, 0, readonly=True):
            due = ["OR", ("scheduled_at", "=", None), ("scheduled_at", "<=", dt.datetime.now())]
            tasks = [t.id for t in queue.search([("finished_at", "=", None), due], order=[("id", "ASC")])]
        for task_id in tasks:
            run_task(pool, task_id)
            ran += 1
    return ran


if __name__ == "__main__":
    print(f"tryton queue: {run_pending_tasks(sys.argv[1], sys.argv[2:])} pending task(s) run")
