"""The login and logout pages."""

from __future__ import annotations

import logging
import secrets

from aiohttp import web

from ..core import Forbidden, RateLimited, Unauthenticated
from . import auth
from .render import PREFIX, local
from .state import state_of

log = logging.getLogger("modemgw.console")


def _form(request: web.Request, status: int = 200, error: str | None = None,
          next_page: str | None = None) -> web.Response:
    state = state_of(request)
    token = secrets.token_urlsafe(32)
    response = state.pages.page("login.html", status, title="Log in", csrf=token, error=error,
                                next_page=local(next_page or request.query.get("next")),
                                key_login=state.settings.key_login)
    auth.cookie(response, request, auth.LOGIN_COOKIE, token, max_age=3600)
    return response


async def login_form(request: web.Request) -> web.Response:
    return _form(request)


async def login(request: web.Request) -> web.Response:
    state = state_of(request)
    auth.check_origin(request)
    posted = await request.post()
    sent, expected = posted.get("csrf"), request.cookies.get(auth.LOGIN_COOKIE)
    if not isinstance(sent, str) or not expected or not auth.same(sent, expected):
        raise Forbidden("the login form is out of date: reload the page")
    remote = request.remote or "-"
    decision = state.logins.take(remote, state.core.clock())
    if not decision.allowed:
        raise RateLimited(f"too many login attempts; try again in {decision.retry_after} s",
                          decision.retry_after, decision)
    credential = posted.get("credential")
    try:
        via, key_id, stored = await auth.log_in(state.core, credential.strip() if isinstance(credential, str)
                                                else "", key_login=state.settings.key_login)
    except Unauthenticated as exc:
        log.warning("console login refused remote=%s", remote)
        return _form(request, 401, exc.message, posted.get("next"))    # type: ignore[arg-type]
    token = state.sessions.open(via, key_id=key_id, stored=stored)
    log.info("console login remote=%s via=%s key=%s", remote, via.value, key_id if key_id is not None else "-")
    response = web.Response(status=303, headers={"Location": local(posted.get("next"))})
    auth.cookie(response, request, auth.COOKIE, token, max_age=int(state.sessions.lifetime))
    response.del_cookie(auth.LOGIN_COOKIE, path=PREFIX)
    return response


async def logout(request: web.Request) -> web.Response:
    state = state_of(request)
    state.sessions.close(request.cookies.get(auth.COOKIE, ""))
    response = web.Response(status=303, headers={"Location": PREFIX + "/login"})
    response.del_cookie(auth.COOKIE, path=PREFIX)
    return response
