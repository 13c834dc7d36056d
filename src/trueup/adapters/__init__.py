"""Adapters: trueup's ports spoken in the terms of Shopify, the ERP and the storage."""
