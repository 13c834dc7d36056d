"""Fixtures shared by every test folder: PostgreSQL (a template database cloned per test) and a real Tryton."""

from tests.support.postgres import postgres_template, postgres_url  # noqa: F401
from tests.support.tryton import tryton_client, tryton_server, tryton_template  # noqa: F401
