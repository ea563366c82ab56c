"""Choosing how a modem tells us about inbound messages and status reports.

Pure: from the ranges `AT+CNMI=?` printed to the `AT+CNMI=` lines to try,
best first. Inbound messages are preferred stored and announced (mt=1,
`+CMTI`): the message stays on the SIM until the gateway has committed it,
so a crash in between loses nothing. Status reports are preferred routed
(ds=1, `+CDS`): stored reports (ds=2, `+CDSI`) are announced with the wrong
memory by some firmwares (Quectel EC25, hardware-notes.md), and the SR
memory does not exist on others.
"""

from __future__ import annotations

from dataclasses import dataclass

MODE_PREFERENCE = (2, 1, 3)
MT_PREFERENCE = (1, 2)
DS_PREFERENCE = (1, 2)


@dataclass(frozen=True, slots=True)
class NotificationPlan:
    values: tuple[int, ...]   # the AT+CNMI= arguments
    inbound: str              # "stored" (+CMTI), "routed" (+CMT) or "polled"
    reports: str              # "routed" (+CDS), "stored" (+CDSI) or "polled"

    @property
    def command(self) -> str:
        return "AT+CNMI=" + ",".join(map(str, self.values))


def _pick(allowed: frozenset[int], preference: tuple[int, ...], fallback: int) -> int | None:
    for value in preference:
        if value in allowed:
            return value
    return fallback if fallback in allowed else (min(allowed) if allowed else None)


def plans(ranges: tuple[frozenset[int], ...], ds_preference: tuple[int, ...] = DS_PREFERENCE
          ) -> list[NotificationPlan]:
    """Candidate settings, best first; empty when the modem reports no usable range."""
    if not ranges or not ranges[0]:
        return []
    mode = _pick(ranges[0], MODE_PREFERENCE, 2)
    mts = [m for m in MT_PREFERENCE if len(ranges) > 1 and m in ranges[1]] or [None]
    bm = _pick(ranges[2], (0,), 0) if len(ranges) > 2 else None
    dss = [d for d in ds_preference if len(ranges) > 3 and d in ranges[3]] + [None]
    bfr = _pick(ranges[4], (0,), 0) if len(ranges) > 4 else None
    out = []
    for ds in dss:
        for mt in mts:
            values = [mode, mt if mt is not None else 0, bm if bm is not None else 0,
                      ds if ds is not None else 0]
            if bfr is not None:
                values.append(bfr)
            if len(ranges) <= 3:
                values = values[:len(ranges)]
            out.append(NotificationPlan(
                tuple(values),  # type: ignore[arg-type]
                inbound={1: "stored", 2: "routed"}.get(mt, "polled"),  # type: ignore[arg-type]
                reports={1: "routed", 2: "stored"}.get(ds, "polled"),  # type: ignore[arg-type]
            ))
    return [p for p in out if p.inbound != "polled" or p.reports != "polled"] or out[-1:]
