"""`trueup verify`'s command line: --since, the JSON report and the summary line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer

from trueup.domain.completeness import Finding, FindingKind
from trueup.entrypoints.verify_cli import parse_since, report_json
from trueup.service_layer.verify import VerifyReport


def test_since_takes_a_date_from_midnight_utc_or_a_timestamp():
    assert parse_since("2026-12-01") == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_since("2026-12-01T10:00:00+01:00") == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert parse_since(None) is None
    with pytest.raises(typer.BadParameter):
        parse_since("last week")


def test_the_json_report_names_each_finding_with_what_to_do():
    finding = Finding(FindingKind.SHIPMENT_MISSING, "s.myshopify.com", "#1001", "SO1", "2 unit(s) to deliver")
    report = VerifyReport(orders=2, documents=3, findings=[finding])
    out = report_json(report)
    assert (out["documents"], out["equal"], out["fixed"]) == (3, 2, 0)
    (row,) = out["findings"]
    assert row["kind"] == "shipment_missing"
    assert "Handle shipment exception" in row["what_to_do"]
