"""Durable state: one SQLite file (WAL), one writer with group commit."""

from .status import ErrorCode
from .store import DuePart, NewMessage, NewPart, ReportUpdate, Store, iso, webhook_body
from .writer import Writer

__all__ = ["DuePart", "ErrorCode", "NewMessage", "NewPart", "ReportUpdate", "Store", "Writer", "iso", "webhook_body"]
