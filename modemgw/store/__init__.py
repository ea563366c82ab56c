"""Durable state: one SQLite file (WAL), one writer with group commit."""

from .store import DuePart, NewMessage, NewPart, Store, iso, webhook_body
from .writer import Writer

__all__ = ["DuePart", "NewMessage", "NewPart", "Store", "Writer", "iso", "webhook_body"]
