"""`modemgw console set-password`: the password that opens the web console
(docs/console.md), kept in the database as an scrypt digest."""

from __future__ import annotations

import argparse
import getpass
import sys

from .common import CommandError, Exit, database, on_store


def register(sub) -> None:
    p = sub.add_parser("console", help="the web console: set its password")
    csub = p.add_subparsers(dest="console_command", required=True, metavar="ACTION")
    s = csub.add_parser("set-password", help="set the console password: asked twice on a terminal, "
                                             "or read as one line from standard input")
    s.add_argument("--config", help="configuration file naming the database")
    s.add_argument("--db", help="database file (instead of --config)")
    s.set_defaults(func=_set_password)


def _read() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("console password: ")
    if getpass.getpass("again: ") != first:
        raise CommandError("the two passwords differ; nothing changed", Exit.USAGE)
    return first


def _set_password(args: argparse.Namespace) -> int:
    from ..console.password import MIN_LENGTH, SETTING, digest
    path = database(args)
    password = _read()
    if len(password) < MIN_LENGTH:
        raise CommandError(f"a console password has at least {MIN_LENGTH} characters; nothing changed",
                           Exit.USAGE)
    on_store(path, lambda store: store.set_setting(SETTING, digest(password)))
    print("console password set; sessions opened with the previous one end at their next request")
    return Exit.OK
