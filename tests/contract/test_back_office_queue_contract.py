"""A sale is never left confirmed: the fake and Tryton on a real trytond whose queued tasks are not run (a queue
worker configured and not running, as a Tryton stopped between a confirm and its processing leaves a sale)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.contract.back_office_harness import BackOfficeHarness
from tests.contract.test_back_office_contract import a_line, a_request, charged, new_skus
from tests.support.tryton import DATABASE, free_port
from trueup.domain.money import Money
from trueup.domain.sales import ShipmentStage
from trueup.local_stack.embedded_tryton import TrytonServer, create_database

UNRUN_QUEUE = {"queue": {"worker": "True"}}  # tasks are left to a worker; none runs


@pytest.fixture(scope="module")
def contract_trytond(tryton_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    data_dir = tmp_path_factory.mktemp("tryton-queue")
    create_database(tryton_template, data_dir, DATABASE)
    with TrytonServer(data_dir, free_port(), databases=(DATABASE,), settings=UNRUN_QUEUE) as server:
        yield server


def test_a_sale_confirmed_but_never_processed_is_processed_when_found_again(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = a_request([a_line(sku, 2, "9.99", "VAT20")])
    erp.confirm_without_processing(request)
    found = erp.back_office.find_sales_order(request.reference)
    assert found is not None
    assert found.state == "processing"
    progress = erp.back_office.sale_progress(found.erp_id)
    assert [s.stage for s in progress.shipments] == [ShipmentStage.WAITING]
    assert erp.sales_with_reference(request.reference) == 1


def test_a_sale_created_is_processed_even_when_the_queue_has_not_run(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = a_request([a_line(sku, 1, "9.99", "VAT20")])
    sale = erp.back_office.create_sales_order(request)
    assert sale.state == "processing"
    assert [s.stage for s in erp.back_office.sale_progress(sale.erp_id).shipments] == [ShipmentStage.WAITING]


def test_a_sale_found_again_after_a_crash_gets_shopifys_tax_on_its_invoice_once(erp: BackOfficeHarness) -> None:
    (sku,) = new_skus(erp, 1)
    request = charged(a_request([a_line(sku, 2, "10.00", "VAT20")]), VAT20="4.01")  # the ERP's rate: 4.00
    erp.confirm_without_processing(request)  # stopped before Shopify's tax was set on the invoice
    found = erp.back_office.find_sales_order(request.reference)
    assert found is not None
    assert found.tax == Money(Decimal("4.00"), "EUR")

    settled = erp.back_office.settle_sale_taxes(found.erp_id, request)
    again = erp.back_office.settle_sale_taxes(found.erp_id, request)

    assert (settled.tax, settled.total) == (Money(Decimal("4.01"), "EUR"), Money(Decimal("24.01"), "EUR"))
    assert erp.invoice_taxes(request.reference) == {"VAT20": Money(Decimal("4.01"), "EUR")}
    assert again.total == settled.total
    assert erp.back_office.find_sales_order(request.reference) == replace(settled, tax_variances=())
