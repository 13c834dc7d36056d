"""The embedded Tryton: a template built once, copied per use, served by trytond, stopped cleanly."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.support.tryton import connect, free_port
from trueup.domain.errors import TransientError
from trueup.local_stack.embedded_tryton import TrytonServer, build_template, create_database

pytestmark = pytest.mark.tryton


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_template_is_built_once_and_then_reused(tryton_template: Path) -> None:
    before = tryton_template.stat().st_mtime_ns

    again = build_template(tryton_template.parent.parent)

    assert again == tryton_template
    assert again.stat().st_mtime_ns == before


def test_the_template_is_a_whole_database_without_side_files(tryton_template: Path) -> None:
    assert not Path(f"{tryton_template}-wal").exists()
    assert not Path(f"{tryton_template}-shm").exists()


def test_a_copy_replaces_stale_sqlite_side_files(tryton_template: Path, tmp_path: Path) -> None:
    stale_wal = tmp_path / "shop.sqlite-wal"
    stale_wal.write_bytes(b"left over from an older database")

    copy = create_database(tryton_template, tmp_path, "shop")

    assert copy == tmp_path / "shop.sqlite"
    assert digest(copy) == digest(tryton_template)
    assert not stale_wal.exists()


def test_a_server_on_a_copy_serves_the_demo_business_then_stops(tryton_template: Path, tmp_path: Path) -> None:
    template_digest = digest(tryton_template)
    create_database(tryton_template, tmp_path, "shop")
    server = TrytonServer(tmp_path, free_port())

    with server, connect(server, "shop") as client:
        warehouses = client.call(
            "stock.location", "search_read", [("type", "=", "warehouse")], 0, None, [("code", "ASC")], ["code"]
        )
        taxes = client.call("account.tax", "search_read", [], 0, None, [("name", "ASC")], ["name", "rate"])
        shipping = client.call("product.product", "search_count", [("code", "=", "SHIPPING")])
        terms = client.call("account.invoice.payment_term", "search_read", [], 0, None, None, ["name"])
        client.call("party.party", "create", [{"name": "Written to the copy only"}])
        assert server.running

        server.stop()

        with pytest.raises(TransientError):
            client.call("party.party", "search_count", [])

    assert [w["code"] for w in warehouses] == ["WH1", "WH2"]
    assert {t["name"]: t["rate"] for t in taxes} == {"VAT20": Decimal("0.20"), "VAT5.5": Decimal("0.055")}
    assert shipping == 1
    assert {"Immediate", "Net 30"} <= {t["name"] for t in terms}
    assert not server.running
    assert (tmp_path / "trytond.log").stat().st_size > 0
    assert digest(tryton_template) == template_digest
    with pytest.raises(httpx.TransportError):
        httpx.post(f"{server.url}/rpc/", json={"id": 0, "method": "common.server.version", "params": []})


def test_a_relative_data_directory_is_served_whatever_the_working_directory(
    tryton_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # as `make bench` from a fresh clone: `.cache/tryton`, `tryton`, relative paths
    relative = Path("relative") / "tryton"
    create_database(tryton_template, relative, "shop")

    with TrytonServer(relative, free_port()) as server, connect(server, "shop") as client:
        assert client.call("product.product", "search_count", [("code", "=", "SHIPPING")]) == 1
