"""Shopify's Admin GraphQL API, spoken by trueup's own client (independent of the sandbox)."""
