"""The ports: what the engine needs of Shopify, of the back-office and of its own storage.

Each has a fake for unit tests (`tests/fakes/`) and a contract test holding the fake and the real thing
to the same assertions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from trueup.domain.alerts import AlertState
from trueup.domain.api_usage import ApiUsage
from trueup.domain.bundles import KitComponent
from trueup.domain.completeness import Finding, OpenFinding
from trueup.domain.credentials import ShopToken
from trueup.domain.credit_notes import CreditNoteRequest, PostedCreditNote, RestockRequest
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.fulfilment import (
    FulfilmentRecord,
    FulfilmentRequest,
    FulfilmentState,
    OrderFulfilment,
    Shipment,
    Tracking,
)
from trueup.domain.inventory import (
    Drift,
    InventoryLevel,
    LevelSet,
    ShopLocation,
    StockChange,
    StockIssue,
    StockWrite,
    StockWriteResult,
    WarehouseStock,
)
from trueup.domain.ledger import LedgerEntry, OrderState
from trueup.domain.money import Money
from trueup.domain.month_close import ErpDocument
from trueup.domain.orders import ShopifyOrder
from trueup.domain.payments import BookedPayment, Payment
from trueup.domain.payouts import (
    AccountBalance,
    BalanceTransaction,
    BookedEntry,
    Payout,
    PayoutEntry,
    PayoutRecord,
    PayoutState,
)
from trueup.domain.people import AuditRecord, ConsoleSession, ConsoleUser
from trueup.domain.refunds import Refund, RefundRecord, RefundState
from trueup.domain.sales import PostedSale, SaleProgress, SalesOrderRequest
from trueup.domain.shop_setup import WebhookSubscription
from trueup.domain.tax_variances import TaxVarianceRecord


@dataclass(frozen=True)
class OrderStamp:
    """An order's id and the time of its latest update: what a reconciliation poll needs."""

    order_id: str  # gid://shopify/Order/<n>
    updated_at: datetime


class ShopifyAdmin(Protocol):
    """One shop's Admin API, in trueup's terms. Raises TransientError for what may pass."""

    shop: str

    def fetch_order(self, order_id: str) -> ShopifyOrder | None:
        """The order as Shopify holds it now, or None if Shopify does not know it."""

    def orders_updated_since(self, since: datetime) -> Iterator[ShopifyOrder]:
        """Every order updated at or after `since`, oldest update first, across all pages."""

    def order_ids_updated_since(self, since: datetime) -> Iterator[OrderStamp]:
        """The id and update time of every order updated at or after `since`, oldest first (cheap)."""

    def ensure_webhooks(self, callback_url: str, topics: Sequence[str]) -> None:
        """Subscribe `callback_url` to `topics` (REST form, "orders/create"), without duplicating subscriptions."""

    def order_refunds(self, order_id: str) -> list[Refund]:
        """The order's refunds, oldest first, each with its lines (restock type and location), shipping and
        order adjustments; empty when Shopify does not know the order."""

    def order_fulfilment(self, order_id: str) -> OrderFulfilment | None:
        """The order's fulfilment orders (open lines with remaining quantities) and the ids of its
        fulfilments, oldest first; None if Shopify does not know the order."""

    def create_fulfilment(self, request: FulfilmentRequest) -> str:
        """Create one fulfilment; returns its id. A refusal (line closed, quantity above what remains)
        raises StructuralError(FULFILMENT_ORDER_NOT_FOUND)."""

    def hold_fulfilment(self, order_id: str, reason_notes: str) -> int:
        """Hold the order's open fulfilment orders under trueup's own hold (reason OTHER, `reason_notes`),
        so the warehouse does not start on it; those already held by trueup stay as they are (idempotent).
        Returns how many fulfilment orders trueup now holds (0 for an unknown or closed order)."""

    def release_fulfilment_holds(self, order_id: str) -> int:
        """Release trueup's own holds on the order's fulfilment orders; holds placed by others stay.
        Returns how many were released (0 when trueup held none)."""

    def update_tracking(self, fulfillment_id: str, tracking: Tracking, *, notify_customer: bool) -> None:
        """Replace the tracking (carrier, number, URL) of fulfilment `fulfillment_id`, the customer told or
        not; its lines do not change. A refusal (no such fulfilment, cancelled) raises StructuralError."""

    # --- inventory ------------------------------------------------------------------------------
    def locations(self) -> list[ShopLocation]:
        """Every location of the shop, active or not."""

    def inventory_levels(self, location_ids: Sequence[str], skus: Iterable[str] | None = None) -> list[InventoryLevel]:
        """`available` of tracked inventory items at `location_ids`, with `committed` read in the same query:
        of `skus`, or of every SKU (a whole catalogue is read in bulk). Items not stocked at a location are
        left out."""

    def set_available(self, writes: Sequence[StockWrite], idempotency_key: str) -> StockWriteResult:
        """Set `available` for up to 250 (item, location) pairs in one call, each compared with its
        `expected` quantity (changeFromQuantity). The same key sent again applies nothing twice.
        Every write comes back either applied or stale (Shopify refuses a call whole when one compare is
        stale: the others are sent again). Runs at inventory priority on the shop's cost budget."""


