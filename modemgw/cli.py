"""The `modemgw` command line."""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__


def _cmd_preview(args: argparse.Namespace) -> int:
    from .sms import PduError, preview
    try:
        p = preview(args.text, tuple(args.national or ()))
    except PduError as exc:
        print(f"modemgw: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({
        "encoding": p.encoding,
        "segments": p.segments,
        "remaining_in_last_segment": p.remaining,
        "per_segment": p.per_segment,
        "ucs2_characters": list(p.ucs2_characters),
    }, ensure_ascii=False))
    return 0


def _cmd_decode(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from .sms import PduError, decode_pdu
    try:
        result = decode_pdu(args.pdu, args.length)
    except PduError as exc:
        print(f"modemgw: cannot decode: {exc}", file=sys.stderr)
        return 2
    fields = asdict(result)
    fields["type"] = type(result).__name__
    print(json.dumps(fields, default=_json_default, ensure_ascii=False, indent=2))
    return 0


def _json_default(value):
    if isinstance(value, bytes):
        return value.hex().upper()
    return str(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modemgw", description=__doc__)
    parser.add_argument("--version", action="version", version=f"modemgw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
