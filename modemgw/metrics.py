"""/metrics in the Prometheus text format (version 0.0.4), built by hand: a few gauges
and counters do not need a client library.

Names follow Prometheus' conventions (https://prometheus.io/docs/practices/naming/):
the `modemgw_` prefix, the unit as a plural suffix in base units (`_seconds`, `_parts`,
`_deliveries`), `_total` on counters, and a label for what tells series apart. The
dashboard and alert rules in `monitoring/` use these names, and the tests check every
name they use against what a running gateway serves, and the output with `promtool
check metrics`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .core.tallies import Family
from .modem import Modem, ModemState


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(modems: list[Modem], counts: Mapping[str, float], drained: Mapping[str, bool] | None = None, *,
           daily: Mapping[str, tuple[int, int | None]] | None = None, queue_age: float = 0.0,
           families: Iterable[Family] = ()) -> str:
    """`daily`: per modem, parts sent today and its daily cap (None: no cap)."""
    lines: list[str] = []

    def metric(name: str, kind: str, help_: str, samples: list[tuple[dict[str, str], float]]) -> None:
        lines.append(f"# HELP {name} {help_}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            label = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{label}}} {value:g}" if label else f"{name} {value:g}")

    metric("modemgw_queue_parts", "gauge", "Parts waiting to be sent.",
           [({}, counts.get("parts_queued", 0))])
    metric("modemgw_queue_oldest_age_seconds", "gauge",
           "How long the oldest part due has been waiting to be sent (0 when none is due).",
           [({}, round(queue_age, 3))])
    metric("modemgw_in_doubt_parts", "gauge", "Parts being sent or with an unknown outcome.",
           [({}, counts.get("parts_in_flight", 0))])
    metric("modemgw_webhook_pending_deliveries", "gauge", "Webhook deliveries not yet delivered.",
           [({}, counts.get("webhooks_pending", 0))])
    metric("modemgw_webhook_dead_deliveries", "gauge", "Webhook deliveries given up on.",
           [({}, counts.get("webhooks_dead", 0))])
    for field, help_ in (("sent", "Parts accepted by the network."), ("failed", "Parts refused."),
                         ("unknown", "Parts with an unknown outcome."),
                         ("received", "Inbound PDUs received."), ("reports", "Status reports received."),
                         ("recoveries", "Recovery attempts.")):
        metric(f"modemgw_modem_{field}_total", "counter", help_,
               [({"modem": m.name}, getattr(m.counters, field)) for m in modems])
    metric("modemgw_modem_state", "gauge", "1 for the modem's current state.",
           [({"modem": m.name, "state": s.value}, float(m.state == s)) for m in modems for s in ModemState])
    metric("modemgw_modem_signal_dbm", "gauge", "Received signal strength (from AT+CSQ), when known.",
           [({"modem": m.name}, m.info.signal_dbm) for m in modems if m.info.signal_dbm is not None])
    if drained is not None:
        metric("modemgw_modem_drained", "gauge", "1 while the modem is out of rotation after failures.",
               [({"modem": name}, float(flag)) for name, flag in drained.items()])
    if daily is not None:
        metric("modemgw_modem_daily_sent_parts", "gauge", "Parts the modem sent today (UTC day).",
               [({"modem": name}, sent) for name, (sent, _) in daily.items()])
        metric("modemgw_modem_daily_limit_parts", "gauge", "The modem's daily cap ([[modem]] per_day).",
               [({"modem": name}, cap) for name, (_, cap) in daily.items() if cap is not None])
    name = "modemgw_cmgs_latency_seconds"
    lines.append(f"# HELP {name} Time from AT+CMGS to +CMGS: <mr>.")
    lines.append(f"# TYPE {name} histogram")
    for m in modems:
        h = m.counters.submit_latency
        for bound, n in h.cumulative():
            lines.append(f'{name}_bucket{{modem="{_escape(m.name)}",le="{bound}"}} {n}')
        lines.append(f'{name}_sum{{modem="{_escape(m.name)}"}} {h.total:g}')
        lines.append(f'{name}_count{{modem="{_escape(m.name)}"}} {h.count}')
    for family in families:
        metric(*family)
    return "\n".join(lines) + "\n"
