"""The shop's objects, as plain dataclasses whose attribute names are the schema's field names in snake_case.

The default field resolver reads `Order.totalPriceSet` from `order.total_price_set`; anything that needs
computing has a resolver registered in `shopify_sandbox.resolvers`. Each class names its GraphQL type in
`typename`, which is also how abstract types (Node, PurchasingEntity, ...) are resolved.
"""
