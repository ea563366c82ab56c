"""Dialects: other SMS providers' APIs (and Twilio's) served over the one message core.

A dialect is one module (or package) under `modemgw.dialects` whose `DIALECT` says where
it is mounted and how its webhooks look. It translates its requests into core
`Submission`s and core records and errors into its responses; it never checks, segments,
de-duplicates or rate-limits on its own. Adding one is a new module plus its tests, and
its name in `NAMES` (`config.DIALECTS`, which the config file is checked against).

    DIALECT = Dialect("smspm", "/compat/smspm", create_app, Callbacks())

`service.py` imports only the enabled ones (`[dialects] enabled`), so a dialect that is
switched off costs no memory.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from ..config import DIALECTS as NAMES
from ..core import Core
from ..webhooks.formats import WebhookFormat


@dataclass(frozen=True, slots=True)
class DialectConfig:
    """A dialect's own table in the config file, `[dialects.<name>]`."""
    inbound_url: str | None = None       # where received messages are POSTed in this dialect's format
    options: Mapping[str, object] = field(default_factory=dict)   # any other keys of the table


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    prefix: str                                        # the base URL path it is mounted at
    create_app: Callable[[Core, DialectConfig], web.Application]
    webhook_format: WebhookFormat | None = None        # None: it sends no webhooks
    # Received messages belong to no key. For a format that signs with a key's own secret
    # (Twilio's auth token), the key its config names: (credential kind, identifier), e.g.
    # ("twilio", "AC..."); None: signed with the gateway's webhook secret.
    inbound_owner: Callable[[DialectConfig], tuple[str, str] | None] | None = None


def load(name: str) -> Dialect:
    if name not in NAMES:
        raise KeyError(f"no dialect {name!r} (known: {', '.join(NAMES)})")
    return importlib.import_module(f"{__name__}.{name}").DIALECT
