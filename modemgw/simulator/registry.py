"""The table of AT command handlers, filled by the command modules."""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .modem import Modem
    from .parser import Command

Handler = Callable[["Modem", "Command"], Awaitable[list[str]]]

HANDLERS: dict[str, Handler] = {}


def command(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler: it returns the information lines, or raises CommandError."""

    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = handler
        return handler

    return register


class NotSupported(Exception):
    """The command does not exist on this modem model."""
