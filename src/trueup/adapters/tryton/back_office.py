"""Tryton 8.2 as trueup's back-office, over JSON-RPC: a thin facade over small collaborators that share one
`TrytonDatabase` (the client, the reference data read once, product rows).

Tryton is all three roles of the port (service_layer/ports.py): the sales ledger (sales_orders.py,
sale_reads.py, amendments.py, credit_notes.py), the item master (item_master.py, kits.py) and the warehouse
(stock.py, shipments.py, restocks.py). Its ids are handed out as opaque strings (values.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from trueup.adapters.tryton import amendments, credit_notes, restocks
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.invoice_taxes import sale_invoice_taxes
from trueup.adapters.tryton.item_master import TrytonItemMaster
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.sale_reads import SaleSnapshot, sale_id_of
from trueup.adapters.tryton.sales_orders import TrytonSalesOrders
from trueup.adapters.tryton.shipments import read_despatched_shipments, shipments_cursor_at
from trueup.adapters.tryton.stock import TrytonStock
from trueup.domain.bundles import KitComponent
from trueup.domain.credit_notes import CreditNoteRequest, PostedCreditNote, RestockRequest
from trueup.domain.errors import StructuralError
from trueup.domain.fulfilment import Shipment
from trueup.domain.inventory import StockChange, WarehouseStock
from trueup.domain.money import Money
from trueup.domain.sales import PostedSale, SaleProgress, SalesOrderRequest


class TrytonBackOffice:
    """The BackOffice port (sales ledger, item master, warehouse) on one Tryton database."""

    def __init__(self, client: TrytonClient) -> None:
        self.db = TrytonDatabase(client)
        self._sales = TrytonSalesOrders(self.db)
        self._items = TrytonItemMaster(self.db)
        self._stock = TrytonStock(self.db)

    # --- sales ledger -----------------------------------------------------------------------------------
    def find_sales_order(self, reference: str) -> PostedSale | None:
        return self._sales.find(reference)

    def create_sales_order(self, order: SalesOrderRequest) -> PostedSale:
        return self._sales.create(order)

    def create_sales_orders(self, orders: Sequence[SalesOrderRequest]) -> list[PostedSale | StructuralError]:
        """Several orders in a few calls (see TrytonSalesOrders.create_many)."""
        return self._sales.create_many(orders)

    def settle_sale_taxes(self, sale_id: str, order: SalesOrderRequest) -> PostedSale:
        return self._sales.settle_taxes(sale_id_of(sale_id), order)

    def sale_progress(self, sale_id: str) -> SaleProgress:
        return SaleSnapshot(self.db, sale_id_of(sale_id)).progress()

    def sale_invoice_taxes(self, sale_id: str) -> dict[str, Money]:
        return sale_invoice_taxes(self.db, sale_id_of(sale_id))

    def amend_sale(self, sale_id: str, order: SalesOrderRequest) -> PostedSale:
        return amendments.amend_sale(self.db, sale_id_of(sale_id), order)

    def cancel_sale(self, sale_id: str) -> PostedSale:
        return amendments.cancel_sale(self.db, sale_id_of(sale_id))

    def find_credit_note(self, reference: str) -> PostedCreditNote | None:
        return credit_notes.find_credit_note(self.db, reference)

    def create_credit_note(self, request: CreditNoteRequest) -> PostedCreditNote:
        return credit_notes.create_credit_note(self.db, request)

    def unknown_taxes(self, codes: Iterable[str]) -> set[str]:
        wanted = set(codes)
        return wanted - set(self.db.reference.lookup("taxes", wanted))

    # --- item master ------------------------------------------------------------------------------------
    def unknown_skus(self, skus: Iterable[str]) -> set[str]:
        return self._items.unknown_skus(skus)

    def kit_components(self, skus: Iterable[str]) -> dict[str, list[KitComponent]]:
        return self._items.kit_components(skus)

    def list_prices(self, skus: Iterable[str]) -> dict[str, Decimal]:
        return self._items.list_prices(skus)

    # --- warehouse --------------------------------------------------------------------------------------
    def stock_changes(self, since_cursor: str | None) -> tuple[list[StockChange], str | None]:
        return self._stock.changes(since_cursor)

    def warehouse_stock(self, warehouse: str, skus: Iterable[str] | None = None) -> list[WarehouseStock]:
        return self._stock.warehouse_stock(warehouse, skus)

    def despatched_shipments(self, since_cursor: str | None) -> tuple[list[Shipment], str | None]:
        return read_despatched_shipments(self.db, since_cursor)

    def shipments_cursor_at(self, moment: dt.datetime) -> str:
        return shipments_cursor_at(moment)

    def check_restock(self, request: RestockRequest) -> None:
        restocks.check_restock(self.db, request)

    def restock(self, request: RestockRequest) -> None:
        restocks.restock(self.db, request)

    def returned_units(self, reference: str) -> dict[str, Decimal]:
        return restocks.returned_units(self.db, reference)
