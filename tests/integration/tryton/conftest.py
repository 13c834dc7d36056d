"""The session's real Tryton (see tests/support/tryton.py) for the tests of this folder."""

from tests.support.tryton import tryton_server, tryton_template  # noqa: F401
