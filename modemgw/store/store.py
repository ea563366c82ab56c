"""The store: one SQLite file in WAL mode, written through the one `Writer`.

`Store` is the one class callers hold; its methods live by concern, each in a mixin
over `base.StoreBase` (the connections, the writer, and what a write transaction adds
when a message changes): `keys_store` (keys, credentials, subscriptions, settings),
`messages` (what the API reads and writes), `queue` (what the dispatcher sends),
`receiving` (what the modems hand over), `outbox_store` (what the webhook sender
delivers), `smpp_store` (the SMPP server's own), `cluster` (the nodes sharing the
database, and what each holds). `protocol` names what each consumer
uses; `rules` decides, without the database, what a change to a message means.
"""

from __future__ import annotations

import os
from typing import Any

from .cluster import NodeRecords
from .errors import StoreUnavailable
from .keys_store import KeyRecords
from .messages import MessageRecords
from .outbox_store import OutboxRecords
from .queue import QueueRecords
from .receiving import ReceivingRecords
from .smpp_store import SmppRecords


class Store(KeyRecords, MessageRecords, QueueRecords, ReceivingRecords, OutboxRecords, SmppRecords,
            NodeRecords):
    """Durable state of the gateway; every write is committed when its method returns.

    `Store(location)`: a file path is a SQLite database; a `postgresql://` (or
    `postgres://`) URL is a PostgreSQL one (`postgres.PostgresStore`, imported only then).
    """

    def __new__(cls, location: str | os.PathLike[str], *args: Any, **kwargs: Any) -> Store:
        if cls is Store and is_url(location):
            try:
                from .postgres import PostgresStore
            except ImportError as exc:
                raise StoreUnavailable(f"PostgreSQL needs the postgresql extra, pip install "
                                       f"'modemgw[postgresql]' ({exc})") from None
            return super().__new__(PostgresStore)
        return super().__new__(cls)


def is_url(location: str | os.PathLike[str]) -> bool:
    """A PostgreSQL URL, not a SQLite path (a str, or a path object)."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))