# --- the back-office, by role ----------------------------------------------------------------------------
# A back-office is the roles it implements: an ERP (Tryton) is all three; a 3PL over files could be the
# warehouse alone, beside an ERP's sales ledger and item master. Each raises TransientError for what may pass
# and StructuralError for data. ERP ids (of sales, their lines, credit notes, shipments) are opaque strings:
# trueup stores them and hands them back, never reads them. Accounting (payout entries; payments settling
# invoices to come) is a role of its own, as the reading of the ERP's documents for the completeness check will be.


class SalesLedger(Protocol):
    """Sales orders and their credit notes: what the ERP books of each Shopify order and refund."""

    def find_sales_order(self, reference: str) -> PostedSale | None:
        """The sales order carrying this external reference, if the ERP has one."""

    def create_sales_order(self, order: SalesOrderRequest) -> PostedSale:
        """Create and confirm a sales order (customer matched or created), after the domain's pre-posting checks
        (domain/posting_checks.py: nothing is created when one fails) and with the tax settled as
        domain/tax_rounding.py decides. Not idempotent by itself: callers look the reference up first."""

    def create_sales_orders(self, orders: Sequence[SalesOrderRequest]) -> list[PostedSale | StructuralError]:
        """Several orders as `create_sales_order` posts each (checks, tax settlement, confirmation), in fewer
        round trips: per order, its sale or the StructuralError why it cannot post (nothing of it created).
        A TransientError fails the whole call, some sales perhaps committed: callers look references up."""

    def settle_sale_taxes(self, sale_id: str, order: SalesOrderRequest) -> PostedSale:
        """Shopify's tax set on the found sale's draft invoice as `create_sales_order` sets it: for a sale found
        again after an attempt that stopped between the confirm and the tax (a crash, an ERP outage). A tax
        already set is left as it is; a sale with no draft invoice is returned as it stands. The sale, with the
        tax variances for finance."""

    def sale_progress(self, sale_id: str) -> SaleProgress:
        """The sale as it stands: state, goods lines with shipped quantities, shipments and their stage."""

    def sale_invoice_taxes(self, sale_id: str) -> dict[str, Money]:
        """The tax the sale's live (not cancelled) invoices carry, summed per ERP tax (by name), those summing
        to zero left out; empty while the sale has no invoice. For `trueup verify`'s period figures."""

    def amend_sale(self, sale_id: str, order: SalesOrderRequest) -> PostedSale:
        """Make the posted sale match `order` (the Shopify order mapped again): lines added, removed or
        changed in quantity or price, shipping address and contact; its shipments still to pick and its
        draft invoices follow. The pre-posting checks and the tax settlement are those of a new sale. Callers
        check the cut-off first; the ERP refusing (a line already shipped) raises StructuralError."""

    def cancel_sale(self, sale_id: str) -> PostedSale:
        """Cancel the sale with its shipments not yet despatched and its draft invoices (idempotent)."""

    def find_credit_note(self, reference: str) -> PostedCreditNote | None:
        """The posted credit note carrying this reference, if the ERP has one."""

    def unknown_taxes(self, codes: Iterable[str]) -> set[str]:
        """The ERP taxes of `codes` (as the configuration's `[taxes]` names them) the ERP does not have."""

    def create_credit_note(self, request: CreditNoteRequest) -> PostedCreditNote:
        """Create and post a credit note for one refund against the sale (its invoice where it has one,
        posted first if it is a draft), totalling `request.expected_total`; the products and taxes are checked
        first (nothing is created when one is missing). Moves no stock (the warehouse's `restock` does).
        Idempotent by `request.reference`: a posted note of that reference is returned as it is, and what an
        attempt cut short left is finished or made again."""


class ItemMaster(Protocol):
    """The products the ERP sells: SKUs, kits (bundles sold under one SKU) and list prices."""

    def unknown_skus(self, skus: Iterable[str]) -> set[str]:
        """The SKUs of `skus` the item master does not have."""

    def kit_components(self, skus: Iterable[str]) -> dict[str, list[KitComponent]]:
        """The components of those of `skus` the ERP defines as kits (bundles sold under one SKU), in the
        ERP's order, with their list prices; SKUs that are not kits, or are unknown, are left out."""

    def list_prices(self, skus: Iterable[str]) -> dict[str, Decimal]:
        """The list prices of those of `skus` the item master has (the weights a configured bundle's
        components are spread by); unknown SKUs are left out."""


