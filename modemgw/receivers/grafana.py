"""Grafana Alerting's webhook contact point: `POST /v1/integrations/grafana`.

Grafana sends Alertmanager's payload (with `orgId`, `title`, `message` and per alert
`values`, `silenceURL` besides), so the notification is read and worded as
Alertmanager's. With `[integrations.grafana] secret` set, every request must carry the
contact point's HMAC signature, or it is refused (401):

    X-Grafana-Alerting-Signature: hex(HMAC-SHA256(secret, [timestamp + ":"] + body))

as grafana/alerting `http/hmac.go` computes it: the timestamp (Unix seconds, in the
header the contact point's "Timestamp header" names) is signed only when that header is
set, and is then also required to be within `max_age` seconds of this clock, so that a
captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from ..core import Unauthenticated
from .alertmanager import take
from .app import authenticate, desk_of

NAME = "grafana"


async def receive(request: web.Request) -> web.Response:
    settings = desk_of(request).settings
    if settings.grafana_secret is not None:
        verify(request, await request.read(), settings.grafana_secret,
               desk_of(request).core.wall_clock())
    key = await authenticate(request)
    return await take(request, NAME, key)


def verify(request: web.Request, body: bytes, secret: str, now: float) -> None:
    settings = desk_of(request).settings
    signature = request.headers.get(settings.grafana_signature_header, "").strip().lower()
    if not signature:
        raise Unauthenticated(f"the request is not signed: set the contact point's HMAC signature "
                              f"(header {settings.grafana_signature_header}) with the secret in "
                              f"[integrations.grafana] secret")
    stamp = request.headers.get(settings.grafana_timestamp_header)
    signed = body
    if stamp is not None:
        stamp = stamp.strip()
        if not (stamp.isascii() and stamp.isdigit()) or abs(now - int(stamp)) > settings.grafana_max_age:
            raise Unauthenticated(f"{settings.grafana_timestamp_header} is not a Unix time within "
                                  f"{settings.grafana_max_age:g} s of the gateway's clock")
        signed = stamp.encode() + b":" + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise Unauthenticated(f"{settings.grafana_signature_header} does not match the body: is the "
                              f"contact point's secret the one in [integrations.grafana] secret?")
