"""Which modems may carry a message: routes by destination prefix and by sender (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Route:
    modem: str
    prefixes: tuple[str, ...] = ()     # destination starts with one of these ('+44', '+4479')
    senders: tuple[str, ...] = ()      # the message's `from` is one of these


def eligible(modems: list[str], routes: list[Route], to: str, sender: str | None) -> list[str]:
    """Modems whose routes match; when no route matches, every modem (a route
    prefers modems for some traffic; it never strands a message)."""
    matching = [r.modem for r in routes
                if (not r.prefixes or any(to.startswith(p) for p in r.prefixes))
                and (not r.senders or sender in r.senders)]
    preferred = [m for m in modems if m in matching]
    return preferred or list(modems)
