"""`modemgw simulate` (or `python -m modemgw.simulator`): run a simulated modem until stopped,
and `modemgw simulate inject`: make a running one receive an SMS, from another process.

Exit codes as `modemgw`'s: 0 done; 1 refused (a text the network cannot carry);
2 bad usage; 3 no simulated modem answers on that link.
"""

import argparse
import asyncio
import signal
import sys

from ..cli.common import say
from .control import ControlError, control_path, inject
from .faults import Faults
from .profiles import PROFILES
from .settings import REPORT_MODES, Settings
from .simulator import Simulator
from .transcript import Entry


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="modemgw simulate",
        description="A simulated GSM modem (AT commands, PDU mode) on a pseudo-terminal. "
                    "`modemgw simulate inject -h`: make a running one receive an SMS.",
    )
    p.add_argument("--link", help="symlink to create for the pty, e.g. /tmp/ttyFAKE0")
    p.add_argument("--profile", choices=sorted(PROFILES), default="generic")
    p.add_argument("--latency", type=float, default=0.0, help="seconds before +CMGS answers")
    p.add_argument("--report", choices=REPORT_MODES, default="auto",
                   help="status reports: follow AT+CNMI (auto), +CDS, +CDSI, or stored silently")
    p.add_argument("--report-delay", type=float, default=0.5, help="seconds from submit to status report")
    p.add_argument("--report-status", type=int, default=0, help="TP-ST of the final report")
    p.add_argument("--intermediate-status", type=int, help="TP-ST of a report sent first, e.g. 48")
    p.add_argument("--smsc", default="+15550000000", help='AT+CSCA? answer; "" for none')
    p.add_argument("--pin", help="SIM PIN (default: no PIN)")
    p.add_argument("--sim-delay", type=float, default=0.0, help="seconds until the SIM is ready")
    p.add_argument("--sms-delay", type=float, default=0.0, help="seconds from SIM ready to SMS ready")
    p.add_argument("--fail-every", type=int, default=0, help="every Nth submit fails")
    p.add_argument("--fail-code", type=int, default=500, help="+CMS ERROR code of failing submits")
    p.add_argument("--fail-rate", type=float, default=0.0, help="share of submits failing at random")
    p.add_argument("--byte-delay", type=float, default=0.0, help="seconds between output bytes")
    p.add_argument("--echo-stuck", action="store_true", help="keep echoing after ATE0")
    p.add_argument("-v", "--verbose", action="store_true", help="log the traffic to stderr")
    return p


def make_simulator(args: argparse.Namespace) -> Simulator:
    settings = Settings(
        latency=args.latency, report_mode=args.report, report_delay=args.report_delay,
        report_status=args.report_status, intermediate_status=args.intermediate_status,
        smsc=args.smsc, pin=args.pin, sim_ready_delay=args.sim_delay, sms_ready_delay=args.sms_delay,
    )
    faults = Faults(
        fail_every=args.fail_every, fail_code=args.fail_code, cms_error_rate=args.fail_rate,
        cms_error_code=args.fail_code, byte_delay=args.byte_delay, echo_stuck=args.echo_stuck,
    )
    return Simulator(args.link, profile=args.profile, settings=settings, faults=faults)


def _log(entry: Entry) -> None:
    arrow = ">>" if entry.direction == "in" else "<<"
    print(f"{arrow} {entry.data!r}", file=sys.stderr, flush=True)


async def serve(simulator: Simulator, stop: asyncio.Event) -> None:
    """Run until `stop` is set."""
    async with simulator:
        # Announced once booted: like a real modem, it drops what is typed while it boots,
        # and a script that starts talking on the first line would lose its first command.
        await simulator.wait_ready(timeout=30)
        # say(): a reader that left (`| head -1`) does not stop the modem.
        say(f"simulated {simulator.profile.name} modem on {simulator.path} ({simulator.device}), "
            f"IMEI {simulator.profile.imei}")
        if simulator.control is not None:
            say(f"receive an SMS: modemgw simulate inject --link {simulator.path} "
                f"--from +15551230001 --text 'Hello'")
        await stop.wait()


async def _run(args: argparse.Namespace) -> None:
    simulator = make_simulator(args)
    if args.verbose:
        simulator.transcript.listeners.append(_log)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(simulator, stop)


def build_inject_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="modemgw simulate inject",
        description="Make a running simulated modem receive an SMS (long texts arrive in parts).")
    p.add_argument("--link", required=True, help="the running simulator's --link")
    p.add_argument("--from", dest="originator", required=True,
                   help="the sender: a number (+15551230001) or up to 11 letters")
    p.add_argument("--text", required=True)
    return p


def _inject(argv: list[str]) -> int:
    args = build_inject_parser().parse_args(argv)
    path = control_path(args.link)
    try:
        parts = asyncio.run(inject(path, args.originator, args.text))
    except ControlError as error:
        print(f"modemgw simulate: refused: {error}", file=sys.stderr)
        return 1
    except (OSError, TimeoutError) as error:
        print(f"modemgw simulate: no simulated modem answers on {args.link} ({path}: "
              f"{getattr(error, 'strerror', None) or 'no answer'})", file=sys.stderr)
        return 3
    print(f"{args.link} receives {parts} part(s) from {args.originator}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["inject"]:
        return _inject(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(_run(args))
    except OSError as error:
        print(f"modemgw simulator: {error}", file=sys.stderr)
        return 1
    return 0
