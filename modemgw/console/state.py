"""What the console's handlers share: the core, the pages, the sessions, the modems'
history, and the signal that wakes live pages."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from ..core import Core
from ..core.ratelimit import RateLimiter
from .auth import Actor, Sessions
from .history import History, Pulse
from .render import Pages


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    remote: bool = False              # [console] remote: answer clients other than loopback ones
    key_login: bool = True            # [console] key_login: an API key opens the console
    sample_every: float = 5.0         # s between two looks at the modems (history, live page)
    poll_every: float = 1.0           # s between two reads of the event log per live page
    login_attempts: int = 10          # login attempts a minute per client address


@dataclass(frozen=True, slots=True)
class State:
    core: Core
    settings: ConsoleSettings
    pages: Pages
    sessions: Sessions
    logins: RateLimiter
    history: History = field(default_factory=History)
    pulse: Pulse = field(default_factory=Pulse)      # the modems changed, or the gateway stops
    closing: asyncio.Event = field(default_factory=asyncio.Event)   # set when the gateway stops


STATE = web.AppKey("modemgw.console", State)
ACTOR = web.RequestKey("modemgw.console.actor", Actor)


def state_of(request: web.Request) -> State:
    return request.config_dict[STATE]
