"""What the commands share: exit codes, output, errors, the configuration file, the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # imported where used: a command that needs no database does not load it
    from ..store import Store

DEFAULT_CONFIG = "/etc/modemgw/modemgw.toml"

T = TypeVar("T")


class Exit(IntEnum):
    OK = 0
    FAILED = 1          # the operation failed: a message not delivered, a gateway that did not start
    USAGE = 2           # bad usage or an invalid configuration
    UNREACHABLE = 3     # the gateway (or a simulated modem) could not be reached
    PIPE = 141          # stdout was closed early (`| head`): what a shell reports for SIGPIPE


class CommandError(Exception):
    """Ends a command: `message` goes to stderr, `code` is the exit status."""

    def __init__(self, message: str, code: Exit = Exit.FAILED) -> None:
        super().__init__(message)
        self.code = code


def err(message: str) -> None:
    print(f"modemgw: {message}", file=sys.stderr, flush=True)


def say(text: str = "") -> None:
    """A line to stdout, for a command that keeps running (the demo): a reader that
    went away (`| head`) silences the rest instead of stopping the gateway."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    # Python's own advice (docs, "Note on SIGPIPE"): point stdout at /dev/null so that
    # the flush at exit does not fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def load_config(path: str | None, *, fallback_demo: bool = False):
    from ..config import ConfigError, default_demo, load
    if path is None and Path(DEFAULT_CONFIG).exists():
        path = DEFAULT_CONFIG
    if path is None:
        if fallback_demo:
            return default_demo()
        raise ConfigError(f"no configuration: give --config FILE (or create {DEFAULT_CONFIG})")
    return load(path)


def setup_logging(fmt: str, verbose: bool) -> None:
    from ..logs import configure
    configure(fmt, logging.DEBUG if verbose else logging.INFO)


def database(args: argparse.Namespace) -> str:
    """The database file a command works on: --db, or the one --config (or the default
    configuration, or the demo's) names."""
    from ..config import ConfigError
    if args.db:
        return args.db
    try:
        return load_config(args.config, fallback_demo=True).database
    except ConfigError as exc:
        raise CommandError(str(exc), Exit.USAGE) from None


def on_store(path: str, action: Callable[[Store], Awaitable[T]]) -> T:
    """`action(store)` on the database at `path`, opened for it and closed after."""
    from ..store import Store
    from ..store.errors import StoreUnavailable
    from ..store.schema import SchemaError

    async def run() -> T:
        store = Store(path)
        await store.open()
        try:
            return await action(store)
        finally:
            await store.close()
    try:
        return asyncio.run(run())
    except SchemaError as exc:
        raise CommandError(str(exc)) from None
    except StoreUnavailable as exc:
        raise CommandError(f"the database cannot be used: {exc}") from None
