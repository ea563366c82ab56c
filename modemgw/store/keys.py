"""API keys: random tokens stored only as SHA-256 digests.

A key has 256 bits of randomness, so a plain hash (no salt, no slow KDF) is
enough: there is nothing to brute-force. Lookup is by digest, and the match
is confirmed with a constant-time comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "mgw_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def prefix(token: str) -> str:
    """Enough of the key to recognise it in a listing, not enough to use it."""
    return token[:len(KEY_PREFIX) + 4]


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
