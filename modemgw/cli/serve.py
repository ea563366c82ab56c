"""`modemgw serve` and `modemgw config check`: run the gateway until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping

from .common import DEFAULT_CONFIG, CommandError, Exit, load_config, setup_logging


def register(sub) -> None:
    p = sub.add_parser("serve", help="run the gateway (simulated modems when there is no config)")
    p.add_argument("--config", help=f"configuration file (default {DEFAULT_CONFIG} if it exists)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=_serve)


def register_config(sub) -> None:
    p = sub.add_parser("config", help="check a configuration file")
    csub = p.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    c = csub.add_parser("check", help="validate FILE and exit")
    c.add_argument("file")
    c.set_defaults(func=_config_check)


def _config_check(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load
    try:
        config = load(args.file)
    except ConfigError as exc:
        raise CommandError(str(exc), Exit.USAGE) from None
    print(f"{args.file}: OK ({len(config.modems)} modem(s), {len(config.simulators)} simulated)")
    return Exit.OK


def _serve(args: argparse.Namespace) -> int:
    from ..config import ConfigError
    try:
        config = load_config(args.config, fallback_demo=True)
    except ConfigError as exc:
        raise CommandError(str(exc), Exit.USAGE) from None
    setup_logging(config.log_format, args.verbose)
    if config.path is None:
        print("modemgw: no configuration file found: starting on simulated modems "
              "(see docs/configuration.md to use real ones)", file=sys.stderr)
    loop_factory, loop_name = event_loop()
    logging.getLogger("modemgw").info("event_loop=%s", loop_name)
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(run_gateway(config))


def event_loop(environ: Mapping[str, str] = os.environ
               ) -> tuple[Callable[[], asyncio.AbstractEventLoop] | None, str]:
    """(loop factory, name) for `modemgw serve`: uvloop's when it is installed (`pip
    install 'modemgw[speed]'`; about 6 % less CPU per accepted message, docs/benchmarks.md),
    unless MODEMGW_LOOP=asyncio; otherwise asyncio's own (factory None)."""
    if environ.get("MODEMGW_LOOP", "") != "asyncio":
        try:
            import uvloop  # optional: only when installed, and only for serve
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop, "uvloop"
    return None, "asyncio"


async def run_gateway(config, started: Callable[[object], Awaitable[None]] | None = None) -> int:
    """Start, call `started(gateway)` (the demo's tour), serve until a signal, stop."""
    from .. import memory, systemd
    from ..config import ConfigError
    from ..store.cluster import ModemTaken
    from ..store.errors import StoreUnavailable
    from ..store.schema import SchemaError
    from ..service import Gateway
    memory.limit_arenas()  # before the gateway starts its threads
    gateway = Gateway(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await gateway.start()
    except (OSError, SchemaError, StoreUnavailable, ModemTaken) as exc:
        await gateway.stop()
        raise CommandError(f"cannot start: {exc}") from None
    except ConfigError as exc:
        # A dialect refusing its [dialects.<name>] table: stopped, or its tasks keep the
        # process alive after the traceback.
        await gateway.stop()
        raise CommandError(str(exc), Exit.USAGE) from None
    memory.trim()  # what start-up freed goes back to the system
    systemd.notify("READY=1\nSTATUS=serving on " + gateway.url)
    watchdog = asyncio.create_task(systemd.watchdog(gateway.store.check))
    try:
        if started is not None:
            await started(gateway)
        await stop.wait()
    finally:
        systemd.notify("STOPPING=1")
        watchdog.cancel()
        await gateway.stop()
    return Exit.OK
