"""Tryton on PostgreSQL: `trueup tryton init --postgresql` copies a template database built once per server;
`trueup tryton serve --postgresql`'s processes (gunicorn, trytond-worker) serve it and stop cleanly.

The first build of the template on a server takes minutes (trytond-admin on PostgreSQL), hence the timeouts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from tests.support.tryton import free_port
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.entrypoints.cli_groups import tryton_app
from trueup.local_stack.embedded_tryton import ADMIN_LOGIN, ADMIN_PASSWORD
from trueup.local_stack.postgres_tryton import PostgresTryton, build_template, database_exists, drop_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.tryton, pytest.mark.timeout(900)]


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    """A database name of this test on the server, dropped afterwards."""
    name = f"trueup_it_{uuid.uuid4().hex[:12]}"
    yield name
    drop_database(postgres_server, name)


def parties(server: str, database: str) -> list[str]:
    with psycopg.connect(server + database) as connection:
        return [name for (name,) in connection.execute("SELECT name FROM party_party ORDER BY name").fetchall()]


def test_init_copies_the_template_keeps_data_unless_replaced(postgres_server: str, database: str) -> None:
    init = ["init", "--postgresql", postgres_server, "--name", database]

    first = CliRunner().invoke(tryton_app, init)

    assert first.exit_code == 0, first.output
    template = build_template(postgres_server)
    assert parties(postgres_server, database) == parties(postgres_server, template)
    with psycopg.connect(postgres_server + database) as connection:
        connection.execute(
            "UPDATE party_party SET name = 'Renamed in the copy' WHERE id = (SELECT min(id) FROM party_party)"
        )
    assert "Renamed in the copy" not in parties(postgres_server, template)
    assert CliRunner().invoke(tryton_app, init).exit_code == 0
    assert "Renamed in the copy" in parties(postgres_server, database)  # an existing database keeps its data
    assert CliRunner().invoke(tryton_app, [*init, "--replace"]).exit_code == 0
    assert parties(postgres_server, database) == parties(postgres_server, template)


def test_gunicorn_and_the_queue_worker_serve_the_copy_and_stop(
    postgres_server: str, database: str, tmp_path: Path
) -> None:
    assert CliRunner().invoke(tryton_app, ["init", "--postgresql", postgres_server, "--name", database]).exit_code == 0
    tryton = PostgresTryton(tmp_path, postgres_server, database, free_port(), workers=2, cron=True)

    with tryton, TrytonClient(tryton.url, database, ADMIN_LOGIN, ADMIN_PASSWORD) as client:
        assert [p.name for p in tryton.processes] == ["gunicorn (trytond)", "trytond-worker", "trytond-cron"]
        processes = list(tryton.processes)
        warehouses = client.call("stock.location", "search_read", [("type", "=", "warehouse")], 0, None, None, ["code"])
        assert {w["code"] for w in warehouses} >= {"WH1"}
        client.call("party.party", "create", [{"name": "Written over gunicorn"}])

    assert not tryton.running
    assert [p.alive() for p in processes] == [False, False, False]
    assert "Written over gunicorn" in parties(postgres_server, database)
    tryton.drop()
    assert not database_exists(postgres_server, database)
