"""`trueup status` names the shipments not fulfilled in Shopify, their cause and what to do."""

from rich.console import Console

from trueup.entrypoints.fulfilment_view import render_unfulfilled


def test_unfulfilled_shipments_are_shown_with_cause_what_to_do_and_an_example():
    console = Console(record=True, width=200)
    example = {
        "shipment": "stock.shipment.out,7",
        "order": "#1001",
        "shop": "alpha.myshopify.com",
        "state": "failed",
        "detail": "warehouse WH3",
    }
    group = {"cause": "unmapped_location", "count": 2, "what_to_do": "Map the location", "examples": [example]}
    render_unfulfilled([group], console)
    shown = console.export_text()
    assert "Shipments not fulfilled in Shopify" in shown
    assert "unmapped_location" in shown
    assert "Map the location" in shown
    assert "#1001 (alpha.myshopify.com), shipment stock.shipment.out,7: warehouse WH3" in shown


def test_nothing_is_shown_when_every_shipment_was_fulfilled():
    console = Console(record=True)
    render_unfulfilled([], console)
    assert console.export_text() == ""
