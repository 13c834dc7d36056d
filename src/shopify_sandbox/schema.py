"""Shopify's real Admin schema, one per served API version, loaded once per process."""

from __future__ import annotations

import functools
import gzip
import json
import os
from pathlib import Path

from graphql import GraphQLSchema, build_client_schema

SUPPORTED_VERSIONS = ("2026-10", "2026-07")


def schema_dir() -> Path:
    """Where the vendored introspection files live (repo `schemas/shopify`, or $SHOPIFY_SANDBOX_SCHEMA_DIR)."""
    override = os.environ.get("SHOPIFY_SANDBOX_SCHEMA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "schemas" / "shopify"


@functools.cache
def admin_schema(version: str) -> GraphQLSchema:
    """The Admin schema of `version`, built once (it is big: ~0.3 s) and shared by every request."""
    if version not in SUPPORTED_VERSIONS:
        raise KeyError(version)
    with gzip.open(schema_dir() / f"admin_{version}.json.gz", "rt", encoding="utf-8") as handle:
        introspection = json.load(handle)
    # Shopify's schema fails graphql-core's strict check (deprecated fields on implementations of
    # non-deprecated interface fields), hence assume_valid.
    return build_client_schema(introspection.get("data", introspection), assume_valid=True)
