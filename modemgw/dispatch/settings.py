"""The dispatcher's tunables, one frozen record shared by its parts."""

from __future__ import annotations

from dataclasses import dataclass

from .retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    retry: RetryPolicy = RetryPolicy()
    report_window: float = 7 * 86400       # how far back a status report may match
    unknown_window: float = 600.0          # wait this long for a report before applying the policy
    unreported_interval: float = 60.0      # how often to look for sent parts past the report window
    drain_after: int = 5                   # consecutive failures that take a modem out of rotation
    drain_for: float = 300.0
    reassembly_timeout: float = 3600.0
    idle_wakeup: float = 5.0               # upper bound on sleeping, for expiry and housekeeping
    queue_depth: int = 4                   # parts handed to a modem ahead of its current one
    housekeeping_interval: float = 1.0     # expiry, unknown outcomes, partial inbound messages
