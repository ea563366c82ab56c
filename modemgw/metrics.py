"""/metrics in the Prometheus text format (version 0.0.4), built by hand: a few gauges
and counters do not need a client library."""

from __future__ import annotations

from .modem import Modem, ModemState


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(modems: list[Modem], counts: dict[str, int], drained: dict[str, bool] | None = None) -> str:
    lines: list[str] = []

    def metric(name: str, kind: str, help_: str, samples: list[tuple[dict[str, str], float]]) -> None:
        lines.append(f"# HELP {name} {help_}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            label = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{label}}} {value:g}" if label else f"{name} {value:g}")

    metric("modemgw_queue_parts", "gauge", "Parts waiting to be sent.",
           [({}, counts.get("parts_queued", 0))])
    metric("modemgw_in_doubt_parts", "gauge", "Parts being sent or with an unknown outcome.",
           [({}, counts.get("parts_in_flight", 0))])
    metric("modemgw_webhook_backlog", "gauge", "Webhook deliveries not yet delivered.",
           [({}, counts.get("webhooks_pending", 0))])
    metric("modemgw_webhook_dead", "gauge", "Webhook deliveries given up on.",
           [({}, counts.get("webhooks_dead", 0))])
    for field, help_ in (("sent", "Parts accepted by the network."), ("failed", "Parts refused."),
                         ("unknown", "Parts with an unknown outcome."),
                         ("received", "Inbound PDUs received."), ("reports", "Status reports received."),
                         ("recoveries", "Recovery attempts.")):
        metric(f"modemgw_modem_{field}_total", "counter", help_,
               [({"modem": m.name}, getattr(m.counters, field)) for m in modems])
    metric("modemgw_modem_state", "gauge", "1 for the modem's current state.",
           [({"modem": m.name, "state": s.value}, float(m.state == s)) for m in modems for s in ModemState])
    metric("modemgw_modem_signal_rssi", "gauge", "AT+CSQ <rssi> (0-31, 99 unknown).",
           [({"modem": m.name}, m.info.rssi) for m in modems if m.info.rssi is not None])
    if drained is not None:
        metric("modemgw_modem_drained", "gauge", "1 while the modem is out of rotation after failures.",
               [({"modem": name}, float(flag)) for name, flag in drained.items()])
    name = "modemgw_cmgs_latency_seconds"
    lines.append(f"# HELP {name} Time from AT+CMGS to +CMGS: <mr>.")
    lines.append(f"# TYPE {name} histogram")
    for m in modems:
        h = m.counters.submit_latency
        for bound, n in h.cumulative():
            lines.append(f'{name}_bucket{{modem="{_escape(m.name)}",le="{bound}"}} {n}')
        lines.append(f'{name}_sum{{modem="{_escape(m.name)}"}} {h.total:g}')
        lines.append(f'{name}_count{{modem="{_escape(m.name)}"}} {h.count}')
    return "\n".join(lines) + "\n"
