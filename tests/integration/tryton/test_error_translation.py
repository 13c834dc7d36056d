"""Tryton's failures become trueup's errors at the JSON-RPC boundary: transient, structural or bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.tryton import connect, free_port, unique
from trueup.adapters.tryton.jsonrpc import TrytonClient, error_from_reply, error_from_status
from trueup.domain.errors import BadInput, Cause, StructuralError, TransientError
from trueup.local_stack.embedded_tryton import ADMIN_LOGIN, TrytonServer, create_database


# --- against the real server ---------------------------------------------------------------------
@pytest.mark.tryton
def test_nothing_listening_is_transient() -> None:
    with (
        TrytonClient(f"http://127.0.0.1:{free_port()}", "shop", "admin", "secret") as client,
        pytest.raises(TransientError) as raised,
    ):
        client.call("party.party", "search_count", [])

    assert raised.value.__cause__ is not None


@pytest.mark.tryton
def test_a_wrong_password_is_bad_input(tryton_server: TrytonServer) -> None:
    with (
        TrytonClient(tryton_server.url, "trueup_test", ADMIN_LOGIN, "not the password") as client,
        pytest.raises(BadInput) as raised,
    ):
        client.call("party.party", "search_count", [])

    assert "not the password" not in str(raised.value)


@pytest.mark.tryton
def test_an_unknown_database_is_bad_input(tryton_server: TrytonServer) -> None:
    with connect(tryton_server, "no_such_database") as client, pytest.raises(BadInput):
        client.call("party.party", "search_count", [])


@pytest.mark.tryton
def test_a_refused_session_logs_in_again(tryton_server: TrytonServer) -> None:
    with connect(tryton_server) as client:
        before = client.call("party.party", "search_count", [])
        client._authorization = "Session " + "YWRtaW46MTpleHBpcmVk"  # admin:1:expired

        after = client.call("party.party", "search_count", [])

    assert after == before


@pytest.mark.tryton
def test_a_user_error_is_a_rejection_without_customer_data(tryton_server: TrytonServer) -> None:
    code = unique("CODE")
    with connect(tryton_server) as client:
        client.call("party.party", "create", [{"name": "First", "code": code}])
        with pytest.raises(StructuralError) as raised:
            client.call("party.party", "create", [{"name": "ada@example.com", "code": code}])

    assert raised.value.cause is Cause.BACK_OFFICE_REJECTED
    assert "unique" in raised.value.detail
    assert "ada@example.com" not in str(raised.value)


@pytest.mark.tryton
def test_a_call_slower_than_the_timeout_is_transient(tryton_server: TrytonServer) -> None:
    with connect(tryton_server) as client:
        client.call("party.party", "search_count", [])  # log in with the normal timeout
    with (
        TrytonClient(tryton_server.url, "trueup_test", ADMIN_LOGIN, "x", timeout=0.000001) as hurried,
        pytest.raises(TransientError),
    ):
        hurried.call("party.party", "search_count", [])


# --- trytond's error shapes (read in trytond/protocols), translated --------------------------------
@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (["UserError", ["The code on party must be unique.", "", None]], StructuralError),
        (["UserWarning", ["key", "Are you sure?", ""]], StructuralError),
        (["ConcurrencyException", "Records were modified in the meanwhile"], TransientError),
        (["LoginException", ["password", "Password", "password"]], BadInput),
        (["database is locked", "Traceback ..."], TransientError),
        (["KeyError: 'x'", "Traceback ..."], StructuralError),
    ],
)
def test_reply_errors_are_classed(reply: list[object], expected: type[Exception]) -> None:
    assert isinstance(error_from_reply(reply), expected)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, TransientError),
        (500, TransientError),
        (503, TransientError),
        (504, TransientError),
        (401, BadInput),
        (404, BadInput),
        (403, StructuralError),
        (400, StructuralError),
    ],
)
def test_http_statuses_are_classed(status: int, expected: type[Exception]) -> None:
    assert isinstance(error_from_status(status), expected)


def test_a_rate_limit_keeps_the_wait_asked_for() -> None:
    error = error_from_status(429, retry_after="3")

    assert isinstance(error, TransientError)
    assert error.retry_after == 3.0


def test_rejection_messages_hide_emails() -> None:
    error = error_from_reply(["UserError", ['The e-mail "ada@example.com" is not valid.', "", None]])

    assert isinstance(error, StructuralError)
    assert "ada@example.com" not in error.detail
    assert "<email>" in error.detail


@pytest.mark.tryton
def test_a_locked_database_is_transient(tryton_template: Path, tmp_path: Path) -> None:
    database = create_database(tryton_template, tmp_path, "shop")
    # Without trytond's own retries (5 by default, each waiting SQLite's 5 s busy timeout) the test is quick.
    with (
        TrytonServer(tmp_path, free_port(), settings={"database": {"retry": "0"}}) as server,
        connect(server, "shop") as client,
    ):
        client.call("party.party", "search_count", [])  # logged in before the lock
        other_writer = sqlite3.connect(database, isolation_level=None)
        other_writer.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(TransientError):
                client.call("party.party", "create", [{"name": "Waits for the lock"}])
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()

        assert client.call("party.party", "create", [{"name": "After the lock"}])
