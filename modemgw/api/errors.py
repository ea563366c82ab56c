"""The error body every non-2xx response carries: {"error": {"code", "message", "field"?}}.

The codes are a fixed contract; anything the handlers or aiohttp raise is
mapped onto one of them here.
"""

from __future__ import annotations

from aiohttp import web

from ..core import (CoreError, Forbidden, Invalid, NoCapacity, NotFound, RateLimited,
                    Unauthenticated, Unavailable)

STATUS = {
    "invalid_request": 400,
    "authentication_failed": 401,
    "forbidden": 403,
    "not_found": 404,
    "rate_limit_exceeded": 429,
    "server_error": 500,
}


class ApiError(Exception):
    def __init__(self, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}
        # `status` only where HTTP needs another one for the same code (503 when busy).
        self.status = status or STATUS[code]


def invalid(field: str | None, message: str) -> ApiError:
    return ApiError("invalid_request", message, field=field)


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="modemgw"'}


def from_core(err: CoreError) -> ApiError:
    """The core's refusals in the native contract's codes."""
    if isinstance(err, Invalid):
        return ApiError("invalid_request", err.message, field=err.field)
    if isinstance(err, Unauthenticated):
        return ApiError("authentication_failed", err.message, headers=_CHALLENGE)
    if isinstance(err, Forbidden):
        return ApiError("forbidden", err.message)
    if isinstance(err, NotFound):
        return ApiError("not_found", err.message)
    if isinstance(err, RateLimited):
        return ApiError("rate_limit_exceeded", err.message, headers={"Retry-After": str(err.retry_after)})
    if isinstance(err, NoCapacity):
        return ApiError("invalid_request", err.message)
    if isinstance(err, Unavailable):
        # As /readyz: load balancers act on the status, and another node may take it.
        return ApiError("server_error", err.message, status=503, headers={"Retry-After": str(err.retry_after)})
    return ApiError("server_error", "internal error")


def error_response(err: ApiError) -> web.Response:
    body: dict = {"code": err.code, "message": err.message}
    if err.field is not None:
        body["field"] = err.field
    return web.json_response({"error": body}, status=err.status, headers=err.headers)


def from_http(exc: web.HTTPException, request: web.Request) -> ApiError:
    """aiohttp's own refusals, in the contract's codes."""
    if exc.status == 404:
        return ApiError("not_found", f"no route {request.path}")
    if exc.status == 405:
        # A route is a method and a path: one that is not documented does not exist.
        allowed = ", ".join(sorted(getattr(exc, "allowed_methods", ())))
        return ApiError("not_found", f"no route {request.method} {request.path}; allowed: {allowed}",
                        headers={"Allow": allowed})
    if exc.status == 413:
        return invalid("body", "the request body is too large")
    if 400 <= exc.status < 500:
        return invalid(None, exc.reason or "invalid request")
    return ApiError("server_error", "internal error")
