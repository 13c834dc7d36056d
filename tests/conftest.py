"""Fixtures shared by every test folder: PostgreSQL (a template database cloned per test) and a real Tryton,
registered once here so that no test module imports a fixture."""

pytest_plugins = ["tests.support.postgres", "tests.support.tryton"]
