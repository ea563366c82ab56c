"""The SMPP server's settings: `[smpp]` in the config file (docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SmppSettings:
    listen: tuple[str, int] | None = None          # plain TCP
    tls_listen: tuple[str, int] | None = None      # TLS, with certificate and key
    certificate: str | None = None
    key: str | None = None
    max_sessions: int = 64                         # bound sessions, all keys together
    window: int = 10                               # unanswered requests, each way, per session
    enquire_link: float = 30.0                     # s of silence before we ask; as long for any answer
    bind_timeout: float = 30.0                     # s a connection may stay unbound
    segment_timeout: float = 60.0                  # s a long message's first segment waits for the rest
    max_segments: int = 1000                       # segments held per session
    system_id: str = "modemgw"                     # ours, in bind responses
    revocation_check: float = 5.0                  # s between checks that bound keys are still valid
