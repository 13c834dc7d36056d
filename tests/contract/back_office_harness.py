"""One harness for the back-office contract tests: a back-office under test (the fake or Tryton on a real
trytond) with what a test does behind it (products, stock, kits, a warehouse clerk's steps) and reads back
there (parties, sales, shipments, stock). The contract modules (test_back_office_*.py, test_sales_ledger_*.py)
all take the `erp` fixture (tests/contract/conftest.py); a new back-office adds its harness here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from tests.fakes.back_office import FakeBackOffice
from tests.support.tryton import catalogue_item, seed_catalogue
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.database import TrytonDatabase
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.parties import party_code
from trueup.adapters.tryton.sales_orders import TrytonSalesOrders
from trueup.domain.bundles import KitComponent
from trueup.domain.money import Money
from trueup.domain.orders import Customer
from trueup.domain.sales import SalesOrderRequest, ShipmentStage
from trueup.local_stack.tryton_catalogue import receive_stock
from trueup.service_layer.ports import BackOffice

TRYTON_STEP = {
    ShipmentStage.ASSIGNED: "assign_try",
    ShipmentStage.PICKED: "pick",
    ShipmentStage.PACKED: "pack",
    ShipmentStage.SHIPPED: "ship",
    ShipmentStage.DONE: "do",
}
ORDER = list(TRYTON_STEP)
TRYTON_STEPS = {"shipped": ("assign_try", "pick", "pack", "ship"), "done": ("assign_try", "pick", "pack", "ship", "do")}


@dataclass(frozen=True)
class SaleView:
    """What a sale records about its buyer: the party's code, the payment term's name, the comment."""

    party_code: str
    payment_term: str | None
    comment: str | None


class BackOfficeHarness(Protocol):
    """What the contract tests need of a back-office and behind it."""

    back_office: BackOffice

    # --- set-up, as the brand's people would in the ERP -------------------------------------------------
    def add_products(self, prices: dict[str, str]) -> None:
        """Products (SKU → list price) in the item master."""

    def receive_stock(self, quantities: dict[str, int], warehouse: str) -> None:
        """A goods receipt of `quantities` (SKU → units) at `warehouse`, done."""

    def add_kit(self, sku: str, parts: list[tuple[str, int, str]]) -> None:
        """A kit sold under `sku`: [(component SKU, quantity, list price)], the components new products."""

    # --- a warehouse clerk's steps ----------------------------------------------------------------------
    def set_stage(self, sale_id: str, stage: ShipmentStage) -> None:
        """The sale's live shipment moved on to `stage`."""

    def despatch(self, reference: str, tracking: str | None, state: str) -> None:
        """The sale's shipments despatched ("shipped" or "done"), with a tracking number."""

    def ship_from(self, reference: str, skus: list[str], warehouse: str) -> None:
        """Before despatch: the lines of `skus` go on a shipment of their own from `warehouse`."""

    def set_carrier(self, reference: str, carrier: str) -> None:
        """Before despatch: a carrier (by name) on the sale's shipments."""

    def stop_parcel(self, sale_id: str) -> None:
        """What the docs tell a person to do to stop a parcel: cancel the sale's live shipment in the ERP."""

    def confirm_without_processing(self, order: SalesOrderRequest) -> None:
        """The sale of `order` created and confirmed, its processing never run (the ERP stopped in between)."""

    # --- read back ------------------------------------------------------------------------------------
    def invoice_taxes(self, reference: str) -> dict[str, Money]:
        """The tax the sale's invoice carries, by ERP tax (name)."""

    def parties_of(self, customer: Customer) -> int:
        """How many parties `customer` matches (by code or e-mail): 1 when nothing was duplicated."""

    def parties_with_code(self, code: str) -> int: ...

    def sales_with_reference(self, reference: str) -> int: ...

    def sale_view(self, reference: str) -> SaleView: ...

    def addresses_of(self, code: str) -> int:
        """How many addresses the party of `code` holds."""

    def party_fields_of(self, code: str) -> dict[str, str]:
        """The party's fields from metafields, by target ("party.identifier:eu_vat" → its code)."""

    def stock_at(self, sku: str, warehouse: str) -> Decimal:
        """Units of `sku` on hand at `warehouse`."""

    def pending_units(self, sale_id: str, sku: str) -> Decimal:
        """Units of `sku` on the sale's shipments still to pick."""

    def shipment_city(self, sale_id: str) -> str:
        """The city the sale's live shipment goes to."""


