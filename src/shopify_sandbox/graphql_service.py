"""One Admin GraphQL request, end to end: prepared query, cost, bucket, execution, Shopify-shaped answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, FragmentDefinitionNode, OperationDefinitionNode, execute

from shopify_sandbox.access_scopes import effective, scoped
from shopify_sandbox.bucket import Buckets, LeakyBucket
from shopify_sandbox.cost import DEFAULT_RULES, CostRules, actual_cost, requested_cost
from shopify_sandbox.errors import THROTTLED, execution_error, max_cost_exceeded
from shopify_sandbox.events import SubscriptionRegistry
from shopify_sandbox.oauth import STATIC_APP, Grant
from shopify_sandbox.prepared_queries import QueryCache
from shopify_sandbox.resolvers.context import RequestContext
from shopify_sandbox.resolvers.registry import field_resolver, register_all, type_resolver
from shopify_sandbox.schema import admin_schema
from shopify_sandbox.state import ShopState


@dataclass
class GraphQLService:
    state: ShopState
    buckets: Buckets
    registry: SubscriptionRegistry
    rules: CostRules = DEFAULT_RULES

    def __post_init__(self) -> None:
        register_all()
        self.cache = QueryCache()
        self._costs: dict[tuple[Any, ...], int] = {}
        self._throttled_lock = threading.Lock()
        self._throttled = 0

    @property
    def throttled_answers(self) -> int:
        """How many requests were answered THROTTLED since the sandbox started (every app and token)."""
        with self._throttled_lock:
            return self._throttled

    def _requested_cost(
        self,
        version: str,
        query: str,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> int:
        """The requested cost, remembered per query and page-size variables (the only ones it depends on)."""
        page_sizes = tuple(sorted((k, v) for k, v in variables.items() if isinstance(v, int)))
        key = (version, query, operation.name.value if operation.name else None, page_sizes)
        cost = self._costs.get(key)
        if cost is None:
            if len(self._costs) > 10_000:
                self._costs.clear()
            cost = self._costs[key] = requested_cost(admin_schema(version), operation, fragments, variables, self.rules)
        return cost

    def run(
        self,
        version: str,
        token: str,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        base_url: str | None = None,
        grant: Grant | None = None,
    ) -> dict[str, Any]:
        """The JSON answer to one request (always HTTP 200 from here on, as Shopify answers). `grant`: the
        token's app and scopes (None: the static app, every scope)."""
        grant = grant or Grant(STATIC_APP, None, None)
        # The bucket is per app and shop: an app's rotating tokens share one.
        bucket = self.buckets.bucket(token if grant.app == STATIC_APP else grant.app, self.state.shop.myshopify_domain)
        prepared = self.cache.get(version, query)
        if prepared.errors:
            return {"errors": prepared.errors, "extensions": _cost(0, 0, bucket)}
        operation = prepared.operation(operation_name)
        if operation is None:
            message = f'No operation named "{operation_name}"' if operation_name else "An operation name is required"
            return {"errors": [{"message": message}], "extensions": _cost(0, 0, bucket)}
        schema = admin_schema(version)
        variables = variables or {}
        requested = self._requested_cost(version, query, operation, prepared.fragments, variables)
        if requested > self.rules.max_query_cost:
            return {
                "errors": [max_cost_exceeded(requested, self.rules.max_query_cost)],
                "extensions": _cost(requested, None, bucket),
            }
        if not bucket.try_take(requested):
            with self._throttled_lock:
                self._throttled += 1
            return {"errors": [THROTTLED], "extensions": _cost(requested, None, bucket)}
        context = RequestContext(self.state, self.registry, version, variables, grant.app, grant.scopes)
        resolver = field_resolver if grant.scopes is None else scoped(field_resolver, effective(grant.scopes))
        assert prepared.document is not None
        with self.state.lock:
            self.state.run_before_request_hooks(base_url)
            result = execute(
                schema,
                prepared.document,
                context_value=context,
                variable_values=variables,
                operation_name=operation.name.value if operation.name else None,
                field_resolver=resolver,
                type_resolver=type_resolver,
            )
        assert isinstance(result, ExecutionResult)  # every resolver is synchronous
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            actual = 0  # refused before execution (invalid variables): nothing to charge
        else:
            actual = min(
                requested, actual_cost(schema, operation, prepared.fragments, result.data, variables, self.rules)
            )
        bucket.refund(requested - actual)
        answer: dict[str, Any] = {}
        if result.errors:
            answer["errors"] = [execution_error(e) for e in result.errors]
        answer["data"] = result.data
        answer["extensions"] = _cost(requested, actual, bucket)
        return answer


def _cost(requested: int, actual: int | None, bucket: LeakyBucket) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": bucket.status().as_json(),
        }
    }
