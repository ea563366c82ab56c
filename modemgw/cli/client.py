"""Talking to a running gateway: `modemgw messages`, `inbox`, `modems`, `nodes`, and the client `send` uses.

An error answer ends the command with its code and message; a 429 is waited out
(its Retry-After) and the request made again, since the gateway did nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os

from .common import CommandError, Exit, err

MAX_RETRY_AFTER = 600.0  # s; after a longer Retry-After, ask again at this point anyway


def client_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", default=os.environ.get("MODEMGW_URL", "http://127.0.0.1:8080"),
                   help="gateway URL (env MODEMGW_URL)")
    p.add_argument("--key", default=os.environ.get("MODEMGW_KEY"), help="API key (env MODEMGW_KEY)")


def register(sub) -> None:
    p = sub.add_parser("messages", help="list messages")
    p.add_argument("--status")
    p.add_argument("--limit", type=int)
    client_args(p)
    p.set_defaults(func=_lister("/v1/messages"))

    p = sub.add_parser("inbox", help="list received messages")
    p.add_argument("--limit", type=int)
    client_args(p)
    p.set_defaults(func=_lister("/v1/inbound"))

    p = sub.add_parser("modems", help="state of the gateway's modems")
    client_args(p)
    p.set_defaults(func=_lister("/v1/modems"))

    p = sub.add_parser("nodes", help="the gateway nodes sharing the database: modems, what each holds, "
                                     "last heartbeat")
    client_args(p)
    p.set_defaults(func=_lister("/v1/nodes"))


class Client:
    def __init__(self, args: argparse.Namespace) -> None:
        if not args.key:
            raise CommandError("an API key is needed: --key or MODEMGW_KEY (create one with "
                               "`modemgw keys create`)", Exit.USAGE)
        self.url = args.url.rstrip("/")
        self._key = args.key
        self._session = None

    async def __aenter__(self) -> "Client":
        import aiohttp
        self._session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {self._key}"})
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._session.close()

    async def call(self, method: str, path: str, **kw) -> dict:
        import aiohttp
        while True:
            try:
                async with self._session.request(method, self.url + path, **kw) as resp:
                    body = await resp.json(content_type=None)
                    retry_after = resp.headers.get("Retry-After")
            except aiohttp.ClientError as exc:
                raise CommandError(f"cannot reach {self.url}: {exc}", Exit.UNREACHABLE) from None
            except ValueError:  # not JSON: something else listens there
                raise CommandError(f"{self.url} did not answer like a modemgw gateway "
                                   f"({resp.status} {resp.reason})", Exit.UNREACHABLE) from None
            if resp.status == 429:
                wait = _seconds(retry_after)
                err(f"rate limited: trying again in {wait:g} s")
                await asyncio.sleep(wait)
                continue
            if resp.status >= 400:
                error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
                field = f" ({error['field']})" if error.get("field") else ""
                raise CommandError(f"{resp.status} {error.get('code')}{field}: {error.get('message')}")
            return body


def _seconds(retry_after: str | None) -> float:
    try:
        wait = float(retry_after) if retry_after is not None else 1.0
    except ValueError:  # an HTTP date: not what modemgw sends
        wait = 1.0
    return min(max(wait, 0.0), MAX_RETRY_AFTER)


def _lister(path: str):
    def handler(args: argparse.Namespace) -> int:
        query = {k: v for k, v in (("status", getattr(args, "status", None)),
                                   ("limit", getattr(args, "limit", None))) if v is not None}

        async def run() -> int:
            async with Client(args) as client:
                body = await client.call("GET", path, params=query)
            print(json.dumps(body, ensure_ascii=False, indent=2))
            return Exit.OK
        return asyncio.run(run())
    return handler