class FakeHarness:
    def __init__(self) -> None:
        self.fake = FakeBackOffice()
        self.back_office: BackOffice = self.fake
        self._moved: dict[str, tuple[list[str], str]] = {}
        self._carriers: dict[str, str] = {}

    def add_products(self, prices: dict[str, str]) -> None:
        self.fake.add_products(*prices)
        self.fake.prices.update({sku: Decimal(price) for sku, price in prices.items()})

    def receive_stock(self, quantities: dict[str, int], warehouse: str) -> None:
        for sku, units in quantities.items():
            self.fake.receive(sku, warehouse, units)

    def add_kit(self, sku: str, parts: list[tuple[str, int, str]]) -> None:
        self.fake.add_kit(sku, [KitComponent(c, Decimal(q), Decimal(p)) for c, q, p in parts])

    def set_stage(self, sale_id: str, stage: ShipmentStage) -> None:
        self.fake.set_shipment_stage(sale_id, stage)

    def despatch(self, reference: str, tracking: str | None, state: str) -> None:
        lines = [(line.sku, int(line.quantity)) for line in self.fake.requests[reference].lines if not line.is_shipping]
        skus, warehouse = self._moved.get(reference, ([], ""))
        carrier = self._carriers.get(reference)
        if skus:
            chosen = [(s, q) for s, q in lines if s in skus]
            self.fake.despatch(reference, chosen, tracking, carrier=carrier, warehouse=warehouse)
        self.fake.despatch(reference, [(s, q) for s, q in lines if s not in skus], tracking, carrier=carrier)

    def ship_from(self, reference: str, skus: list[str], warehouse: str) -> None:
        self._moved[reference] = (skus, warehouse)

    def confirm_without_processing(self, order: SalesOrderRequest) -> None:
        self.fake.confirm_without_processing(order)

    def stop_parcel(self, sale_id: str) -> None:
        self.fake.set_shipment_stage(sale_id, ShipmentStage.CANCELLED)

    def invoice_taxes(self, reference: str) -> dict[str, Money]:
        return {code: amount for code, amount in self.fake.invoice_taxes[reference].items() if not amount.is_zero()}

    def set_carrier(self, reference: str, carrier: str) -> None:
        self._carriers[reference] = carrier

    def parties_of(self, customer: Customer) -> int:
        return self.fake.parties_of(customer)

    def _with_code(self, code: str) -> list[int]:
        return [i for i, known in self.fake.parties.items() if party_code(known) == code]

    def parties_with_code(self, code: str) -> int:
        return len(self._with_code(code))

    def sales_with_reference(self, reference: str) -> int:
        return int(reference in self.fake.sales)

    def sale_view(self, reference: str) -> SaleView:
        record = self.fake.sale_records[reference]
        return SaleView(party_code(self.fake.parties[record.party_id]), record.payment_term, record.comment)

    def addresses_of(self, code: str) -> int:
        return sum(len(self.fake.party_addresses.get(i, [])) for i in self._with_code(code))

    def party_fields_of(self, code: str) -> dict[str, str]:
        return self.fake.party_fields.get(self._with_code(code)[0], {})

    def stock_at(self, sku: str, warehouse: str) -> Decimal:
        return self.fake.stock.get((sku, warehouse), Decimal(0))

    def _reference(self, sale_id: str) -> str:
        return next(ref for ref, sale in self.fake.sales.items() if sale.erp_id == sale_id)

    def pending_units(self, sale_id: str, sku: str) -> Decimal:
        record = self.fake.posted.sales[self._reference(sale_id)]
        live = [s for s in record.shipments if s.stage in (ShipmentStage.WAITING, ShipmentStage.ASSIGNED)]
        return sum((s.lines.get(sku, Decimal(0)) for s in live), Decimal(0))

    def shipment_city(self, sale_id: str) -> str:
        address = self.fake.sale_records[self._reference(sale_id)].shipment_address
        return address.city if address else ""


