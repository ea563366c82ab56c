"""`modemgw preview` and `modemgw decode`: the codec from the shell, no gateway needed."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from ..sms import PduError, decode_pdu, preview
from .common import CommandError, Exit


def register(sub) -> None:
    p = sub.add_parser("preview", help="show encoding and segment count of a text")
    p.add_argument("text")
    p.add_argument("--national", action="append", metavar="LANG",
                   help="allow a national language table (tr, es, pt); repeatable")
    p.set_defaults(func=_preview)

    p = sub.add_parser("decode", help="decode a PDU as a modem prints it")
    p.add_argument("pdu")
    p.add_argument("--length", type=int, help="the <length> the modem printed (TPDU octets)")
    p.set_defaults(func=_decode)


def _preview(args: argparse.Namespace) -> int:
    try:
        p = preview(args.text, tuple(args.national or ()))
    except PduError as exc:
        raise CommandError(str(exc), Exit.USAGE) from None
    # The names of POST /v1/messages/preview, so a script can use either.
    print(json.dumps({"encoding": p.encoding, "segments": p.segments, "remaining": p.remaining,
                      "per_segment": p.per_segment, "ucs2_characters": list(p.ucs2_characters)},
                     ensure_ascii=False))
    return Exit.OK


def _decode(args: argparse.Namespace) -> int:
    try:
        result = decode_pdu(args.pdu, args.length)
    except PduError as exc:
        raise CommandError(f"cannot decode: {exc}", Exit.USAGE) from None
    fields = asdict(result)
    fields["type"] = type(result).__name__
    print(json.dumps(fields, default=_json_default, ensure_ascii=False, indent=2))
    return Exit.OK


def _json_default(value):
    return value.hex().upper() if isinstance(value, bytes) else str(value)
