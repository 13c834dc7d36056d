"""Finding orders by the customer's e-mail without keeping the e-mail: per order, a keyed hash (HMAC-SHA256) of
the normalised address. Whoever reads the store without the key cannot tell whose orders they are, nor test
guesses of addresses; the console, which holds the key, hashes what an operator types and looks it up."""

from __future__ import annotations

import hashlib
import hmac

# What derives a shop's key from its webhook secret when no key of its own is configured.
_DERIVATION_LABEL = b"trueup customer e-mail index v1"


def normalised_email(text: str) -> str:
    """The address as compared: without surrounding spaces, in lower case."""
    return text.strip().lower()


def email_hash(key: bytes, email: str) -> str | None:
    """The hex HMAC-SHA256 of the normalised `email` under `key`; None for an empty address."""
    address = normalised_email(email)
    if not address:
        return None
    return hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()


def derived_key(secret: str) -> bytes:
    """A key for the e-mail index derived from another secret (a shop's webhook secret), never equal to it."""
    return hmac.new(secret.encode("utf-8"), _DERIVATION_LABEL, hashlib.sha256).digest()


def looks_like_email(text: str) -> bool:
    """Whether a search is for an e-mail address rather than an order name, id or SKU."""
    address = normalised_email(text)
    return "@" in address and not address.startswith("@") and not address.endswith("@")