class TrytonWarehouse:
    """What a warehouse clerk does in Tryton (shipment stages), and what the tests read back there."""

    def __init__(self, client: TrytonClient) -> None:
        self.client = client

    def live_shipments(self, sale_id: str) -> list[dict[str, object]]:
        (sale,) = self.client.call("sale.sale", "read", [int(sale_id)], ["shipments"])
        rows = self.client.call("stock.shipment.out", "read", sale["shipments"], ["state", "delivery_address.city"])
        return [row for row in rows if row["state"] != "cancelled"]

    def stop_parcel(self, sale_id: str) -> None:
        shipment = self.live_shipments(sale_id)[-1]
        self.client.call("stock.shipment.out", "cancel", [shipment["id"]])

    def set_stage(self, sale_id: str, stage: ShipmentStage) -> None:
        shipment = self.live_shipments(sale_id)[-1]
        now = {"waiting": ShipmentStage.WAITING, "draft": ShipmentStage.WAITING}.get(str(shipment["state"]))
        start = 0 if now else ORDER.index(ShipmentStage(str(shipment["state"]))) + 1
        for step in ORDER[start : ORDER.index(stage) + 1]:
            self.client.call("stock.shipment.out", TRYTON_STEP[step], [shipment["id"]])

    def stock_at(self, sku: str, warehouse: str) -> Decimal:
        (location,) = self.client.call("stock.location", "search", [("code", "=", warehouse)], 0, 1, None)
        context = {"locations": [location], "stock_date_end": dt.date.today(), "with_childs": True}
        (row,) = self.client.call(
            "product.product", "search_read", [("code", "=", sku)], 0, 1, None, ["quantity"], context=context
        )
        return Decimal(str(row["quantity"]))

    def pending_units(self, sale_id: str, sku: str) -> Decimal:
        shipments = [
            f"stock.shipment.out,{s['id']}"
            for s in self.live_shipments(sale_id)
            if s["state"] in ("draft", "waiting", "assigned")
        ]
        moves = self.client.call(
            "stock.move",
            "search_read",
            [
                ("shipment", "in", shipments),
                ("product.code", "=", sku),
                ("state", "!=", "cancelled"),
                ("to_location.type", "=", "customer"),
            ],
            0,
            None,
            None,
            ["quantity"],
        )
        return sum((Decimal(str(m["quantity"])) for m in moves), Decimal(0))

    def shipment_city(self, sale_id: str) -> str:
        return str(self.live_shipments(sale_id)[-1]["delivery_address."]["city"])  # type: ignore[index]


class TrytonHarness(TrytonWarehouse):
    """Tryton on a real trytond, through its JSON-RPC as a person's client would."""

    def __init__(self, client: TrytonClient) -> None:
        super().__init__(client)
        self.back_office: BackOffice = TrytonBackOffice(client)

    def add_products(self, prices: dict[str, str]) -> None:
        add_products(self.client, prices)

    def receive_stock(self, quantities: dict[str, int], warehouse: str) -> None:
        receive_stock(self.client, quantities, warehouse)

    def add_kit(self, sku: str, parts: list[tuple[str, int, str]]) -> None:
        add_kit(self.client, sku, parts)

    def despatch(self, reference: str, tracking: str | None, state: str) -> None:
        tryton_despatch(self.client, reference, tracking, state)

    def ship_from(self, reference: str, skus: list[str], warehouse: str) -> None:
        tryton_ship_from(self.client, reference, skus, warehouse)

    def set_carrier(self, reference: str, carrier: str) -> None:
        tryton_set_carrier(self.client, reference, carrier)

    def confirm_without_processing(self, order: SalesOrderRequest) -> None:
        """Created, quoted and confirmed by hand, as a person would: on a trytond whose queue tasks are left
        to a worker that is not running (`[queue] worker = True`), the sale stays confirmed with its
        processing task queued, as a Tryton stopped right after the confirm leaves it."""
        sales = TrytonSalesOrders(TrytonDatabase(self.client))
        products = sales._db.product_rows({line.sku for line in order.lines})
        (sale_id,) = self.client.call("sale.sale", "create", [sales._sale_values(order, products)])
        self.client.call("sale.sale", "quote", [sale_id])
        self.client.call("sale.sale", "confirm", [sale_id])
        (row,) = self.client.call("sale.sale", "read", [sale_id], ["state", "shipments"])
        assert (row["state"], row["shipments"]) == ("confirmed", [])

    def invoice_taxes(self, reference: str) -> dict[str, Money]:
        return tryton_invoice_taxes(self.client, reference)

    def parties_of(self, customer: Customer) -> int:
        by_email = ("contact_mechanisms", "where", [("type", "=", "email"), ("value", "=", customer.email.lower())])
        domain = ["OR", ("code", "=", party_code(customer)), by_email]
        return int(self.client.call("party.party", "search_count", domain))

    def parties_with_code(self, code: str) -> int:
        return int(self.client.call("party.party", "search_count", [("code", "=", code)]))

    def sales_with_reference(self, reference: str) -> int:
        return int(self.client.call("sale.sale", "search_count", [("reference", "=", reference)]))

    def sale_view(self, reference: str) -> SaleView:
        return tryton_sale_view(self.client, reference)

    def addresses_of(self, code: str) -> int:
        return int(self.client.call("party.address", "search_count", [("party.code", "=", code)]))

    def party_fields_of(self, code: str) -> dict[str, str]:
        return tryton_party_fields(self.client, code)


def add_products(client: TrytonClient, prices: dict[str, str]) -> None:
    seed_catalogue(client, [catalogue_item(sku, price) for sku, price in prices.items()])


