"""API keys: random tokens stored only as SHA-256 digests.

A key has 256 bits of randomness, so a plain hash (no salt, no slow KDF) is
enough: there is nothing to brute-force. Lookup is by digest, and the match
is confirmed with a constant-time comparison.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Credentials:
    """What other protocols call a key, derived from it: the same key, the same owner,
    revoked with it. Derived rather than drawn, so that `modemgw keys create` can print
    them once with the key and nothing but their digests (and the Twilio auth token,
    which signs status callbacks) needs to be kept."""
    twilio_account_sid: str           # "AC" + 32 hex digits, as Twilio's
    twilio_auth_token: str            # 32 hex digits
    smspm_hash: str                   # SMSPM's public account hash
    smspm_token: str
    smpp_system_id: str               # SMPP v3.4: at most 15 characters
    smpp_password: str                # SMPP v3.4: at most 8 characters


def derive(token: str) -> Credentials:
    def part(label: str) -> str:
        return hmac.new(token.encode("utf-8", "surrogatepass"), label.encode(), hashlib.sha256).hexdigest()
    return Credentials(
        twilio_account_sid="AC" + part("twilio-account-sid")[:32],
        twilio_auth_token=part("twilio-auth-token")[:32],
        smspm_hash=part("smspm-hash")[:32],
        smspm_token=part("smspm-token")[:40],
        smpp_system_id="mgw" + part("smpp-system-id")[:12],
        smpp_password=base64.b32encode(bytes.fromhex(part("smpp-password")[:10])).decode()[:8].lower())
