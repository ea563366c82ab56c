"""The dispatcher's tunables, one frozen record shared by its parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    status_reports: bool = True            # [sending] status_reports: parts ask for one (TP-SRR)
    # [[modem]] status_reports, by modem name: a SIM whose network never sends any
    modem_status_reports: Mapping[str, bool] = field(default_factory=dict)
    node: str = "local"                    # [node] name: messages pinned to it are this node's

    def requests_reports(self, modem: str | None) -> bool:
        """Whether a part sent through `modem` asks the network for a status report."""
        if modem is None:
            return self.status_reports
        return self.modem_status_reports.get(modem, self.status_reports)