def add_kit(client: TrytonClient, sku: str, parts: list[tuple[str, int, str]]) -> None:
    components = [catalogue_item(c, price) for c, _, price in parts]
    seed_catalogue(client, [*components, catalogue_item(sku, "0.00", components=[(c, q) for c, q, _ in parts])])


def tryton_invoice_taxes(client: TrytonClient, reference: str) -> dict[str, Money]:
    """The tax rows of the sale's live invoices, summed by tax name (non-zero ones)."""
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["invoices"])
    invoices = client.call("account.invoice", "read", sale["invoices"], ["state", "currency.code"])
    live = [i for i in invoices if i["state"] != "cancelled"]
    rows = client.call(
        "account.invoice.tax", "search_read", [("invoice", "in", [i["id"] for i in live])], 0, None, None,
        ["tax.name", "amount"],
    )  # fmt: skip
    amounts: dict[str, Money] = {}
    for row in rows:
        name, currency = row["tax."]["name"], live[0]["currency."]["code"]
        amounts[name] = amounts.get(name, Money.zero(currency)) + Money(row["amount"], currency)
    return {name: amount for name, amount in amounts.items() if not amount.is_zero()}


def tryton_sale_view(client: TrytonClient, reference: str) -> SaleView:
    fields = ["party", "payment_term", "comment"]
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, fields)
    (party,) = client.call("party.party", "read", [sale["party"]], ["code"])
    term = None
    if sale["payment_term"] is not None:
        (row,) = client.call("account.invoice.payment_term", "read", [sale["payment_term"]], ["name"])
        term = row["name"]
    return SaleView(party["code"], term, sale["comment"])


def tryton_party_fields(client: TrytonClient, code: str) -> dict[str, str]:
    """The party's identifiers ("party.identifier[:type]" → code) and its customer payment term's name."""
    (party,) = client.call("party.party", "search_read", [("code", "=", code)], 0, 1, None, ["customer_payment_term"])
    rows = client.call(
        "party.identifier", "search_read", [("party", "=", party["id"])], 0, None, None, ["type", "code"]
    )
    fields = {("party.identifier:" + row["type"] if row["type"] else "party.identifier"): row["code"] for row in rows}
    if party["customer_payment_term"] is not None:
        (term,) = client.call("account.invoice.payment_term", "read", [party["customer_payment_term"]], ["name"])
        fields["party.customer_payment_term"] = term["name"]
    return fields


def tryton_set_carrier(client: TrytonClient, reference: str, carrier: str) -> None:
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["shipments"])
    (carrier_id,) = client.call("carrier", "search", [("party.name", "=", carrier)], 0, 1, None)
    client.call("stock.shipment.out", "write", sale["shipments"], {"carrier": carrier_id})


def tryton_ship_from(client: TrytonClient, reference: str, skus: list[str], warehouse: str) -> None:
    """What a person does in Tryton to ship some lines of a sale from another warehouse: the sale's waiting
    shipment back to draft, a shipment from `warehouse` for the same customer, the lines' outgoing moves
    moved onto it, and both shipments waiting again."""
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["shipments"])
    (first,) = sale["shipments"]
    fields = ["customer", "delivery_address", "company", "outgoing_moves"]
    (shipment,) = client.call("stock.shipment.out", "read", [first], fields)
    (other,) = client.call(
        "stock.location",
        "search_read",
        [("code", "=", warehouse), ("type", "=", "warehouse")],
        0,
        1,
        None,
        ["output_location", "storage_location"],
    )
    client.call("stock.shipment.out", "draft", [first])
    values = {key: shipment[key] for key in ("customer", "delivery_address", "company")}
    where = {"warehouse": other["id"], "warehouse_output": other["output_location"]}
    where["warehouse_storage"] = other["storage_location"]
    (second,) = client.call("stock.shipment.out", "create", [values | where])
    moves = client.call("stock.move", "read", shipment["outgoing_moves"], ["product.code"])
    chosen = [m["id"] for m in moves if (m.get("product.") or {}).get("code") in skus]
    client.call("stock.move", "write", chosen, {"from_location": other["output_location"]})
    client.call("stock.shipment.out", "write", [second], {"outgoing_moves": [("add", chosen)]})
    client.call("stock.shipment.out", "wait", [first, second])


def tryton_despatch(client: TrytonClient, reference: str, tracking: str | None, state: str) -> None:
    (sale,) = client.call("sale.sale", "search_read", [("reference", "=", reference)], 0, 1, None, ["shipments"])
    shipments = sale["shipments"]
    if tracking:
        client.call("stock.shipment.out", "write", shipments, {"reference": tracking})
    for step in TRYTON_STEPS[state]:
        client.call("stock.shipment.out", step, shipments)
