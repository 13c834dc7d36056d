"""A faithful local stand-in for Shopify's Admin GraphQL API, its rate limits and its signed webhooks.

It shares no code with trueup's own Shopify client: both are held to Shopify's published schema and
Shopify's official client libraries, so one misreading of Shopify cannot pass both sides' tests.
"""
