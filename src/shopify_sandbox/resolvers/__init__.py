"""Field resolvers over the shop's state, registered per (GraphQL type, field).

Importing this package registers every resolver module (see `registry.register_all`).
"""
