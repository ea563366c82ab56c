"""Durable state: one SQLite file (WAL), one writer with group commit."""

from .store import DuePart, NewMessage, NewPart, ReportUpdate, Store, iso, webhook_body
from .writer import Writer

__all__ = ["DuePart", "NewMessage", "NewPart", "ReportUpdate", "Store", "Writer", "iso", "webhook_body"]
