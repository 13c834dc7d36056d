"""The engine on fakes: Shopify, the ERP and the store in memory."""

import pytest
from tests.unit.engine.harness import Engine


@pytest.fixture
def engine() -> Engine:
    return Engine()
