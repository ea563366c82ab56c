"""The `modemgw` command line: one module per group of commands, each with `register()`.

Exit codes: 0 success; 1 the operation failed (a message not delivered, a
gateway that could not start); 2 bad usage or an invalid configuration;
3 the gateway could not be reached; 141 stdout was closed before the output
was written (`modemgw messages | head`), as a shell reports a SIGPIPE.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from .common import CommandError, Exit, err, silence_stdout

# (module, function) registering each group of commands, in the order `modemgw -h` lists
# them, and the group of each command: only the module of the command given is imported
# (`modemgw serve` holds none of the client, demo or probe code); `modemgw -h`, or a
# command that is not one, imports them all.
REGISTER = (("serve", "register"), ("demo", "register"), ("serve", "register_config"), ("keys", "register"),
            ("send", "register"), ("client", "register"), ("probe", "register"), ("codec", "register"),
            ("console", "register"), ("store", "register"))
COMMANDS = {"serve": 0, "demo": 1, "config": 2, "keys": 3, "send": 4, "messages": 5, "inbox": 5,
            "modems": 5, "nodes": 5, "probe": 6, "preview": 7, "decode": 7, "console": 8,
            "store": 9}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with `command` only that command's."""
    parser = argparse.ArgumentParser(prog="modemgw", description="An SMS gateway for USB GSM/LTE modems.")
    parser.add_argument("--version", action="version", version=f"modemgw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups = REGISTER if command not in COMMANDS else (REGISTER[COMMANDS[command]],)
    for module, function in groups:
        getattr(importlib.import_module(f"{__name__}.{module}"), function)(sub)
    if command not in COMMANDS:
        sub.add_parser("simulate", help="run a simulated modem on a pty, or make one receive an SMS "
                                        "(see `modemgw simulate -h`)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        try:
            code = _run(argv)
        except SystemExit as exc:  # argparse's --help, --version and usage errors
            code = exc.code if isinstance(exc.code, int) else Exit.USAGE
        sys.stdout.flush()  # here, not at exit, where a closed pipe could no longer be handled
    except BrokenPipeError:
        silence_stdout()
        return Exit.PIPE
    except CommandError as exc:
        err(str(exc))
        return exc.code
    return code


def _run(argv: list[str]) -> int:
    if argv[:1] == ["simulate"]:  # the simulator has its own options and help
        from ..simulator import main as simulator_main
        return simulator_main(argv[1:])
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    return args.func(args)
