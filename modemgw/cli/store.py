"""`modemgw store copy`: a SQLite database's rows into a new PostgreSQL database."""

from __future__ import annotations

import argparse

from .common import CommandError, Exit, err, load_config


def register(sub) -> None:
    p = sub.add_parser("store", help="copy a SQLite database into PostgreSQL")
    ssub = p.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    c = ssub.add_parser("copy", help="copy every row of a SQLite database into a new, empty PostgreSQL "
                                     "database, in one transaction (stop the gateway first)")
    c.add_argument("source", nargs="?", metavar="SQLITE_PATH",
                   help="the SQLite database (default: the one --config names)")
    c.add_argument("target", metavar="POSTGRES_URL", help="postgresql://user:password@host/database")
    c.add_argument("--config", help="configuration file naming the SQLite database (its [store] path)")
    c.set_defaults(func=_copy)


def _copy(args: argparse.Namespace) -> int:
    from ..config import ConfigError
    from ..store.store import is_url
    try:
        from ..store.copy import CopyError, TableCopied, copy_database
    except ImportError as exc:
        raise CommandError(f"copying into PostgreSQL needs the postgresql extra: pip install "
                           f"'modemgw[postgresql]' ({exc})") from None
    if not is_url(args.target):
        raise CommandError(f"{args.target}: not a postgresql:// URL", Exit.USAGE)
    source = args.source
    if source is None:
        try:
            source = load_config(args.config).database
        except ConfigError as exc:
            raise CommandError(str(exc), Exit.USAGE) from None
    if is_url(source):
        raise CommandError(f"the source is a PostgreSQL database ({source}), not a SQLite file: "
                           "give SQLITE_PATH", Exit.USAGE)

    def told(table: TableCopied) -> None:
        print(f"{table.name:<22} {table.rows:>10} rows  {table.seconds:7.2f} s", flush=True)
        if table.not_copied:
            err(f"{table.name}: not in PostgreSQL's schema, not copied: {', '.join(table.not_copied)}")
    try:
        copied = copy_database(source, args.target, on_table=told)
    except CopyError as exc:
        raise CommandError(str(exc)) from None
    print(f"copied {copied.rows} rows of {len(copied.tables)} tables in {copied.seconds:.1f} s; "
          f"point [store] url at the PostgreSQL database and start the gateway")
    return Exit.OK
