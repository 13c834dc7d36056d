"""Shopify's vendored Admin schema, loaded once for validating generated operations."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path

from graphql import GraphQLSchema, build_client_schema

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas" / "shopify"


@lru_cache(maxsize=2)
def admin_schema(version: str = "2026-10") -> GraphQLSchema:
    with gzip.open(SCHEMAS / f"admin_{version}.json.gz") as file:
        data = json.load(file)
    return build_client_schema(data.get("data", data), assume_valid=True)
