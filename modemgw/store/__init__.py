"""Durable state: one SQLite file (WAL), one writer with group commit."""

from .records import DuePart, NewMessage, NewPart, ReportUpdate
from .rules import iso, webhook_body
from .status import ErrorCode
from .store import Store
from .writer import Writer

__all__ = ["DuePart", "ErrorCode", "NewMessage", "NewPart", "ReportUpdate", "Store", "Writer", "iso", "webhook_body"]
