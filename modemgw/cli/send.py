"""`modemgw send`: a message through a running gateway; with --wait, followed to its end.

--timeout bounds the whole command, the waits for a 429 included. A message that
is not final by then ends the command with exit 1 and its last status; the
gateway keeps working on it, and may still deliver it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from .client import Client, client_args
from .common import CommandError, Exit

FINAL = ("delivered", "failed", "expired", "cancelled")
POLL = 0.5  # s between looks at the message while waiting


def register(sub) -> None:
    p = sub.add_parser("send", help="send a message through a running gateway")
    p.add_argument("--to", required=True, help="a number (E.164, or national with [api] default_region)")
    p.add_argument("--text", required=True)
    p.add_argument("--from", dest="sender", help="pick the modems whose route lists this sender")
    p.add_argument("--callback-url", help="webhooks for this message go here")
    p.add_argument("--scheduled-at", metavar="TIME",
                   help="not before this time: ISO 8601 with an offset, e.g. 2030-01-31T09:00:00Z")
    p.add_argument("--validity", type=int, metavar="SECONDS",
                   help="give up if not sent within this time (300 to 38102400)")
    p.add_argument("--via", metavar="KIND:NAME", type=_via,
                   help="only this carrier sends it, however long it waits: modem:NAME, sim:ICCID or node:NAME")
    p.add_argument("--idempotency-key", metavar="KEY",
                   help="sending again with the same key returns the first message, sends nothing")
    p.add_argument("--wait", action="store_true", help="follow the status until it is final")
    p.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="give up after this long, waits included (default 300; 0: no limit)")
    client_args(p)
    p.set_defaults(func=_send)


def _body(args: argparse.Namespace) -> dict:
    body = {"to": args.to, "text": args.text, "from": args.sender, "callback_url": args.callback_url,
            "scheduled_at": args.scheduled_at, "validity_period": args.validity, "via": args.via}
    return {k: v for k, v in body.items() if v is not None}


def _via(value: str) -> dict:
    kind, sep, name = value.partition(":")
    if not sep or kind not in ("modem", "sim", "node") or not name:
        raise argparse.ArgumentTypeError("give modem:NAME, sim:ICCID or node:NAME")
    return {kind: name}


def _send(args: argparse.Namespace) -> int:
    if args.timeout < 0:
        raise CommandError("--timeout must be 0 (no limit) or more", Exit.USAGE)
    headers = {"Idempotency-Key": args.idempotency_key} if args.idempotency_key else {}

    async def run() -> int:
        message: dict | None = None
        async with Client(args) as client:
            try:
                async with asyncio.timeout(args.timeout or None):
                    message = await client.call("POST", "/v1/messages", json=_body(args), headers=headers)
                    print(json.dumps(message, ensure_ascii=False), flush=True)
                    if args.wait:
                        await _follow(client, message)
            except TimeoutError:
                if message is None:
                    raise CommandError(f"no answer within {args.timeout:g} s: the message may or may "
                                       f"not have been accepted (sending again with the same "
                                       f"--idempotency-key is safe)") from None
                raise CommandError(f"{message['id']}: still {message['status']} after "
                                   f"{args.timeout:g} s (the gateway goes on with it)") from None
        if args.wait and message["status"] != "delivered":
            raise CommandError(f"{message['id']}: {message['status']}: "
                               f"{message.get('error') or 'no reason given'}")
        return Exit.OK
    return asyncio.run(run())


async def _follow(client: Client, message: dict) -> None:
    """Until `message` (updated in place) is final; each change on stderr."""
    while message["status"] not in FINAL:
        await asyncio.sleep(POLL)
        current = await client.call("GET", f"/v1/messages/{message['id']}")
        if current["status"] != message["status"]:
            print(f"{message['id']}: {current['status']}", file=sys.stderr, flush=True)
        message.update(current)
