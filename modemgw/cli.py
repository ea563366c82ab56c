"""The `modemgw` command line.

Exit codes: 0 success; 1 the operation failed (a message not delivered, a
gateway that could not start); 2 bad usage or an invalid configuration;
3 the gateway could not be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from . import __version__

DEFAULT_CONFIG = "/etc/modemgw/modemgw.toml"
EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3


def _err(message: str) -> None:
    print(f"modemgw: {message}", file=sys.stderr)


# -- codec helpers -------------------------------------------------------------

def _cmd_preview(args: argparse.Namespace) -> int:
    from .sms import PduError, preview
    try:
        p = preview(args.text, tuple(args.national or ()))
    except PduError as exc:
        _err(str(exc))
        return EXIT_USAGE
    print(json.dumps({"encoding": p.encoding, "segments": p.segments,
                      "remaining_in_last_segment": p.remaining, "per_segment": p.per_segment,
                      "ucs2_characters": list(p.ucs2_characters)}, ensure_ascii=False))
    return 0


def _cmd_decode(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from .sms import PduError, decode_pdu
    try:
        result = decode_pdu(args.pdu, args.length)
    except PduError as exc:
        _err(f"cannot decode: {exc}")
        return EXIT_USAGE
    fields = asdict(result)
    fields["type"] = type(result).__name__
    print(json.dumps(fields, default=_json_default, ensure_ascii=False, indent=2))
    return 0


def _json_default(value):
    return value.hex().upper() if isinstance(value, bytes) else str(value)


# -- configuration -------------------------------------------------------------

def _load_config(path: str | None, *, fallback_demo: bool = False):
    from .config import ConfigError, default_demo, load
    if path is None and Path(DEFAULT_CONFIG).exists():
        path = DEFAULT_CONFIG
    if path is None:
        if fallback_demo:
            return default_demo()
        raise ConfigError(f"no configuration: give --config FILE (or create {DEFAULT_CONFIG})")
    return load(path)


def _cmd_config_check(args: argparse.Namespace) -> int:
    from .config import ConfigError, load
    try:
        config = load(args.file)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USAGE
    print(f"{args.file}: OK ({len(config.modems)} modem(s), {len(config.simulators)} simulated)")
    return 0


def _setup_logging(fmt: str, verbose: bool) -> None:
    from .logs import configure
    configure(fmt, logging.DEBUG if verbose else logging.INFO)


# -- serving -------------------------------------------------------------------

async def _serve(config, *, demo: bool = False) -> int:
    from . import memory, systemd
    from .service import Gateway
    from .store.schema import SchemaError
    memory.limit_arenas()  # before the gateway starts its threads
    gateway = Gateway(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await gateway.start()
    except (OSError, SchemaError) as exc:
        _err(f"cannot start: {exc}")
        await gateway.stop()
        return EXIT_FAILED
    memory.trim()  # what start-up freed goes back to the system
    systemd.notify("READY=1\nSTATUS=serving on " + gateway.url)
    watchdog = asyncio.create_task(systemd.watchdog(gateway.store.check))
    try:
        if demo:
            await _demo(gateway)
        await stop.wait()
    finally:
        systemd.notify("STOPPING=1")
        watchdog.cancel()
        await gateway.stop()
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .config import ConfigError
    try:
        config = _load_config(args.config, fallback_demo=True)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USAGE
    _setup_logging(config.log_format, args.verbose)
    if config.path is None:
        print("modemgw: no configuration file found: starting on simulated modems "
              "(see docs/configuration.md to use real ones)", file=sys.stderr)
    return asyncio.run(_serve(config))


def _cmd_demo(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from .config import default_demo
    config = replace(default_demo(), listen_port=args.port, database=args.db)
    _setup_logging("text", args.verbose)
    if not args.verbose:  # the demo tells its own story; -v shows the gateway's log
        logging.getLogger().setLevel(logging.WARNING)
    return asyncio.run(_serve(config, demo=True))


async def _demo(gateway) -> None:
    """Create a key, send a message through the API, and show it being delivered."""
    import aiohttp
    key_id, key = await gateway.store.create_key("demo")
    url = gateway.url
    print(f"\nmodemgw is running on {url} with simulated modems: "
          f"{', '.join(m.name for m in gateway.modems)}")
    print(f"API key (shown once): {key}\n")
    print("Try:")
    print(f"  curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\\n"
          f"       -d '{{\"to\": \"+15551230002\", \"text\": \"Hello from modemgw 👋\"}}' {url}/v1/messages")
    print(f"  curl -s -H 'Authorization: Bearer {key}' {url}/v1/messages\n")
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        body = {"to": "+15551230001", "text": "Welcome to modemgw! Ünïcödé and emoji 🚀 work, "
                                              "and long texts are split and joined again. " * 2}
        async with session.post(f"{url}/v1/messages", json=body) as resp:
            message = await resp.json()
        print(f"sent a demo message: {message.get('id')} ({message.get('segments')} segments)")
        status = message.get("status")
        for _ in range(200):
            async with session.get(f"{url}/v1/messages/{message['id']}") as resp:
                current = (await resp.json()).get("status")
            if current != status:
                print(f"  status: {current}")
                status = current
            if current in ("delivered", "failed", "expired"):
                break
            await asyncio.sleep(0.1)
    for name, sim in gateway.simulators.items():
        received = sim.handset("+15551230001")
        if received:
            print(f"  the handset behind {name} received: {received[0][:60]}…")
    print("\nPress Ctrl-C to stop.")


# -- keys ------------------------------------------------------------------------

def _database(args: argparse.Namespace) -> str:
    if args.db:
        return args.db
    return _load_config(args.config, fallback_demo=True).database


def _cmd_keys(args: argparse.Namespace) -> int:
    from .config import ConfigError
    from .store import Store
    from .store.schema import SchemaError
    try:
        path = _database(args)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USAGE

    async def run() -> int:
        store = Store(path)
        await store.open()
        try:
            if args.keys_command == "create":
                key_id, key = await store.create_key(args.name)
                print(f"key {key_id} ({args.name}): {key}")
                print(f"webhook signing secret: {await store.key_secret(key_id)}")
                print("Store the key now: only its hash is kept and it cannot be shown again. "
                      "`modemgw keys secret ID` shows the webhook secret again.", file=sys.stderr)
            elif args.keys_command == "list":
                for k in await store.list_keys():
                    state = "revoked" if k["revoked_at"] else "active"
                    print(f"{k['id']:>4}  {k['prefix']}…  {state:8}  {k['name']}")
            elif args.keys_command == "secret":
                secret = (await store.key_secret(args.id) if args.id
                          else await store.ensure_default_secret())
                if secret is None:
                    _err(f"no key {args.id}")
                    return EXIT_FAILED
                print(secret)
            elif args.keys_command == "revoke":
                if not await store.revoke_key(args.id):
                    _err(f"no active key {args.id}")
                    return EXIT_FAILED
                print(f"key {args.id} revoked")
            return 0
        finally:
            await store.close()
    try:
        return asyncio.run(run())
    except SchemaError as exc:
        _err(str(exc))
        return EXIT_FAILED


# -- talking to a running gateway ---------------------------------------------------

def _client_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", default=os.environ.get("MODEMGW_URL", "http://127.0.0.1:8080"),
                   help="gateway URL (env MODEMGW_URL)")
    p.add_argument("--key", default=os.environ.get("MODEMGW_KEY"), help="API key (env MODEMGW_KEY)")


async def _request(args, method: str, path: str, **kw):
    import aiohttp
    if not args.key:
        _err("an API key is needed: --key or MODEMGW_KEY (create one with `modemgw keys create`)")
        return EXIT_USAGE, None
    headers = {"Authorization": f"Bearer {args.key}"}
    try:
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.request(method, args.url.rstrip("/") + path, **kw) as resp:
                body = await resp.json(content_type=None)
                if resp.status >= 400:
                    err = (body or {}).get("error", {})
                    _err(f"{resp.status} {err.get('code')}: {err.get('message')}")
                    return EXIT_FAILED, body
                return 0, body
    except aiohttp.ClientError as exc:
        _err(f"cannot reach {args.url}: {exc}")
        return EXIT_UNREACHABLE, None


def _cmd_send(args: argparse.Namespace) -> int:
    async def run() -> int:
        body = {"to": args.to, "text": args.text}
        if args.sender:
            body["from"] = args.sender
        code, message = await _request(args, "POST", "/v1/messages", json=body)
        if code:
            return code
        print(json.dumps(message, ensure_ascii=False))
        if not args.wait:
            return 0
        status = message["status"]
        while status not in ("delivered", "failed", "expired", "cancelled"):
            await asyncio.sleep(1.0)
            code, current = await _request(args, "GET", f"/v1/messages/{message['id']}")
            if code:
                return code
            if current["status"] != status:
                status = current["status"]
                print(f"{message['id']}: {status}", file=sys.stderr)
        return 0 if status == "delivered" else EXIT_FAILED
    return asyncio.run(run())


def _cmd_get(path: str):
    def handler(args: argparse.Namespace) -> int:
        async def run() -> int:
            query = {k: v for k, v in (("status", getattr(args, "status", None)),
                                       ("limit", getattr(args, "limit", None))) if v is not None}
            code, body = await _request(args, "GET", path, params=query)
            if code:
                return code
            print(json.dumps(body, ensure_ascii=False, indent=2))
            return 0
        return asyncio.run(run())
    return handler


# -- probing ---------------------------------------------------------------------

def _cmd_probe(args: argparse.Namespace) -> int:
    from .modem.probe import candidate_ports, probe_all
    ports = {p: [] for p in args.ports} if args.ports else candidate_ports()
    if not ports:
        print("no serial ports found (looked at /dev/ttyUSB*, /dev/ttyACM*, /dev/serial/by-id/*)")
        return EXIT_FAILED
    print(f"probing {len(ports)} port(s), {args.timeout:g} s each at most…", file=sys.stderr)
    results = asyncio.run(probe_all(ports, timeout=args.timeout))
    found = [r for r in results if r.answered]
    for r in results:
        if r.answered:
            print(f"{r.port}: {r.manufacturer} {r.model} (rev {r.revision}) IMEI {r.imei} "
                  f"ICCID {r.iccid} operator {r.operator} signal {r.rssi}")
        else:
            print(f"{r.port}: {r.error}")
    for i, r in enumerate(found, start=1):
        stable = next((link for link in r.links if "/by-id/" in link), r.port)
        print(f"\n[[modem]]\nname = \"modem{i}\"\nport = \"{stable}\"\n"
              f"# or, to follow the modem wherever it re-enumerates:\n# imei = \"{r.imei}\"")
    return 0 if found else EXIT_FAILED


# -- the parser --------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modemgw", description="An SMS gateway for USB GSM/LTE modems.")
    parser.add_argument("--version", action="version", version=f"modemgw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the gateway (simulated modems when there is no config)")
    p.add_argument("--config", help=f"configuration file (default {DEFAULT_CONFIG} if it exists)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("demo", help="run on simulated modems, create a key and send a first message")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--db", default="modemgw-demo.db", help="database file (default %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("config", help="check a configuration file")
    csub = p.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    c = csub.add_parser("check", help="validate FILE and exit")
    c.add_argument("file")
    c.set_defaults(func=_cmd_config_check)

    p = sub.add_parser("keys", help="create, list and revoke API keys")
    ksub = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    for name, help_ in (("create", "create a key (shown once)"), ("list", "list keys"),
                        ("revoke", "revoke a key"),
                        ("secret", "show the webhook signing secret of key ID (0: inbound events)")):
        k = ksub.add_parser(name, help=help_)
        k.add_argument("--config", help="configuration file naming the database")
        k.add_argument("--db", help="database file (instead of --config)")
        if name == "create":
            k.add_argument("name")
        if name in ("revoke", "secret"):
            k.add_argument("id", type=int)
        k.set_defaults(func=_cmd_keys)

    p = sub.add_parser("send", help="send a message through a running gateway")
    p.add_argument("--to", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--from", dest="sender")
    p.add_argument("--wait", action="store_true", help="follow the status until it is final")
    _client_args(p)
    p.set_defaults(func=_cmd_send)

    p = sub.add_parser("messages", help="list messages")
    p.add_argument("--status")
    p.add_argument("--limit", type=int)
    _client_args(p)
    p.set_defaults(func=_cmd_get("/v1/messages"))

    p = sub.add_parser("inbox", help="list received messages")
    p.add_argument("--limit", type=int)
    _client_args(p)
    p.set_defaults(func=_cmd_get("/v1/inbound"))

    p = sub.add_parser("modems", help="state of the gateway's modems")
    _client_args(p)
    p.set_defaults(func=_cmd_get("/v1/modems"))

    p = sub.add_parser("probe", help="find modems on serial ports and print a config block")
    p.add_argument("ports", nargs="*", help="ports to probe (default: all USB serial ports)")
    p.add_argument("--timeout", type=float, default=1.0, help="seconds per command (default 1)")
    p.set_defaults(func=_cmd_probe)

    p = sub.add_parser("preview", help="show encoding and segment count of a text")
    p.add_argument("text")
    p.add_argument("--national", action="append", metavar="LANG",
                   help="allow a national language table (tr, es, pt); repeatable")
    p.set_defaults(func=_cmd_preview)

    p = sub.add_parser("decode", help="decode a PDU as a modem prints it")
    p.add_argument("pdu")
    p.add_argument("--length", type=int, help="the <length> the modem printed (TPDU octets)")
    p.set_defaults(func=_cmd_decode)

    sub.add_parser("simulate", help="run a simulated modem on a pty (see `modemgw simulate -h`)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["simulate"]:  # the simulator has its own options and help
        from .simulator import main as simulator_main
        return simulator_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
