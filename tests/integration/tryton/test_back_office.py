"""TrytonBackOffice on a real trytond, beyond the shared contract: recovery, races, kits, late fixes."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.support.tryton import catalogue_item, connect, seed_catalogue, unique
from trueup.adapters.tryton.back_office import TrytonBackOffice
from trueup.adapters.tryton.jsonrpc import TrytonClient
from trueup.adapters.tryton.parties import party_code
from trueup.domain.errors import Cause, StructuralError
from trueup.domain.money import Money
from trueup.domain.orders import Address, Customer
from trueup.domain.party_fields import PartyFieldValue, parse_source, parse_target
from trueup.domain.sales import PostedSale, SalesLine, SalesOrderRequest
from trueup.local_stack.embedded_tryton import TrytonServer

pytestmark = pytest.mark.tryton


@pytest.fixture
def client(tryton_server: TrytonServer) -> Iterator[TrytonClient]:
    with connect(tryton_server) as client:
        yield client


def a_customer() -> Customer:
    number = uuid.uuid4().int % 10**12
    return Customer(f"gid://shopify/Customer/{number}", f"c{number}@example.com", "Cy", f"Buyer{number}")


def a_request(*lines: SalesLine, customer: Customer | None = None) -> SalesOrderRequest:
    address = Address("Cy Buyer", "3 Main St", "Flat 2", "Bristol", "BS1 4DJ", "GB")
    untaxed = Money(sum((line.amount.rounded().amount for line in lines), Decimal(0)), "EUR")
    return SalesOrderRequest(
        reference=unique("gid://shopify/Order"),
        description="#2001",
        currency="EUR",
        customer=customer or a_customer(),
        invoice_address=address,
        shipment_address=address,
        lines=lines,
        expected_untaxed=untaxed,
        expected_tax=Money(expected_tax(list(lines)), "EUR"),
        warehouse="WH1",
    )


from tests.contract.test_back_office_contract import expected_tax  # noqa: E402


def a_line(sku: str, quantity: int = 1, price: str = "10.00", *taxes: str) -> SalesLine:
    return SalesLine(sku, sku, Decimal(quantity), Money(Decimal(price), "EUR"), taxes)


def new_sku(client: TrytonClient) -> str:
    (sku,) = seed_catalogue(client, [catalogue_item()])
    return sku


def test_a_draft_left_by_a_crash_is_confirmed_when_found(client: TrytonClient) -> None:
    back_office = TrytonBackOffice(client)
    request = a_request(a_line(new_sku(client)))
    posted = back_office.create_sales_order(request)
    client.call("sale.sale", "write", [int(posted.erp_id)], {"reference": unique("other")})
    # As if a worker died between creating the sale and confirming it:
    (draft_id,) = client.call("sale.sale", "copy", [int(posted.erp_id)], {"reference": request.reference})

    found = back_office.find_sales_order(request.reference)

    assert found is not None
    assert found.erp_id == str(draft_id)
    assert found.state in ("confirmed", "processing")


def test_a_cancelled_sale_is_still_found(client: TrytonClient) -> None:
    back_office = TrytonBackOffice(client)
    request = a_request(a_line(new_sku(client)))
    (draft_id,) = client.call("sale.sale", "create", [{**_values_for_draft(client, request)}])
    client.call("sale.sale", "cancel", [draft_id])

    found = back_office.find_sales_order(request.reference)

    assert found is not None
    assert found.state == "cancelled"


def _values_for_draft(client: TrytonClient, request: SalesOrderRequest) -> dict[str, object]:
    (party,) = client.call("party.party", "create", [{"name": "Draft Party", "addresses": [("create", [{}])]}])
    (address,) = client.call("party.address", "search", [("party", "=", party)], 0, 1, None)
    (currency,) = client.call("currency.currency", "search", [("code", "=", "EUR")], 0, 1, None)
    return {
        "party": party,
        "invoice_address": address,
        "shipment_address": address,
        "currency": currency,
        "reference": request.reference,
    }


def test_a_kit_is_sold_and_its_components_are_shipped(client: TrytonClient) -> None:
    cap, sock = catalogue_item(price="15.00"), catalogue_item(price="5.00")
    kit = catalogue_item(price="22.00", components=[(cap.sku, 1), (sock.sku, 2)])
    seed_catalogue(client, [cap, sock, kit])

    posted = TrytonBackOffice(client).create_sales_order(a_request(a_line(kit.sku, 2, "22.00", "VAT20")))

    (sale,) = client.call("sale.sale", "read", [int(posted.erp_id)], ["moves"])
    moves = client.call("stock.move", "read", sale["moves"], ["product", "quantity"])
    products = client.call(
        "product.product", "search_read", [("code", "in", [cap.sku, sock.sku])], 0, None, None, ["code"]
    )
    by_id = {p["id"]: p["code"] for p in products}
    assert posted.untaxed == Money(Decimal("44.00"), "EUR")
    assert posted.tax == Money(Decimal("8.80"), "EUR")
    assert sorted((by_id[m["product"]], m["quantity"]) for m in moves) == sorted([(cap.sku, 2.0), (sock.sku, 4.0)])


def test_a_tax_created_after_the_order_was_parked_is_picked_up(client: TrytonClient) -> None:
    back_office = TrytonBackOffice(client)
    tax_name = unique("VAT7")
    request = replace(a_request(a_line(new_sku(client), 1, "10.00", tax_name)), expected_tax=Money.of("0.70", "EUR"))
    with pytest.raises(StructuralError) as raised:
        back_office.create_sales_order(request)
    assert back_office.unknown_taxes([tax_name]) == {tax_name}
    (template,) = client.call(
        "account.tax",
        "search_read",
        [("name", "=", "VAT20")],
        0,
        1,
        None,
        ["invoice_account", "credit_note_account", "company"],
    )
    client.call(
        "account.tax",
        "create",
        [
            {
                "name": tax_name,
                "description": "VAT 7 %",
                "type": "percentage",
                "rate": Decimal("0.07"),
                "company": template["company"],
                "invoice_account": template["invoice_account"],
                "credit_note_account": template["credit_note_account"],
            }
        ],
    )

    assert back_office.unknown_taxes([tax_name]) == set()  # what the replay asks before it queues the order
    posted = back_office.create_sales_order(request)

    assert raised.value.needs == {"erp_taxes": [tax_name]}
    assert posted.tax == Money(Decimal("0.70"), "EUR")


def test_workers_racing_on_a_new_customer_create_one_party(tryton_server: TrytonServer, client: TrytonClient) -> None:
    sku = new_sku(client)
    customer = a_customer()
    failures: list[BaseException] = []

    def post_one() -> None:
        try:
            with connect(tryton_server) as own_client:
                TrytonBackOffice(own_client).create_sales_order(a_request(a_line(sku), customer=customer))
        except BaseException as error:  # the test reports it
            failures.append(error)

    workers = [threading.Thread(target=post_one) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    assert client.call("party.party", "search_count", [("code", "=", party_code(customer))]) == 1


def test_a_batch_posts_each_order_or_says_why_not(client: TrytonClient) -> None:
    sku, missing = new_sku(client), unique("MISSING")
    customer = a_customer()
    orders = [
        a_request(a_line(sku, 2, "10.00", "VAT20"), customer=customer),
        a_request(a_line(missing)),
        a_request(a_line(sku, 1, "3.00"), customer=customer),
    ]

    first, second, third = TrytonBackOffice(client).create_sales_orders(orders)

    assert isinstance(first, PostedSale)
    assert isinstance(third, PostedSale)
    assert (first.reference, first.untaxed, first.tax) == (
        orders[0].reference,
        Money.of("20.00", "EUR"),
        Money.of("4.00", "EUR"),
    )
    assert (third.reference, third.total) == (orders[2].reference, Money.of("3.00", "EUR"))
    assert isinstance(second, StructuralError)
    assert second.needs == {"skus": [missing]}
    assert client.call("party.party", "search_count", [("code", "=", party_code(customer))]) == 1


def test_a_batchs_customers_take_a_few_calls_for_the_whole_batch(
    client: TrytonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sku, known = new_sku(client), a_customer()
    back_office = TrytonBackOffice(client)
    back_office.create_sales_order(a_request(a_line(sku), customer=known))
    customers = [known, *(a_customer() for _ in range(4))]
    calls: list[tuple[str, str]] = []
    real = client.call

    def counted(model: str, method: str, *args: object, context: dict[str, object] | None = None) -> object:
        calls.append((model, method))
        return real(model, method, *args, context=context)

    monkeypatch.setattr(client, "call", counted)
    results = back_office.create_sales_orders([a_request(a_line(sku), customer=c) for c in customers * 2])

    assert all(isinstance(result, PostedSale) for result in results)
    party_calls = [call for call in calls if call[0] in ("party.party", "party.address")]
    assert party_calls == [("party.party", "search_read"), ("party.party", "create"), ("party.address", "search_read")]
    for customer in customers:
        assert client.call("party.party", "search_count", [("code", "=", party_code(customer))]) == 1


def test_a_batchs_new_customer_another_worker_creates_meanwhile_is_that_workers_party(
    client: TrytonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sku, racing, other = new_sku(client), a_customer(), a_customer()
    created_elsewhere: list[int] = []
    real = client.call

    def another_worker_first(
        model: str, method: str, *args: object, context: dict[str, object] | None = None
    ) -> object:
        if (model, method) == ("party.party", "create") and not created_elsewhere:
            values = args[0]
            assert isinstance(values, list)
            created_elsewhere.extend(real(model, method, [values[0]]))  # the same customer, by another worker
        return real(model, method, *args, context=context)

    monkeypatch.setattr(client, "call", another_worker_first)
    orders = [a_request(a_line(sku), customer=racing), a_request(a_line(sku), customer=other)]
    first, second = TrytonBackOffice(client).create_sales_orders(orders)

    assert isinstance(first, PostedSale)
    assert isinstance(second, PostedSale)
    (party,) = client.call("sale.sale", "read", [int(first.erp_id)], ["party"])
    assert [party["party"]] == created_elsewhere
    for customer in (racing, other):
        assert client.call("party.party", "search_count", [("code", "=", party_code(customer))]) == 1


def test_a_customer_tryton_refuses_in_a_batch_spoils_only_its_own_order(client: TrytonClient) -> None:
    sku, good, refused = new_sku(client), a_customer(), a_customer()
    vat = PartyFieldValue(parse_target("party.identifier:eu_vat"), "FR00000000000", parse_source("customer.erp.vat"))
    orders = [
        a_request(a_line(sku), customer=good),
        replace(a_request(a_line(sku), customer=refused), party_fields=(vat,)),
        a_request(a_line(sku), customer=good),
    ]

    first, second, third = TrytonBackOffice(client).create_sales_orders(orders)

    assert isinstance(first, PostedSale)
    assert isinstance(third, PostedSale)
    assert isinstance(second, StructuralError)
    assert second.cause is Cause.INVALID_CUSTOMER_DATA
    assert "FR00000000000" not in second.detail
    assert client.call("party.party", "search_count", [("code", "=", party_code(good))]) == 1
    assert client.call("party.party", "search_count", [("code", "=", party_code(refused))]) == 0


def test_parties_made_by_hand_are_found_by_e_mail_alone_and_in_a_batch_the_oldest_first(
    client: TrytonClient,
) -> None:
    sku, alone, twice, new = new_sku(client), a_customer(), a_customer(), a_customer()

    def by_hand(customer: Customer) -> int:
        contacts = [("create", [{"type": "email", "value": customer.email}])]
        (party,) = client.call("party.party", "create", [{"name": "Made by hand", "contact_mechanisms": contacts}])
        return int(party)

    hand_alone, hand_twice, hand_twice_later = by_hand(alone), by_hand(twice), by_hand(twice)
    back_office = TrytonBackOffice(client)
    single = back_office.create_sales_order(a_request(a_line(sku), customer=alone))
    batch = back_office.create_sales_orders([a_request(a_line(sku), customer=c) for c in (twice, alone, new, twice)])

    assert all(isinstance(sale, PostedSale) for sale in batch)
    sales = [int(sale.erp_id) for sale in (single, *batch) if isinstance(sale, PostedSale)]
    parties = {row["id"]: row["party"] for row in client.call("sale.sale", "read", sales, ["party"])}
    (created,) = client.call("party.party", "search", [("code", "=", party_code(new))])
    assert [parties[s] for s in sales] == [hand_alone, hand_twice, hand_alone, created, hand_twice]
    assert hand_twice_later not in parties.values()
    for customer in (alone, twice):
        assert client.call("party.party", "search_count", [("code", "=", party_code(customer))]) == 0


def test_a_leftover_draft_that_cannot_be_confirmed_is_discarded(client: TrytonClient) -> None:
    request = a_request(a_line(new_sku(client)))
    values = _values_for_draft(client, request)
    (product,) = client.call("product.product", "search", [("code", "=", request.lines[0].sku)], 0, 1, None)
    (warehouse,) = client.call("stock.location", "search", [("code", "=", "WH1")], 0, 1, None)
    line = {"type": "line", "product": product, "quantity": 1.0, "unit": 1, "unit_price": Decimal("10")}
    # Goods without a shipment address: Tryton refuses to quote it.
    client.call(
        "sale.sale",
        "create",
        [{**values, "shipment_address": None, "warehouse": warehouse, "lines": [("create", [line])]}],
    )

    found = TrytonBackOffice(client).find_sales_order(request.reference)

    assert found is None
    assert client.call("sale.sale", "search_count", [("reference", "=", request.reference)]) == 0
