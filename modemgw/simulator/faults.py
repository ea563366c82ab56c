"""Fault injection: misbehaviour of real modems, switchable from tests at runtime."""

import random
from dataclasses import dataclass, field


@dataclass
class Faults:
    # Submits answered with +CMS ERROR instead of +CMGS.
    cms_error_rate: float = 0.0
    cms_error_code: int = 500
    cms_error_destinations: dict[str, int] = field(default_factory=dict)
    fail_every: int = 0  # every Nth submit fails with fail_code
    fail_code: int = 500
    # Stop answering anything when this command arrives ("+CMGS", or "*" for
    # any); the modem stays dead until power cycle / replug, or hang_for seconds.
    hang_on: str | None = None
    hang_for: float | None = None
    # ATE0 is answered OK but the modem keeps echoing.
    echo_stuck: bool = False
    # Lines pushed into the next responses, one per gap (before the first
    # information line, between records, after the "> " prompt).
    interleave: list[str] = field(default_factory=list)
    # Real URCs raised during a command go out mid-response, not after it.
    urcs_mid_response: bool = False
    # Probability that a final result is preceded by line noise.
    garbage_rate: float = 0.0
    garbage: bytes = b"\x00\xff\xfe~\x13"
    # Seconds between output bytes (slow UART / USB bridge).
    byte_delay: float = 0.0
    # AT+CFUN=1,1 makes the device drop off USB and come back (Huawei E173).
    reset_replugs: bool = False
    seed: int = 0
    _random: random.Random = field(init=False, repr=False)
    _submits: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def submit_error(self, destination: str) -> int | None:
        """The +CMS ERROR code for the next submit, or None when it goes through."""
        self._submits += 1
        if destination in self.cms_error_destinations:
            return self.cms_error_destinations[destination]
        if self.fail_every and self._submits % self.fail_every == 0:
            return self.fail_code
        if self.cms_error_rate and self._random.random() < self.cms_error_rate:
            return self.cms_error_code
        return None

    def noise(self) -> bytes:
        if self.garbage_rate and self._random.random() < self.garbage_rate:
            return self.garbage
        return b""

    def next_interleaved(self) -> str | None:
        return self.interleave.pop(0) if self.interleave else None
