"""Mutation resolvers: each module registers its MutationRoot fields (see resolvers.registry)."""
