"""The embedded Tryton runs the tasks a stopped server left in its queue before it serves again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.back_office_harness import TrytonHarness, add_products
from tests.contract.test_back_office_contract import a_line, a_request
from tests.support.tryton import DATABASE, connect, free_port, unique
from trueup.local_stack.embedded_tryton import TrytonServer, create_database
from trueup.local_stack.tryton_queue import pending_tasks

pytestmark = pytest.mark.tryton


def test_a_sale_left_confirmed_by_a_stopped_server_is_processed_when_it_starts_again(
    tryton_template: Path, tmp_path: Path
) -> None:
    create_database(tryton_template, tmp_path, DATABASE)
    sku = unique("SKU")
    request = a_request([a_line(sku, 1, "9.99", "VAT20")])
    left_to_a_worker = TrytonServer(tmp_path, free_port(), databases=(DATABASE,), settings={"queue": {"worker": "1"}})
    with left_to_a_worker as server, connect(server) as client:
        add_products(client, {sku: "9.99"})
        TrytonHarness(client).confirm_without_processing(request)
    assert pending_tasks(tmp_path / f"{DATABASE}.sqlite") >= 1
    with TrytonServer(tmp_path, free_port(), databases=(DATABASE,)) as server, connect(server) as client:
        (sale,) = client.call(
            "sale.sale", "search_read", [("reference", "=", request.reference)], 0, 1, None, ["state", "shipments"]
        )
    assert sale["state"] == "processing"
    assert len(sale["shipments"]) == 1
    assert pending_tasks(tmp_path / f"{DATABASE}.sqlite") == 0