class Warehouse(Protocol):
    """Stock and shipments: what the warehouse holds, what it despatched, and the stock side of refunds."""

    def stock_changes(self, since_cursor: str | None) -> tuple[list[StockChange], str | None]:
        """Products whose stock moved at a warehouse since `since_cursor` (None: from now on — returns
        no change, only a cursor), with the cursor to read from next."""

    def warehouse_stock(self, warehouse: str, skus: Iterable[str] | None = None) -> list[WarehouseStock]:
        """What can be promised of `skus` (None: every stockable product) at `warehouse`: on hand less what
        is due out, never below zero; kits as their scarcest component allows. `on_hand` is what is there
        (nothing due out taken off; None when the ERP cannot say)."""

    def despatched_shipments(self, since_cursor: str | None) -> tuple[list[Shipment], str | None]:
        """Customer shipments despatched (shipped or done) since `since_cursor` (None: from the start), oldest
        first, in batches, with the cursor to read from next. A shipment may come again (at the cursor's
        edge, or when written again after despatch): callers make handling it idempotent."""

    def shipments_cursor_at(self, moment: datetime) -> str:
        """The cursor from which `despatched_shipments` reads the shipments written at or after `moment` (a
        first read starts there, not at the beginning of the ERP's history)."""

    def check_restock(self, request: RestockRequest) -> None:
        """Raise StructuralError if `request` cannot be carried out (a product unknown, a warehouse unknown,
        CANCEL units no longer on a shipment still to pick: ALREADY_DESPATCHED); changes nothing. Asked
        before the refund's credit note is made, so that a refund whose units can no longer be taken off
        creates nothing."""

    def restock(self, request: RestockRequest) -> None:
        """Receive the RETURN units back at their warehouse (the sale's when None) and take the CANCEL units
        off the sale's shipment still to pick. Idempotent by `request.reference`: a refund's units move once,
        and what an attempt cut short left is finished."""

    def returned_units(self, reference: str) -> dict[str, Decimal]:
        """The units the customer returns of the refund with this reference (`RestockRequest.reference`) have
        received back into stock, per SKU, as the warehouse holds them; empty when there is none."""


class ShopifyPaymentsReader(Protocol):
    """One shop's Shopify Payments payouts (polled: Shopify sends no payout webhook)."""

    def payouts_issued_since(self, since: date) -> Iterator[Payout]:
        """Every payout issued on or after `since`, oldest first, without its transactions (none when the shop
        has no Shopify Payments account)."""

    def with_transactions(self, payout: Payout) -> Payout:
        """`payout` with its balance transactions, its own TRANSFER left out (they sum to its net)."""

    def unpaid_transactions(self) -> list[BalanceTransaction]:
        """The balance transactions not paid out yet: in no payout, or in one still scheduled or in transit
        (transfers left out), oldest first."""


class Accounting(Protocol):
    """The general ledger: entries booked by reference (one per Shopify Payments payout, its reversal when it
    fails after booking), the accounts they use, their balances."""

    def missing_accounts(self, codes: Iterable[str], journal: str) -> list[str]:
        """What the ERP lacks of `codes` (accounts that can take entries) and of the `journal`, one message each
        naming it; empty when everything is there. Checked at start."""

    def find_entry(self, reference: str) -> BookedEntry | None:
        """The entry carrying this reference, if the ERP has one (posted first when an attempt cut short left
        it unposted)."""

    def book_entry(self, entry: PayoutEntry, journal: str, exchange_account: str) -> BookedEntry:
        """Book and post `entry` on `journal`, in the company's currency when the entry's is another (at the
        entry date's rate, the conversion's rounding on `exchange_account`: domain.payouts.in_company_currency).
        An account or journal missing raises StructuralError(UNMAPPED_PAYMENT_ACCOUNT) and creates nothing. Not
        idempotent by itself: callers look the reference up first."""

    def account_balances(self, codes: Iterable[str]) -> dict[str, AccountBalance]:
        """The posted balance of each account of `codes` the ERP has."""

    def month_books(
        self,
        references: Collection[str],
        start: date,
        end: date,
        fee_account: str,
        bank_accounts: Collection[str],
    ) -> list[ErpDocument]:
        """What the ERP's accounts book for the month view (domain/month_close.py): the posted invoices and credit
        notes carrying `references` (a sale's reference or the note's own), with their revenue and tax lines;
        the posted entries described by a reference (or its `:returned`), with their fee expense and bank lines;
        and every posted entry dated in [start, end] touching those accounts that trueup did not make (key
        None). Amounts in each document's currency."""

    def find_payment(self, reference: str) -> BookedPayment | None:
        """The payment entry carrying this reference (`shopify:<shop>:transaction:<id>`), if the ERP has one."""

    def booked_payments(self, references: Iterable[str]) -> set[str]:
        """Which of `references` the ERP holds a posted payment entry for: one look-up for all of an order's."""

    def book_payment(self, payment: Payment, journal: str) -> BookedPayment:
        """Book and post `payment` on `journal` (domain/payments.py): money received credits the receivable of
        the sale's invoice (posted first if still a draft) against `payment.account`; money paid out debits the
        receivable of the credit note `payment.document` names. The entry goes with the document's payments;
        once they settle it in full they are reconciled with it (Tryton: the invoice is then `paid`). No
        document to settle, or an account or journal missing, raises StructuralError and creates nothing. Not
        idempotent by itself: callers look the reference up first."""


class BackOffice(SalesLedger, ItemMaster, Warehouse, Protocol):
    """A back-office that is all three roles (an ERP that is also the WMS, as Tryton is)."""


