"""`trueup verify`: every posted order's ERP documents read from the ERP and compared with the Shopify order."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trueup.entrypoints import terminal
from trueup.entrypoints.terminal import say, table

if TYPE_CHECKING:
    from trueup.service_layer.verify import VerifyReport

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", envvar="TRUEUP_CONFIG", help="The TOML configuration file.")
]


def parse_since(value: str | None) -> datetime | None:
    """`--since`: a date (2026-12-01, from midnight UTC) or an ISO timestamp."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD) or ISO timestamp", param_hint="--since"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify_command(
    config: ConfigOption = Path("trueup.toml"),
    since: Annotated[str | None, typer.Option(help="Only orders trueup first saw at or after this date.")] = None,
    shop: Annotated[str | None, typer.Option(help="Only this shop (its myshopify domain).")] = None,
    no_fix: Annotated[bool, typer.Option("--no-fix", help="Report only; apply no mechanical fix.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Read the ERP and check that every posted Shopify order has all its documents, in the right states and
    amounts; apply the mechanical fixes; exit 1 when a difference remains."""
    from trueup import bootstrap
    from trueup.config import load_config
    from trueup.entrypoints.logging_setup import configure_logging
    from trueup.service_layer.verify import verify_shop

    configure_logging(os.environ.get("TRUEUP_LOG_LEVEL", "WARNING"))
    cfg = load_config(config)
    moment = parse_since(since)
    contexts = bootstrap.build_contexts(cfg, bootstrap.build_store(cfg))
    if shop is not None and shop not in contexts:
        raise typer.BadParameter(f"no shop {shop} in the configuration", param_hint="--shop")
    err = terminal.console(stderr=True, quiet=as_json)
    reports: dict[str, VerifyReport] = {}
    for domain, ctx in contexts.items():
        if shop is not None and domain != shop:
            continue
        with terminal.spinner(err, f"{domain}: reading orders and their ERP documents…") as status:

            def progress(done: int, of: int, domain: str = domain) -> None:
                status.update(terminal.text(f"{domain}: {done} of {of} orders checked"))

            reports[domain] = verify_shop(ctx, domain, moment, fix=not no_fix, progress=progress)
    if as_json:
        print(json.dumps({domain: report_json(r) for domain, r in reports.items()}, indent=2))
    else:
        for domain, report in reports.items():
            render(domain, report)
    if any(r.open for r in reports.values()):
        raise typer.Exit(1)


def report_json(report: VerifyReport) -> dict[str, Any]:
    return {
        "orders": report.orders,
        "documents": report.documents,
        "equal": report.equal_documents,
        "fixed": report.fixed,
        "gone_from_shopify": report.gone_from_shopify,
        "periods": {period: {k: str(v) for k, v in sorted(f.items())} for period, f in sorted(report.periods.items())},
        "findings": [
            {
                "kind": str(f.kind),
                "order": f.order,
                "document": f.document,
                "detail": f.detail,
                "fixed": f.fixed,
                "what_to_do": f.what_to_do,
            }
            for f in report.findings
        ],
    }


def render(domain: str, report: VerifyReport) -> None:
    out = terminal.console()
    say(out, f"{domain}: Shopify = ERP to the cent for {report.equal_documents} of {report.documents} documents")
    if report.findings:
        rows = [
            [f.order, str(f.kind), f.document, f.detail, "fixed" if f.fixed else f.what_to_do] for f in report.findings
        ]
        out.print(table("Findings", ["order", "finding", "document", "detail", "what to do"], rows))
    months = sorted(p for p in report.periods if len(p) == 7)
    if months:
        names = sorted({name for month in months for name in report.periods[month]})
        rows = [[name, *(str(report.periods[m].get(name, "0")) for m in months)] for name in names]
        out.print(table("Per month: Shopify and the ERP", ["figure", *months], rows))
    if report.gone_from_shopify:
        say(
            out,
            f"Shopify no longer has {len(report.gone_from_shopify)} posted order(s): "
            + ", ".join(report.gone_from_shopify),
        )
