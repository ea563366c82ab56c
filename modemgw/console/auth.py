"""Who may use the console, and how a request shows it.

A session is opened by logging in with an API key (unless `[console] key_login = false`)
or with the console password (`modemgw console set-password`). It lives in this process's
memory only (a restart logs everyone out), is named by a random cookie that is `HttpOnly`
and `SameSite=Strict` (and `Secure` over HTTPS), and ends after `LIFETIME`, at logout, or
at the first request after its key is revoked or the password changed: the credential is
looked up again at every request, so nothing stale is trusted. Every form carries the
session's CSRF token (the login form a token of its own, in a cookie beside it), and a
request whose `Origin` names another host is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from aiohttp import web

from ..core import Core, Forbidden, Unauthenticated
from . import password

log = logging.getLogger("modemgw.console")

COOKIE = "modemgw_console"
LOGIN_COOKIE = "modemgw_console_login"       # the login form's own CSRF token
LIFETIME = 12 * 3600.0
MAX_SESSIONS = 256                           # beyond, the oldest is closed
# The operator who logged in with the console password sends as no API key: such messages
# are signed with the gateway's own webhook secret (`modemgw keys secret 0`), as inbound are.
CONSOLE_KEY = {"id": None, "name": "console", "delivery_policy": None}


class Via(Enum):
    KEY = "key"
    PASSWORD = "password"


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    via: Via
    key_id: int | None            # the key it was opened with (Via.KEY)
    password: str | None          # the stored digest it was opened with (Via.PASSWORD)
    expires: float


@dataclass(frozen=True, slots=True)
class Actor:
    """The request's session and the key the console acts as (`CONSOLE_KEY` for the password)."""
    session: Session
    key: dict


def _name(token: str) -> str:
    # Sessions are looked up by a digest of the cookie, not the cookie itself.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


class Sessions:
    def __init__(self, clock: Callable[[], float], lifetime: float = LIFETIME) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._open: dict[str, Session] = {}

    def open(self, via: Via, *, key_id: int | None = None, stored: str | None = None) -> str:
        """A new session; the cookie's value."""
        if len(self._open) >= MAX_SESSIONS:
            del self._open[next(iter(self._open))]
        token = secrets.token_urlsafe(32)
        self._open[_name(token)] = Session(secrets.token_urlsafe(32), via, key_id, stored,
                                           self.clock() + self.lifetime)
        return token

    def close(self, token: str) -> None:
        self._open.pop(_name(token), None)

    def find(self, token: str | None) -> Session | None:
        if not token:
            return None
        session = self._open.get(_name(token))
        if session is not None and session.expires <= self.clock():
            self.close(token)
            return None
        return session

    async def actor(self, request: web.Request, core: Core) -> Actor | None:
        """The request's session, if it is open and its credential still holds."""
        token = request.cookies.get(COOKIE)
        session = self.find(token)
        if session is None:
            return None
        try:
            if session.via is Via.KEY:
                assert session.key_id is not None
                return Actor(session, await core.key(session.key_id))
            if session.password is not None and \
                    await core.store.setting(password.SETTING) == session.password:
                return Actor(session, CONSOLE_KEY)
        except Unauthenticated:
            pass
        assert token is not None
        self.close(token)
        return None


async def log_in(core: Core, credential: str, *, key_login: bool) -> tuple[Via, int | None, str | None]:
    """What the login form's credential opens: (via, key id, stored password digest). An
    active API key first (unless `key_login` is off), then the console password."""
    if key_login:
        with contextlib.suppress(Unauthenticated):      # one answer for every wrong credential
            key = await core.authenticate(credential)
            return Via.KEY, key["id"], None
    stored = await core.store.setting(password.SETTING)
    # scrypt takes tens of milliseconds (more on a Pi): off the event loop.
    if credential and stored is not None and await asyncio.to_thread(password.matches, credential, stored):
        return Via.PASSWORD, None, stored
    raise Unauthenticated("wrong API key or console password")


def is_loopback(remote: str | None) -> bool:
    if remote is None:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def check_origin(request: web.Request) -> None:
    """A browser names the page a form or fetch came from; another host's is refused
    (SameSite=Strict already keeps the cookie off such requests: this is the second lock)."""
    origin = request.headers.get("Origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.host):
        raise Forbidden("this request came from a page of another site")


async def check_csrf(request: web.Request, expected: str) -> None:
    check_origin(request)
    sent = request.headers.get("X-CSRF-Token")
    if sent is None:
        sent = (await request.post()).get("csrf")
    if not isinstance(sent, str) or not same(sent, expected):
        raise Forbidden("the form is out of date or did not come from this console: reload the page")


def cookie(response: web.StreamResponse, request: web.Request, name: str, value: str,
           max_age: int | None) -> None:
    response.set_cookie(name, value, path="/console", httponly=True, samesite="Strict",
                        secure=request.secure, max_age=max_age)