def triggered_time(value: str) -> datetime | None:
    """X-Shopify-Triggered-At as an aware datetime (Shopify sends UTC, up to nanoseconds, with a Z); None if
    it is not an ISO 8601 time with its zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# What a kept delivery's body becomes once its retention has passed (worker.delivery_bodies_retention_days).
EXPIRED_BODY = b'{"expired":true}'


@dataclass(frozen=True)
class IncomingDelivery:
    """A webhook delivery as received, before it is stored."""

    shop: str
    topic: str
    webhook_id: str
    event_id: str | None
    api_version: str | None
    triggered_at: str | None
    headers: dict[str, str]
    body: bytes
    received_at: datetime
    order_id: str | None  # gid of the order the delivery is about, if any
    known_topic: bool = True
    problem: str | None = None  # kept but not understood, e.g. "body_not_json": reported by status


@dataclass(frozen=True)
class Job:
    """A job as the queue hands it out: never two running per key, never two waiting per key and kind. Its
    kind and payload are the typed work's (service_layer/jobs.py: `job_of`)."""

    id: int
    kind: str  # service_layer/jobs.py: SyncOrder.kind, PollOrders.kind, ...
    key: str
    shop: str
    payload: dict[str, Any]
    attempts: int  # runs started before this one (failed, or cut short by a crash): 0 on the first run
    run_at: datetime


@dataclass(frozen=True)
class WaitingJob:
    """A job not finished yet: how often it ran, the error of its last failed run (a transient cause: the ERP
    down, Shopify throttling), and since when it was queued."""

    kind: str
    key: str
    shop: str
    attempts: int
    last_error: str | None
    since: datetime


@dataclass(frozen=True)
class JobRequest:
    """A job to queue, as `jobs.request` makes it from typed work."""

    kind: str
    key: str
    shop: str
    payload: dict[str, Any] = field(default_factory=dict)
    run_at: datetime | None = None  # None: now


@dataclass(frozen=True)
class IntakeStats:
    deliveries: int
    duplicates: int
    unknown_topics: dict[str, int]
    last_received_at: datetime | None
    problems: dict[str, int] = field(default_factory=dict)  # deliveries kept but not understood, by problem
    refused: dict[str, int] = field(default_factory=dict)  # requests refused, by reason (bad_signature, stale...)


@dataclass(frozen=True)
class NotUnderstood:
    """Deliveries kept but not understood: by problem (body_not_json...), and by topic trueup does not act on."""

    problems: dict[str, int]
    unknown_topics: dict[str, int]


# --- trueup's own state, by role ----------------------------------------------------------------------
# Every method is one transaction of its own, unless its docstring says what else commits with it. SqlStore (one
# database: SQLite or PostgreSQL) implements every role; InMemoryStore is its fake.


class DeliveryLog(Protocol):
    """Webhook deliveries as received, each once, with the job each calls for."""

    def accept_deliveries(
        self, deliveries: Sequence[IncomingDelivery], job_for: Callable[[IncomingDelivery], JobRequest | None]
    ) -> list[bool]:
        """Store deliveries durably and, in the same transaction, queue the job `job_for` says each new one
        calls for (the rule is the service layer's: `jobs.delivery_job`); a delivery and its job commit
        together or not at all. Returns, per delivery, False when it is a duplicate (same webhook id, or same
        event id for the same topic and shop), which is then not stored again nor its job queued."""

    def intake_stats(self, shop: str | None = None) -> IntakeStats:
        """What the intake kept, of `shop` or of every shop: deliveries, duplicates refused, unknown topics and
        problems, the last arrival."""

    def not_understood(self, shop: str | None = None) -> NotUnderstood:
        """The deliveries of `shop` (or of every shop) kept but not understood, counted by problem and by unknown
        topic, without counting the others (the console's overview reads it on every page)."""

    def count_refused(self, counts: Mapping[str, int]) -> None:
        """Add to the counts of refused requests, by reason (shown by `intake_stats().refused`)."""

    def purge_deliveries(self, before: datetime) -> int:
        """Delete the deliveries received before `before`; how many. A delivery purged can no longer be
        recognised as a duplicate: keep deliveries longer than Shopify retries."""

    def expire_delivery_bodies(self, before: datetime, keep_topics: Collection[str]) -> int:
        """Replace by EXPIRED_BODY the body of each delivery received before `before`, but those of
        `keep_topics`; how many. The delivery stays, so a repeat is still recognised as a duplicate."""


