"""Signing in to the console: passwords, refusals recorded, the rate limit, sessions that expire, CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.console.people_support import CHEAP, PASSWORD, people_with
from trueup.domain.errors import BadInput
from trueup.domain.people import Action, Role, may, sees_customers
from trueup.service_layer.people import SessionRules, SignInRefused, add_user, csrf_matches, set_password, token_hash


def test_a_user_signs_in_and_the_store_keeps_only_the_hash_of_the_token() -> None:
    people, _, _ = people_with(("ann", Role.OPERATOR))

    token, session = people.sign_in("ann", PASSWORD, "10.0.0.1")

    assert session.token_hash == token_hash(token) != token
    assert people.records.console_user("ann").password_hash.startswith("$argon2id$")
    assert people.current(token)[1].username == "ann"
    assert [r.action for r in people.records.audit_records()] == [Action.LOGIN]


@pytest.mark.parametrize(("name", "password"), [("ann", "wrong password!"), ("nobody", PASSWORD)])
def test_a_wrong_name_or_password_is_refused_alike_and_recorded(name: str, password: str) -> None:
    people, _, _ = people_with(("ann", Role.OPERATOR))

    with pytest.raises(SignInRefused, match="Wrong name or password"):
        people.sign_in(name, password, "10.0.0.1")

    record = people.records.audit_records()[0]
    assert (record.username, record.action, record.remote) == (name, Action.LOGIN_REFUSED, "10.0.0.1")


def test_after_too_many_failures_even_the_right_password_is_refused_until_the_window_passes() -> None:
    people, clock, _ = people_with(("ann", Role.OPERATOR), rules=SessionRules(attempts=3))
    for _ in range(3):
        with pytest.raises(SignInRefused):
            people.sign_in("ann", "not the password", "10.0.0.1")

    with pytest.raises(SignInRefused, match="Too many failed sign-ins"):
        people.sign_in("ann", PASSWORD, "10.0.0.2")
    assert people.records.audit_records()[0].outcome == "refused: too many attempts"

    clock.at += timedelta(minutes=16)
    assert people.sign_in("ann", PASSWORD)[1].username == "ann"


def test_one_address_trying_many_names_is_stopped_too() -> None:
    people, _, _ = people_with(("ann", Role.OPERATOR), rules=SessionRules(attempts=1))
    for n in range(4):
        with pytest.raises(SignInRefused, match="Wrong"):
            people.sign_in(f"guess{n}", PASSWORD, "10.9.9.9")

    with pytest.raises(SignInRefused, match="Too many"):
        people.sign_in("ann", PASSWORD, "10.9.9.9")


def test_a_session_ends_when_idle_and_at_its_lifetime_however_active() -> None:
    rules = SessionRules(lifetime=timedelta(hours=1), idle=timedelta(minutes=10))
    people, clock, _ = people_with(("ann", Role.VIEWER), rules=rules)
    token, _ = people.sign_in("ann", PASSWORD)

    for _ in range(6):  # active every 9 minutes, 54 minutes in all: alive
        clock.at += timedelta(minutes=9)
        assert people.current(token) is not None
    clock.at += timedelta(minutes=9)  # 54 → 63 minutes
    assert people.current(token) is None

    token, _ = people.sign_in("ann", PASSWORD)
    clock.at += timedelta(minutes=10)
    assert people.current(token) is None
    assert people.current("made-up") is None
    assert people.current(None) is None


def test_a_disabled_user_or_a_new_password_ends_the_sessions() -> None:
    people, _, _ = people_with(("ann", Role.OPERATOR))
    token, _ = people.sign_in("ann", PASSWORD)

    set_password(people.records, CHEAP, "ann", "another long password")

    assert people.current(token) is None
    with pytest.raises(SignInRefused):
        people.sign_in("ann", PASSWORD)
    assert people.sign_in("ann", "another long password")[1].username == "ann"


def test_csrf_tokens_must_match_the_sessions() -> None:
    people, _, _ = people_with(("ann", Role.OPERATOR))
    _, session = people.sign_in("ann", PASSWORD)

    assert csrf_matches(session, session.csrf_token)
    assert not csrf_matches(session, None)
    assert not csrf_matches(session, "")
    assert not csrf_matches(session, session.csrf_token + "x")


def test_names_and_passwords_are_checked_and_a_name_is_taken_once() -> None:
    people, clock, _ = people_with(("ann", Role.OPERATOR))

    with pytest.raises(BadInput, match="exists already"):
        add_user(people.records, CHEAP, clock, "ann", Role.VIEWER, PASSWORD)
    with pytest.raises(BadInput, match="at least 12"):
        add_user(people.records, CHEAP, clock, "bob", Role.VIEWER, "short")
    with pytest.raises(BadInput, match="username"):
        add_user(people.records, CHEAP, clock, "<b>bob</b>", Role.VIEWER, PASSWORD)


def test_only_operators_and_admins_act_and_viewers_see_no_customers() -> None:
    assert [may(role, Action.REPLAY) for role in Role] == [False, True, True]
    assert [sees_customers(role) for role in Role] == [False, True, True]
