"""Every document trueup sends to Shopify is valid against Shopify's own published schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import FieldNode, TypeInfo, TypeInfoVisitor, Visitor, parse, validate, visit

from tests.support.sandbox import TEST_DOCUMENTS
from tests.unit.shopify_client.schema_cost import VERSIONS, admin_schema, estimated_cost
from trueup.adapters.shopify.queries import ALL_OPERATIONS, FETCH_ORDER, ORDERS_PAGE_SIZE, Operation, fetch_order
from trueup.domain.party_fields import MetafieldOwner, parse_mappings, sources

SHOPIFY_MAX_QUERY_COST = 1000

CASES = [pytest.param(version, op, id=f"{version}-{op.name}") for version in VERSIONS for op in ALL_OPERATIONS]


@pytest.mark.parametrize(("version", "operation"), CASES)
def test_document_validates_against_the_admin_schema(version: str, operation: Operation) -> None:
    errors = validate(admin_schema(version), parse(operation.document))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize(("version", "operation"), CASES)
def test_document_uses_no_deprecated_field(version: str, operation: Operation) -> None:
    schema = admin_schema(version)
    type_info = TypeInfo(schema)
    deprecated: list[str] = []

    class FindDeprecated(Visitor):
        def enter_field(self, node: FieldNode, *_args: object) -> None:
            definition = type_info.get_field_def()
            if definition is not None and definition.deprecation_reason:
                deprecated.append(node.name.value)

    visit(parse(operation.document), TypeInfoVisitor(type_info, FindDeprecated()))
    assert deprecated == []


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=lambda op: op.name)
def test_document_stays_under_shopify_single_query_limit(operation: Operation) -> None:
    cost = estimated_cost(admin_schema("2026-10"), operation.document, {"first": ORDERS_PAGE_SIZE})
    assert cost <= SHOPIFY_MAX_QUERY_COST
    # The budget's first guess must not be below what the published rules give, or it would admit
    # a query Shopify then throttles.
    assert operation.estimated_cost >= cost - 5


def test_operation_names_are_unique_and_match_their_documents() -> None:
    names = [op.name for op in ALL_OPERATIONS]
    assert len(set(names)) == len(names)
    for op in ALL_OPERATIONS:
        assert f" {op.name}(" in op.document or f" {op.name} " in op.document


def _test_documents() -> list[str]:
    """The documents tests send to the sandbox: the support module's and the official JS client script's."""
    script = (Path(__file__).parents[2] / "clients" / "js" / "run_admin_client.mjs").read_text()
    js_documents = re.findall(r"`#graphql(.*?)`", script, flags=re.DOTALL)
    assert len(js_documents) == 3  # shop and variants, an order, payouts
    return [*TEST_DOCUMENTS, *js_documents]


@pytest.mark.parametrize("version", VERSIONS)
def test_documents_the_tests_send_validate_too(version: str) -> None:
    for document in _test_documents():
        assert [e.message for e in validate(admin_schema(version), parse(document))] == []


def test_the_order_query_with_configured_metafields_validates_and_stays_within_its_estimate() -> None:
    mappings = parse_mappings(
        {
            "customer.erp.account_number": "party.identifier",
            "company.erp.account_number": "party.identifier",
            "company.erp.credit_term": "party.customer_payment_term",
            "company.$app:erp.vat-number": "party.identifier:eu_vat",
        }
    )
    operation = fetch_order(sources(mappings, MetafieldOwner.CUSTOMER), sources(mappings, MetafieldOwner.COMPANY))

    for version in VERSIONS:
        assert [e.message for e in validate(admin_schema(version), parse(operation.document))] == []
    assert 'm1: metafield(namespace: "erp", key: "credit_term") { value }' in operation.document
    cost = estimated_cost(admin_schema("2026-10"), operation.document, {"first": ORDERS_PAGE_SIZE})
    assert cost <= operation.estimated_cost + 5
    assert cost > estimated_cost(admin_schema("2026-10"), FETCH_ORDER.document, {"first": ORDERS_PAGE_SIZE})
