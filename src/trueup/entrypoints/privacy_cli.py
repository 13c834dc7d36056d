"""`trueup privacy show`: the privacy requests Shopify sent and what trueup did with each; with `--request`, a
data request's export of what trueup holds about the customer, for the operator to send on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from trueup.entrypoints import terminal
from trueup.entrypoints.terminal import say, table

privacy_app = typer.Typer(name="privacy", help="Shopify's privacy requests, as honoured.", no_args_is_help=True)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", envvar="TRUEUP_CONFIG", help="The TOML configuration file.")
]


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "request": report.webhook_id,
        "shop": report.shop,
        "kind": report.kind,
        "customer_id": report.customer_id,
        "orders": report.orders,
        "received_at": report.received_at.isoformat(),
        "done_at": report.done_at.isoformat(),
        "records": report.records,
    }


@privacy_app.command("show")
def show(
    config: ConfigOption = Path("trueup.toml"),
    shop: Annotated[str | None, typer.Option(help="Only this shop's requests.")] = None,
    request: Annotated[
        str | None, typer.Option("--request", help="A data request's id: print its export of the customer's data.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The privacy requests honoured, newest first; `--request ID` exports what trueup holds about its customer."""
    from trueup import bootstrap
    from trueup.config import load_config
    from trueup.service_layer.privacy import customer_export

    cfg = load_config(config)
    store = bootstrap.build_store(cfg)  # BadInput: main() prints it and exits 2
    reports = store.privacy_reports(shop)
    out = terminal.console()
    if request is not None:
        chosen = next((r for r in reports if r.webhook_id == request), None)
        if chosen is None or chosen.kind != "customers/data_request":
            say(terminal.console(stderr=True), f"No data request {request} has been honoured.", "red")
            raise typer.Exit(1)
        console_records = bootstrap.build_console_store(cfg)
        export = customer_export(store, chosen, console_records)
        console_records.close()
        # The export is the customer's data, for the operator to send to them: printed, never logged.
        print(json.dumps(export, indent=2, ensure_ascii=False))
        return
    if as_json:
        print(json.dumps({"requests": [_report_json(r) for r in reports]}, indent=2))
        return
    if not reports:
        say(out, "No privacy request received yet.")
        return
    rows = [
        (
            r.done_at.strftime("%Y-%m-%d %H:%M"),
            r.shop,
            r.kind,
            r.customer_id or "",
            ", ".join(f"{name} {count}" for name, count in sorted(r.records.items())) or "nothing held",
            r.webhook_id,
        )
        for r in reports
    ]
    out.print(table("Privacy requests", ("done", "shop", "request", "customer", "records", "id"), rows))
    say(out, "A data request's export: trueup privacy show --request <id> (send it to the merchant).")
