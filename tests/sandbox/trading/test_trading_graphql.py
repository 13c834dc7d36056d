"""Every operation a plan sends is one Shopify's Admin API (2026-10) accepts: the document validates
against the vendored schema and the variables coerce to its input types."""

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from shopify_sandbox.trading import generate_shop, generate_trading, refs
from shopify_sandbox.trading.operations import ALL_DOCUMENTS
from tests.sandbox.trading.admin_schema import admin_schema


def with_ids(value: Any) -> Any:
    """The variables as the player sends them: placeholders become gids."""
    if refs.is_ref(value):
        return "gid://shopify/Node/1"
    if isinstance(value, dict):
        return {k: with_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_ids(v) for v in value]
    return value


@pytest.mark.parametrize("document", ALL_DOCUMENTS, ids=lambda d: d.split("(")[0].split()[-1])
def test_every_document_validates_against_the_schema(document):
    assert validate(admin_schema(), parse(document)) == []


@pytest.mark.parametrize(("seed", "profile"), [(1, "ordinary"), (2, "black_friday"), (3, "ordinary")])
def test_every_generated_operation_is_accepted_with_its_variables(seed, profile):
    schema = admin_schema()
    plan = generate_trading(seed, generate_shop(seed), orders=400, profile=profile)
    definitions: dict[str, OperationDefinitionNode] = {}
    for action in plan:
        for operation in action.operations:
            if operation.query not in definitions:  # each document validated once, its variables every time
                document = parse(operation.query)
                assert validate(schema, document) == []
                [definition] = document.definitions
                assert isinstance(definition, OperationDefinitionNode)
                definitions[operation.query] = definition
            definition = definitions[operation.query]
            coerced = get_variable_values(schema, definition.variable_definitions, with_ids(operation.variables))
            assert not isinstance(coerced, list), [error.message for error in coerced]
    assert len(definitions) == 9  # every mutation of the plan was exercised


def test_a_wrong_input_field_would_be_caught():
    schema = admin_schema()
    plan = generate_trading(1, generate_shop(1), orders=1)
    operation = plan[0].operations[0]
    [definition] = parse(operation.query).definitions
    broken = with_ids(operation.variables)
    broken["order"]["lineItems"][0]["discount"] = "10.00"  # orderCreate has no line-level discount input
    coerced = get_variable_values(schema, definition.variable_definitions, broken)
    assert isinstance(coerced, list)
    assert "discount" in coerced[0].message
