"""Which modems may carry a message (pure).

Two kinds of rule. A modem's `routes`/`senders` *prefer* it for some traffic: when no
preferred modem is ready, any other sends. A pin (`[[route]]` in the configuration, or
a message's own `via`) *binds* a message to one modem, one SIM or one node: it waits for
that carrier, however long, and no other sends it.

A pin travels with the message as a text, `kind:name` ("modem:ec25", "sim:8944…",
"node:pi-b"), so that every node of a cluster reads it alike: a node claims only the
pinned messages it can carry (`serves`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

VIA_KINDS = ("modem", "sim", "node")
# An ICCID as a client or the configuration gives it: 18 to 22 digits (ITU-T E.118), with
# or without the SIM's padding nibble.
ICCID = re.compile(r"[0-9]{18,22}[Ff]?")


@dataclass(frozen=True, slots=True)
class Route:
    modem: str
    prefixes: tuple[str, ...] = ()     # destination starts with one of these ('+44', '+4479')
    senders: tuple[str, ...] = ()      # the message's `from` is one of these


@dataclass(frozen=True, slots=True)
class Pin:
    """A `[[route]]`: a message meeting every condition given goes only `via` this carrier."""
    via: str                           # "modem:ec25", "sim:89441000…", "node:pi-b"
    prefixes: tuple[str, ...] = ()     # destination starts with one of these
    senders: tuple[str, ...] = ()      # the message's `from` is one of these
    keys: tuple[str, ...] = ()         # the API key (or SMPP system_id's key) has one of these names


def eligible(modems: list[str], routes: list[Route], to: str, sender: str | None) -> list[str]:
    """Modems whose routes match; when no route matches, every modem (a route
    prefers modems for some traffic; it never strands a message)."""
    matching = [r.modem for r in routes
                if (not r.prefixes or any(to.startswith(p) for p in r.prefixes))
                and (not r.senders or sender in r.senders)]
    preferred = [m for m in modems if m in matching]
    return preferred or list(modems)


def via(kind: str, name: str) -> str:
    """The stored form of a pin."""
    return f"{kind}:{iccid(name) if kind == 'sim' else name}"


def iccid(value: str) -> str:
    """An ICCID as compared: a 19-digit one is padded to the SIM's 20 nibbles with an F,
    which some modems show and others strip (hardware-notes.md, "ICCID")."""
    return value.strip().upper().rstrip("F")


def via_parts(token: str) -> tuple[str, str]:
    kind, _, name = token.partition(":")
    return kind, name


def shown(token: str | None) -> dict[str, str] | None:
    """A stored pin as the API shows it and takes it: {"sim": "8944…"}."""
    return None if token is None else dict([via_parts(token)])


def pinned(pins: Sequence[Pin], to: str, sender: str | None, key_name: str | None) -> str | None:
    """The first pin whose conditions the message meets, or None."""
    for p in pins:
        if (not p.prefixes or any(to.startswith(x) for x in p.prefixes)) \
                and (not p.senders or sender in p.senders) and (not p.keys or key_name in p.keys):
            return p.via
    return None


def serves(node: str, sims: Mapping[str, str | None]) -> list[str]:
    """The pins a node with these modems (name → its SIM's ICCID, when read) can carry."""
    return [via("node", node), *(via("modem", m) for m in sims),
            *(via("sim", sim) for sim in sims.values() if sim)]


def carriers(token: str | None, sims: Mapping[str, str | None]) -> list[str]:
    """Which of these modems (name → ICCID) may carry a message pinned `token` (None:
    any). A node pin was checked when the part was claimed: any modem of this node."""
    if token is None:
        return list(sims)
    kind, name = via_parts(token)
    if kind == "modem":
        return [name] if name in sims else []
    if kind == "sim":
        return [m for m, sim in sims.items() if sim and iccid(sim) == name]
    return list(sims)
