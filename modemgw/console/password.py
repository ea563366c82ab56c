"""The console password, kept as an scrypt digest (RFC 7914) with its own random salt and
cost in the stored text, so that a later modemgw can raise the cost without locking out a
password set before.

Unlike an API key (256 random bits, a plain SHA-256 is enough: store/keys.py), a password
is chosen by a person and can be guessed: each guess must cost real work. n = 2**14, r = 8
(16 MiB, about 50 ms on a desktop core, a few hundred on a Raspberry Pi 3) is the
interactive-login cost RFC 7914 section 2 suggests. Pure: no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SETTING = "console_password"         # its row in the settings table
MIN_LENGTH = 10
_N, _R, _P = 2**14, 8, 1
_SCHEME = "scrypt"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p,
                          maxmem=2 * 128 * n * r * p, dklen=32)


def digest(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, for the settings table."""
    salt = secrets.token_bytes(16)
    return "$".join((_SCHEME, str(_N), str(_R), str(_P), _b64(salt), _b64(_scrypt(password, salt, _N, _R, _P))))


def matches(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from (compared in constant time).
    A stored text this module cannot read matches nothing."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != _SCHEME:
            return False
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(expected))
