"""`modemgw demo`: the gateway on simulated modems, a key, a first message, and its webhooks.

Everything stays on this machine: the demo starts its own webhook receiver on
loopback (it prints each event it gets and whether its signature checks out)
and makes it the default webhook URL, so no example sends anything to the
internet, and events queued by an earlier demo reach this one's receiver.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import replace

from .common import CommandError, say, setup_logging
from .serve import run_gateway

HOOK_PATH = "/hook"
STORE_WAIT = 10.0  # s a webhook waits for the gateway's store before it is answered 503
FIRST_TO, CURL_TO, INBOUND_FROM = "+15551230001", "+15551230002", "+15551230009"


def register(sub) -> None:
    p = sub.add_parser("demo", help="run on simulated modems, create a key and send a first message")
    p.add_argument("--port", type=int, default=8080, help="API port (default 8080; 0: any free one)")
    p.add_argument("--hook-port", type=int,
                   help="port of the demo's webhook receiver (default: --port + 1; any free one with --port 0)")
    p.add_argument("--db", default="modemgw-demo.db", help="database file (default %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    import logging
    setup_logging("text", args.verbose)
    if not args.verbose:  # the demo tells its own story; -v shows the gateway's log
        logging.getLogger().setLevel(logging.WARNING)
    hook_port = args.hook_port if args.hook_port is not None else (args.port + 1 if args.port else 0)
    return asyncio.run(_run(args, hook_port))


async def _run(args: argparse.Namespace, hook_port: int) -> int:
    from ..config import default_demo
    receiver = Receiver()
    try:
        hook = await receiver.start(hook_port)
    except OSError as exc:
        raise CommandError(f"cannot start the webhook receiver on port {hook_port}: {exc.strerror} "
                           f"(choose another with --hook-port)") from None
    config = replace(default_demo(), listen_port=args.port, database=args.db, webhook_url=hook)
    try:
        return await run_gateway(config, started=lambda gateway: _tour(gateway, receiver, hook))
    finally:
        await receiver.stop()


class Receiver:
    """A webhook endpoint on loopback that prints what it is sent."""

    def __init__(self) -> None:
        self.store = None  # the gateway's: the secrets to check signatures with
        self._attached = asyncio.Event()
        self._runner = None

    def attach(self, store) -> None:
        self.store = store
        self._attached.set()

    async def start(self, port: int) -> str:
        from aiohttp import web
        app = web.Application()
        app.router.add_post(HOOK_PATH, self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}{HOOK_PATH}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request):
        from aiohttp import web
        raw = await request.read()
        try:
            event = json.loads(raw)
        except ValueError:
            return web.Response(status=400)
        try:
            signed = await self._signed(raw, request.headers)
        except TimeoutError:
            return web.Response(status=503)  # the gateway sends it again later
        subject = event.get("status") or f"from {event.get('from')}: {str(event.get('text'))[:40]!r}"
        say(f"  webhook {event.get('event')} {event.get('id')} ({subject}), "
            f"signature {'checks out' if signed else 'does NOT match'}")
        return web.Response(status=204)

    async def _signed(self, raw: bytes, headers) -> bool:
        from ..webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
        # Events an earlier demo queued may come before the tour has begun.
        async with asyncio.timeout(STORE_WAIT):
            await self._attached.wait()
        # Inbound events are signed with the gateway's secret, the others with their key's.
        key_ids = [None] + [k["id"] for k in await self.store.list_keys()]
        for key_id in key_ids:
            secret = await self.store.webhook_secret(key_id)
            if secret and verify(secret, raw, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)):
                return True
        return False


async def _tour(gateway, receiver: Receiver, hook: str) -> None:
    """Create a key, send a message through the API, and show it being delivered."""
    import aiohttp
    receiver.attach(gateway.store)
    key_id, key = await gateway.store.create_key("demo")
    url = gateway.url
    say(f"\nmodemgw is running on {url} with simulated modems: "
        f"{', '.join(m.name for m in gateway.modems)}")
    say(f"API key (shown once): {key}")
    say(f"Webhook receiver (prints the events it gets): {hook}\n")
    say("Try:")
    say(f"  curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\\n"
        f"       -d '{{\"to\": \"{CURL_TO}\", \"text\": \"Hello from modemgw 👋\", "
        f"\"callback_url\": \"{hook}\"}}' {url}/v1/messages")
    say(f"  curl -s -H 'Authorization: Bearer {key}' {url}/v1/messages")
    name, sim = next(iter(gateway.simulators.items()))
    say(f"  modemgw simulate inject --link {sim.path} --from {INBOUND_FROM} --text 'Hi there'"
        f"    # {name} receives an SMS\n")
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        body = {"to": FIRST_TO, "text": "Welcome to modemgw! Ünïcödé and emoji 🚀 work, "
                                        "and long texts are split and joined again. " * 2}
        async with session.post(f"{url}/v1/messages", json=body) as resp:
            message = await resp.json()
        say(f"sent a demo message: {message.get('id')} ({message.get('segments')} segments)")
        status = message.get("status")
        for _ in range(200):
            async with session.get(f"{url}/v1/messages/{message['id']}") as resp:
                current = (await resp.json()).get("status")
            if current != status:
                say(f"  status: {current}")
                status = current
            if current in ("delivered", "failed", "expired"):
                break
            await asyncio.sleep(0.1)
    for sim_name, simulated in gateway.simulators.items():
        received = simulated.handset(FIRST_TO)
        if received:
            say(f"  the handset behind {sim_name} received: {received[0][:60]}…")
    say("\nPress Ctrl-C to stop.")