class JobQueue(Protocol):
    """The work queue: never two jobs running per key (a lease), never two waiting per key and kind."""

    def enqueue(self, job: JobRequest) -> bool:
        """Queue a job; False when a job for the same key and kind is already waiting (queueing lock)."""

    def claim(self, worker: str, now: datetime, lease_seconds: float) -> Job | None:
        """Take the next runnable job (run_at <= now) whose key has no other job running, with a lease.
        A job whose lease expired (its worker died) is runnable again."""

    def complete(self, job: Job, worker: str) -> None:
        """Mark the job done, unless its lease was taken over by another worker (then nothing changes)."""

    def renew_lease(self, job: Job, worker: str, now: datetime, lease_seconds: float) -> bool:
        """Extend `worker`'s lease on a job it is running to `now + lease_seconds` (the worker's heartbeat);
        False, and nothing changed, when the job is no longer `worker`'s (taken over after its lease expired,
        finished or put back)."""

    def retry_later(self, job: Job, worker: str, run_at: datetime, error: str) -> None:
        """Put the job back to run at `run_at` (the retry decision is stored, not slept on)."""

    def pending_jobs(self, shop: str | None = None) -> int:
        """Jobs (of `shop`, or of every shop) waiting to run (now or later)."""

    def retrying_jobs(self) -> int:
        """Jobs waiting to run again after a run that failed (a transient error, retried later) or was cut short."""

    def waiting_jobs(self, kind: str, shop: str | None = None) -> list[WaitingJob]:
        """The jobs of `kind` (of `shop`, or of every shop) waiting or running, oldest queued first."""

    def running_jobs(self) -> int:
        """Jobs claimed by a worker and not finished (including those whose lease expired)."""

    def run_now(self, kind: str, key: str, now: datetime) -> bool:
        """Make the waiting job of (`key`, `kind`) due at `now` if it waits for later (e.g. the end of an
        order's hold window, released early); False when no such job is waiting."""

    def purge_finished_jobs(self, before: datetime) -> int:
        """Delete the jobs finished before `before`; how many. Waiting and running jobs are never purged."""


class Ledger(Protocol):
    """The completeness ledger: one entry per Shopify order (never purged)."""

    def ledger_entry(self, shop: str, order_id: str) -> LedgerEntry | None: ...

    def save_ledger_entry(self, entry: LedgerEntry) -> None: ...

    def ledger_entries(self, state: OrderState | None = None, shop: str | None = None) -> list[LedgerEntry]: ...

    def ledger_counts(self, shop: str | None = None) -> dict[OrderState, int]:
        """How many orders are in each state (states with none are left out)."""

    def exception_counts(self, shop: str | None = None) -> dict[Cause, int]:
        """How many orders are parked, by business cause."""

    def oldest_open_entry(self, shop: str | None = None) -> LedgerEntry | None:
        """The open entry (received, waiting, exception) that has been in its state the longest."""


class RefundRecords(Protocol):
    """Where each Shopify refund stands in the ERP."""

    def refund_record(self, shop: str, refund_id: str) -> RefundRecord | None:
        """What trueup recorded of this Shopify refund, if anything."""

    def save_refund_record(self, record: RefundRecord) -> None:
        """Insert or replace the record of (shop, refund id); the time it was first seen is kept."""

    def refund_records(
        self, shop: str | None = None, order_id: str | None = None, state: RefundState | None = None
    ) -> list[RefundRecord]:
        """Refund records, by shop, order and ordinal."""

    def refund_counts(self, shop: str | None = None) -> dict[RefundState, int]:
        """How many refunds are in each state (states with none are left out)."""


class FulfilmentRecords(Protocol):
    """What trueup did with each despatched ERP shipment."""

    def fulfilment_record(self, shop: str, shipment_id: str) -> FulfilmentRecord | None:
        """What trueup did with the ERP shipment `shipment_id` for `shop`, if anything."""

    def save_fulfilment_record(self, record: FulfilmentRecord) -> None:
        """Insert or replace the record of `record.shipment_id` for `record.shop`."""

    def fulfilment_records(
        self, shop: str | None = None, states: Iterable[FulfilmentState] | None = None
    ) -> list[FulfilmentRecord]:
        """The records (of one shop, in some states), oldest update first."""


class StockRecords(Protocol):
    """What the stock flow remembers: unposted demand, dirty SKUs, levels set, drift and stock issues."""

    def set_order_demand(self, shop: str, order_id: str, demand: Mapping[tuple[str, str], int]) -> set[str]:
        """Replace what `order_id` asks of stock that the ERP does not know yet, by (sku, ERP warehouse; ""
        when not known): empty once the order is posted or cancelled. The SKUs whose demand changed are
        marked dirty (for the next stock sync to recompute) and returned."""

    def stock_dirty(self, shop: str) -> dict[str, datetime]:
        """The SKUs marked dirty, with when they were last marked."""

    def clear_stock_dirty(self, shop: str, marks: Mapping[str, datetime]) -> None:
        """Unmark the SKUs of `marks` (as read by `stock_dirty`), unless marked again since."""

    def unposted_demand(self, shop: str) -> dict[tuple[str, str], int]:
        """The units orders Shopify took still ask of the ERP, summed by (sku, warehouse)."""

    def record_levels_set(self, shop: str, writes: Sequence[StockWrite]) -> None:
        """Remember the levels trueup has just set in Shopify (and when)."""

    def levels_set(self, shop: str, sku: str | None = None) -> list[LevelSet]:
        """The last level trueup set per (sku, location) (of one SKU), by SKU then location."""

    def replace_drift(self, shop: str, drift: Sequence[Drift]) -> None:
        """The shop's open drift (levels a reconciliation found wrong and could not fix) becomes `drift`."""

    def open_drift(self, shop: str | None = None) -> list[Drift]:
        """The drift still open, by SKU then location."""

    def replace_stock_issues(self, shop: str, issues: Sequence[StockIssue]) -> None:
        """The shop's stock issues become `issues`; an issue already known keeps when it was first seen."""

    def stock_issues(self, shop: str | None = None) -> list[tuple[StockIssue, datetime]]:
        """The open stock issues with when each was first seen, by cause, SKU, location."""


