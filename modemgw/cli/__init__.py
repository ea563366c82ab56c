"""The `modemgw` command line: one module per group of commands, each with `register()`.

Exit codes: 0 success; 1 the operation failed (a message not delivered, a
gateway that could not start); 2 bad usage or an invalid configuration;
3 the gateway could not be reached; 141 stdout was closed before the output
was written (`modemgw messages | head`), as a shell reports a SIGPIPE.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from . import client, codec, console, demo, keys, probe, send, serve
from .common import CommandError, Exit, err, silence_stdout


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modemgw", description="An SMS gateway for USB GSM/LTE modems.")
    parser.add_argument("--version", action="version", version=f"modemgw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in (serve.register, demo.register, serve.register_config, keys.register,
                     send.register, client.register, probe.register, codec.register, console.register):
        register(sub)
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
    args = build_parser().parse_args(argv)
    return args.func(args)
