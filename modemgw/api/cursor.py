"""Opaque pagination cursors: the id of the last item of a page, wrapped.

Clients must not build cursors, so the wrapping lets the position change
form later (a time and an id, say) without breaking anyone.
"""

from __future__ import annotations

import base64
import binascii
import re

from .errors import invalid

_ID = re.compile(r"[a-z]+_[0-9a-z]{26}")


def encode(last_id: str) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str, prefix: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    version, _, last_id = text.partition(":")
    if version != "v1" or not _ID.fullmatch(last_id) or not last_id.startswith(prefix + "_"):
        raise invalid("cursor", "cursor is not one this endpoint returned as next_cursor")
    return last_id
