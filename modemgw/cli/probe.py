"""`modemgw probe`: which serial ports answer AT, what is behind them, and a config block."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .common import Exit


def register(sub) -> None:
    p = sub.add_parser("probe", help="find modems on serial ports and print a config block")
    p.add_argument("ports", nargs="*", help="ports to probe (default: all USB serial ports)")
    p.add_argument("--timeout", type=float, default=1.0, help="seconds per command (default 1)")
    p.set_defaults(func=_probe)


def _known(value: object) -> str:
    # A modem without a SIM or a network has no ICCID or operator: say so, not "None".
    return "unknown" if value is None else str(value)


def _probe(args: argparse.Namespace) -> int:
    from ..modem.probe import candidate_ports, probe_all
    ports = {p: [] for p in args.ports} if args.ports else candidate_ports()
    if not ports:
        print("no serial ports found (looked at /dev/ttyUSB*, /dev/ttyACM*, /dev/serial/by-id/*)")
        return Exit.FAILED
    print(f"probing {len(ports)} port(s), {args.timeout:g} s each at most…", file=sys.stderr)
    results = asyncio.run(probe_all(ports, timeout=args.timeout))
    found = [r for r in results if r.answered]
    for r in results:
        if r.answered:
            print(f"{r.port}: {_known(r.manufacturer)} {_known(r.model)} (rev {_known(r.revision)}) "
                  f"IMEI {_known(r.imei)} ICCID {_known(r.iccid)} operator {_known(r.operator)} "
                  f"signal {_known(r.rssi)}")
        else:
            print(f"{r.port}: {r.error}")
    for i, r in enumerate(found, start=1):
        stable = next((link for link in r.links if "/by-id/" in link), r.port)
        print(f"\n[[modem]]\nname = \"modem{i}\"\nport = \"{stable}\"")
        if r.imei is not None:
            print(f"# or, to follow the modem wherever it re-enumerates:\n# imei = \"{r.imei}\"")
    return Exit.OK if found else Exit.FAILED