class PayoutRecords(Protocol):
    """What trueup recorded of each Shopify Payments payout."""

    def payout_record(self, shop: str, payout_id: str) -> PayoutRecord | None:
        """The record of this payout, if trueup has seen it."""

    def save_payout_record(self, record: PayoutRecord) -> None:
        """Insert or replace the record of (shop, payout id); the time it was first seen is kept."""

    def payout_records(
        self,
        shop: str | None = None,
        issued_from: datetime | None = None,
        issued_before: datetime | None = None,
        states: Iterable[PayoutState] | None = None,
    ) -> list[PayoutRecord]:
        """The records (of one shop, issued in [from, before), in some states), by issue time."""


class ApiUsageRecords(Protocol):
    """Shopify's Admin API as the workers used it, one row per shop and minute (written once a minute)."""

    def add_api_usage(self, samples: Sequence[ApiUsage]) -> None:
        """Add each sample to its (shop, minute): counts and costs summed, the lowest bucket level kept, so that
        several workers' samples of one minute make one row."""

    def api_usage(self, since: datetime, shop: str | None = None) -> list[ApiUsage]:
        """The minutes from `since` on (of one shop or all), by minute then shop."""

    def purge_api_usage(self, before: datetime) -> int:
        """Delete the minutes before `before`; how many."""


class OrderEmails(Protocol):
    """Per order, a keyed hash of the customer's e-mail (domain/email_index.py), never the e-mail itself."""

    def index_order_email(self, shop: str, order_id: str, email_hash: str) -> None:
        """Insert or replace the hash of the order's customer e-mail."""

    def orders_by_email(self, hashes: Mapping[str, str], limit: int = 50) -> list[tuple[str, str]]:
        """The (shop, order id) of the orders whose hash is `hashes[shop]` (one hash per shop, each shop its
        own key), by shop then order id, at most `limit`."""

    def forget_order_emails(self, shop: str, order_ids: Sequence[str], email_hash: str | None = None) -> int:
        """Delete the shop's hashes of those orders, and of any order carrying `email_hash`; how many."""


class ApiUsageSource(Protocol):
    """Where a shop's API use is counted as calls are answered (in memory, per minute)."""

    def take_usage(self, before: datetime | None = None) -> list[ApiUsage]:
        """The minutes that began before `before` (all when None), oldest first, forgotten once taken."""


class TaxVarianceRecords(Protocol):
    """The tax variances of posted orders (domain/tax_variances.py), kept for finance."""

    def replace_tax_variances(
        self, shop: str, order_id: str, records: Sequence[TaxVarianceRecord], *, credit_note: str | None = None
    ) -> None:
        """The order's sale variances as its latest posting or amendment found them: those recorded before for
        the order's sale are replaced (none: the sale has no variance any more), its credit notes' kept. With
        `credit_note` (a credit note's document), that note's variances are replaced instead; `records` are
        then the note's (kept with `credit_note` set)."""

    def tax_variances(self, shop: str | None = None, order_id: str | None = None) -> list[TaxVarianceRecord]:
        """The recorded variances (of one shop, of one order), by when recorded, then shop, order, document
        and tax."""


class OpenFindingRecords(Protocol):
    """The completeness check's open findings (domain/completeness.py), per order or payout, for the console,
    the alerts and `trueup status`."""

    def replace_order_findings(self, shop: str, order: str, findings: Sequence[Finding], now: datetime) -> None:
        """The open findings of one order (or payout: `order` is the finding's `order`) as its latest check made
        them, in one write: those kept before for it are replaced (none: all put right). A finding found again
        (same kind and document) keeps when it was first found; a new one is found `now`."""

    def open_findings(self, shop: str | None = None) -> list[OpenFinding]:
        """The open findings (of one shop), by when found, then shop, order, kind and document."""


class Cursors(Protocol):
    """Named positions per shop (how far a poll or a stock sync has read)."""

    def cursor(self, shop: str, name: str) -> str | None: ...

    def set_cursor(self, shop: str, name: str, value: str) -> None: ...


@dataclass(frozen=True)
class StoredDelivery:
    """A delivery as kept, body included (for privacy requests: what trueup holds about a customer)."""

    webhook_id: str
    shop: str
    topic: str
    order_id: str | None
    received_at: datetime
    body: bytes


@dataclass(frozen=True)
class PrivacyReport:
    """What was done for one privacy request (the delivery `webhook_id`): no customer e-mail, name or address
    in it, only Shopify's ids, so it may be kept as the proof the request was honoured."""

    webhook_id: str
    shop: str
    kind: str  # the topic: customers/data_request, customers/redact, shop/redact
    customer_id: str | None
    orders: list[str]
    received_at: datetime
    done_at: datetime
    records: dict[str, int]  # what was found (data request) or erased/redacted (redact), by kind of record


