"""The keyed hashes of orders' customer e-mails in SQL (never the e-mails): read by the hash's index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement, Engine, and_, delete, or_, select

from trueup.adapters.storage import dialects
from trueup.adapters.storage.engine import reading, translate_driver_errors, writing
from trueup.adapters.storage.tables import order_emails


class OrderEmailsSql:
    """The e-mail index part of SqlStore (a mixin); each method one transaction."""

    _engine: Engine

    @translate_driver_errors
    def index_order_email(self, shop: str, order_id: str, email_hash: str) -> None:
        with writing(self._engine) as connection:
            statement = dialects.insert(connection, order_emails).values(
                shop=shop, order_id=order_id, email_hash=email_hash
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["shop", "order_id"], set_={"email_hash": statement.excluded.email_hash}
                )
            )

    @translate_driver_errors
    def orders_by_email(self, hashes: Mapping[str, str], limit: int = 50) -> list[tuple[str, str]]:
        if not hashes:
            return []
        query = (
            select(order_emails.c.shop, order_emails.c.order_id)
            .where(order_emails.c.email_hash.in_(sorted(set(hashes.values()))))
            .order_by(order_emails.c.shop, order_emails.c.order_id)
        )
        with reading(self._engine) as connection:
            found = [(row.shop, row.order_id) for row in connection.execute(query)]
        return [(shop, order_id) for shop, order_id in found if shop in hashes][:limit]

    @translate_driver_errors
    def forget_order_emails(self, shop: str, order_ids: Sequence[str], email_hash: str | None = None) -> int:
        which: list[ColumnElement[bool]] = [order_emails.c.order_id.in_(list(order_ids))]
        if email_hash is not None:
            which.append(order_emails.c.email_hash == email_hash)
        statement = delete(order_emails).where(and_(order_emails.c.shop == shop, or_(*which)))
        with writing(self._engine) as connection:
            return int(connection.execute(statement).rowcount or 0)
