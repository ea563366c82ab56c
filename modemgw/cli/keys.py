"""`modemgw keys`: create, list and revoke API keys, straight in the database."""

from __future__ import annotations

import argparse
import json
import sys

from .common import CommandError, Exit, database, on_store


def register(sub) -> None:
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
            k.add_argument("--delivery-policy", choices=("at_most_once", "at_least_once"),
                           help="what this key's messages do when a part's outcome stays unknown "
                                "(default: the gateway's [sending] delivery_policy)")
            k.add_argument("--json", action="store_true",
                           help="print the key and every credential derived from it as one JSON object")
        if name in ("revoke", "secret"):
            k.add_argument("id", type=int)
        k.set_defaults(func=_keys)


_OTHER_CREDENTIALS = (
    ("Twilio account SID", "twilio_account_sid"), ("Twilio auth token", "twilio_auth_token"),
    ("SMSPM hash", "smspm_hash"), ("SMSPM token", "smspm_token"),
    ("SMPP system_id", "smpp_system_id"), ("SMPP password", "smpp_password"))


def _keys(args: argparse.Namespace) -> int:
    return on_store(database(args), lambda store: _action(store, args))


async def _action(store, args: argparse.Namespace) -> int:
    if args.keys_command == "create":
        from ..core import Core, Invalid
        from ..sms import ConcatReferences
        # The core checks the name and derives the credentials, as for the console's keys.
        try:
            credentials = await Core(store, references=ConcatReferences()).create_key(
                args.name, delivery_policy=args.delivery_policy)
        except Invalid as exc:
            raise CommandError(str(exc), Exit.USAGE) from None
        if args.json:
            print(json.dumps(credentials, indent=2))
        else:
            print(f"key {credentials['id']} ({credentials['name']}): {credentials['key']}")
            print(f"webhook signing secret: {credentials['webhook_secret']}")
            print("the same key for other protocols:")
            for label, name in _OTHER_CREDENTIALS:
                print(f"  {label}: {credentials[name]}")
        print("Store the key now: only its hash is kept and it cannot be shown again (nor the "
              "credentials derived from it). `modemgw keys secret ID` shows the webhook secret again.",
              file=sys.stderr)
    elif args.keys_command == "list":
        for k in await store.list_keys():
            state = "revoked" if k["revoked_at"] else "active"
            print(f"{k['id']:>4}  {k['prefix']}…  {state:8}  {k['name']}")
    elif args.keys_command == "secret":
        secret = (await store.key_secret(args.id) if args.id
                  else await store.ensure_default_secret())
        if secret is None:
            raise CommandError(f"no key {args.id}")
        print(secret)
    elif args.keys_command == "revoke":
        if not await store.revoke_key(args.id):
            raise CommandError(f"no active key {args.id}")
        print(f"key {args.id} revoked")
    return Exit.OK
