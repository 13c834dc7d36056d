"""Schema migrations, run from code: `upgrade(url)` brings a database to the latest schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import exc

from trueup.adapters.storage.engine import describe_connection_failure, make_engine
from trueup.domain.errors import BadInput

MIGRATIONS = Path(__file__).parent / "migrations"


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision` to the database at `url` (idempotent)."""
    _run(command.upgrade, url, revision)


def downgrade(url: str, revision: str) -> None:
    """Undo the migrations after `revision` on the database at `url`."""
    _run(command.downgrade, url, revision)


def _run(action: Callable[[Config, str], None], url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        try:
            connection = engine.connect()
        except exc.DBAPIError as error:  # a database down, missing, or refusing us: said in one line
            raise BadInput(describe_connection_failure(error, url)) from None
        with connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            action(config, revision)
    finally:
        engine.dispose()
