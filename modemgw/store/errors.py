"""What the store raises that is not about the request: the database cannot be reached."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The database did not answer (a PostgreSQL server down or cut off): nothing was
    read or written; the same request may succeed once it is back."""