class PrivacyRecords(Protocol):
    """What privacy requests need of the store: the customer data trueup holds, and erasing it."""

    def stored_deliveries(self, shop: str) -> list[StoredDelivery]:
        """The shop's kept deliveries, bodies included, oldest first."""

    def stored_delivery(self, webhook_id: str) -> StoredDelivery | None: ...

    def replace_delivery_bodies(self, webhook_ids: Sequence[str], body: bytes) -> int:
        """Replace the bodies (and drop the headers but the topic and shop) of those deliveries; how many."""

    def redact_free_text(self, shop: str, needles: Sequence[str], replacement: str) -> dict[str, int]:
        """Replace every free-text field of the shop's records (order, refund and shipment details, job errors)
        that holds one of `needles` (compared in lower case) by `replacement`; how many, by kind of record."""

    def free_text_about(self, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
        """Each free-text field of the shop's records `redact_free_text` would replace: (kind of record, text)."""

    def erase_shop(self, shop: str) -> dict[str, int]:
        """Delete every record of the shop (deliveries, orders, refunds, shipments, stock, payouts, tokens,
        cursors, and jobs but those running); how many, by kind of record. Privacy reports are kept."""

    def save_privacy_report(self, report: PrivacyReport) -> None:
        """Insert or replace the report of the request `report.webhook_id`."""

    def privacy_reports(self, shop: str | None = None) -> list[PrivacyReport]:
        """The reports, of one shop or all, newest first."""


class Store(
    DeliveryLog,
    JobQueue,
    Ledger,
    RefundRecords,
    FulfilmentRecords,
    StockRecords,
    PayoutRecords,
    TaxVarianceRecords,
    OpenFindingRecords,
    Cursors,
    PrivacyRecords,
    ApiUsageRecords,
    OrderEmails,
    Protocol,
):
    """trueup's own durable state: every role in one database. What commits together: a delivery with its job
    (`accept_deliveries`); an order's demand with the dirty marks of its SKUs (`set_order_demand`); each other
    method alone. A use case that writes to two roles (a sync saving the ledger entry, then queueing a job)
    is made safe by being idempotent and re-run, not by a shared transaction."""


# --- the operations console's own records, and the history it reads ----------------------------------------
class ConsoleRecords(Protocol):
    """The console's people, their signed-in sessions and the audit of what they did (never purged)."""

    def save_user(self, user: ConsoleUser) -> None:
        """Insert or replace the user of `user.username`."""

    def console_user(self, username: str) -> ConsoleUser | None: ...

    def console_users(self) -> list[ConsoleUser]:
        """Every user, by name."""

    def save_session(self, session: ConsoleSession) -> None:
        """Insert or replace the session of `session.token_hash`."""

    def console_session(self, token_hash: str) -> ConsoleSession | None: ...

    def end_sessions(self, token_hash: str | None = None, username: str | None = None) -> int:
        """Delete one session, or every session of a user; how many."""

    def record(self, entry: AuditRecord) -> None:
        """Append one audit record."""

    def audit_records(self, limit: int = 100, username: str | None = None) -> list[AuditRecord]:
        """The latest audit records (of one user), newest first."""

    def count_audit(self, action: str, since: datetime, username: str | None = None, remote: str | None = None) -> int:
        """How many records of `action` since `since`, of one username and/or one remote address."""


class AlertRecords(Protocol):
    """Each alert's last state per subject, and whether its notice went out (what makes notices once only)."""

    def alert_states(self) -> list[AlertState]: ...

    def save_alert_state(self, state: AlertState) -> None:
        """Insert or replace the state of (`state.rule`, `state.subject`)."""


class ConsolePrivacy(Protocol):
    """Privacy requests on the console's own records, beside the Store's (privacy.py): the audit's free text (a
    filter, a sign-in name or a refusal a person's typing put there) and the alerts' details (which may quote a
    job's error)."""

    def redact_console_text(self, shop: str, needles: Sequence[str], replacement: str) -> dict[str, int]:
        """Replace by `replacement` each audit record's username, outcome and detail holding one of `needles`
        (compared in lower case), whatever shop it was about (an audit record names none), and the detail of the
        shop's alert states holding one; how many, by kind of record ("console_audit", "alert_states")."""

    def console_text_about(self, shop: str, needles: Sequence[str]) -> list[tuple[str, str]]:
        """Each audit and alert text `redact_console_text` would replace: (kind of record, text)."""

    def erase_console_shop(self, shop: str, replacement: str) -> dict[str, int]:
        """Delete the shop's alert states (subject the shop, or "<shop>|..."), and redact as `redact_console_text`
        the audit records naming the shop (a filter's shop=...); how many, by kind of record."""


class Notifier(Protocol):
    """Where alert digests go: e-mail, a chat webhook. Raises TransientError when it cannot deliver now."""

    name: str

    def send(self, subject: str, lines: Sequence[str]) -> None: ...


class PasswordHasher(Protocol):
    """A password key-derivation function (argon2id in production)."""

    def hash(self, password: str) -> str:
        """The encoded hash of `password`, salt and parameters included."""

    def verify(self, encoded: str, password: str) -> bool:
        """Whether `password` is the one `encoded` was made from (never raises for a mismatch)."""


@dataclass(frozen=True)
class DeliverySeen:
    """A stored webhook delivery as the console shows it (its body is not read)."""

    topic: str
    webhook_id: str
    event_id: str | None
    triggered_at: str | None
    received_at: datetime
    problem: str | None


@dataclass(frozen=True)
class JobSeen:
    """A job as the console shows it: its kind, where it stands and its last error."""

    kind: str
    state: str
    attempts: int
    run_at: datetime
    created_at: datetime
    updated_at: datetime
    last_error: str | None
    shop: str = ""


@dataclass(frozen=True)
class ParkedGroup:
    """The parked orders of one cause that a filter matches: how many, since when, the first few."""

    cause: Cause
    count: int
    oldest: datetime
    examples: list[LedgerEntry]


class History(Protocol):
    """What happened, for people to read: an order's deliveries and jobs, activity per minute."""

    def order_deliveries(self, shop: str, order_id: str) -> list[DeliverySeen]:
        """The stored deliveries about one order, in the order received."""

    def latest_order_body(self, shop: str, order_id: str) -> bytes | None:
        """The body of the latest stored orders/* delivery about the order (Shopify's REST form), if any."""

    def order_fulfilments(self, shop: str, order_id: str) -> list[FulfilmentRecord]:
        """What trueup did with each of the order's despatched shipments, oldest update first."""

    def key_jobs(self, key: str) -> list[JobSeen]:
        """The jobs of one key (waiting, running, and finished ones not yet purged), oldest first."""

    def parked_groups(
        self,
        shop: str | None = None,
        cause: Cause | None = None,
        since: datetime | None = None,
        sku: str | None = None,
        order: str | None = None,
        examples: int = 5,
    ) -> list[ParkedGroup]:
        """The parked orders by cause, largest group first, filtered by shop, cause, parked since, a SKU their
        cause names (`needs`), and an order (name "#1042" or "1042", or Shopify id); the oldest first within each."""

    def fulfilment_counts(self, shop: str) -> dict[FulfilmentState, int]:
        """How many of the shop's shipments are in each fulfilment state (states with none left out)."""

    def failing_jobs(self) -> list[JobSeen]:
        """The jobs waiting to run again after a failed run (with their shop and last error), oldest first."""

    def find_entries(self, text: str, limit: int = 20) -> list[LedgerEntry]:
        """Orders whose name ("#1042" or "1042"), Shopify id (numeric or gid) is `text`, or that are parked
        needing, or still asking stock for, the SKU `text`."""

    def last_received_by_shop(self, shops: Sequence[str]) -> dict[str, datetime]:
        """When each of these shops' latest stored delivery arrived (shops with none are left out)."""

    def received_per_minute(self, since: datetime, shop: str | None = None) -> dict[datetime, int]:
        """Deliveries stored per minute since `since` (minutes with none are left out)."""

    def posted_per_minute(self, since: datetime, shop: str | None = None) -> dict[datetime, int]:
        """Orders that reached posted per minute since `since`, as their entries stand now."""

    def posting_delays(self, since: datetime, shop: str | None = None, limit: int = 10_000) -> list[float]:
        """Seconds from first seen to posted of the orders posted since `since` (the latest `limit`)."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""


class TokenVault(Protocol):
    """Each shop's current Admin API token, kept encrypted at rest, and the lease that lets one process at a
    time renew it (across workers and machines sharing the store)."""

    def load_token(self, shop: str) -> ShopToken | None:
        """The shop's stored token, or None before the first one."""

    def save_token(self, shop: str, token: ShopToken) -> None:
        """Replace the shop's token (and refresh token)."""

    def take_refresh_lease(self, shop: str, owner: str, now: datetime, seconds: float) -> bool:
        """True if `owner` now holds the shop's refresh lease until now + `seconds` (free, lapsed or its own)."""

    def release_refresh_lease(self, shop: str, owner: str) -> None:
        """Give the lease back if `owner` holds it."""


class ShopSetup(Protocol):
    """What `trueup shop check` / `shop connect` ask of one shop's Admin API (ShopifyAdminClient)."""

    shop: str

    def locations(self) -> list[ShopLocation]:
        """Every location of the shop."""

    def granted_scopes(self) -> frozenset[str]:
        """The access scopes the shop granted the app."""

    def api_version_served(self) -> str | None:
        """The API version of the last answer (None before any)."""

    def webhook_subscriptions(self) -> list[WebhookSubscription]:
        """The app's own webhook subscriptions (Shopify lists no other app's)."""

    def create_webhook(self, topic: str, uri: str) -> None: ...

    def update_webhook(self, subscription_id: str, uri: str) -> None: ...

    def delete_webhook(self, subscription_id: str) -> None: ...
