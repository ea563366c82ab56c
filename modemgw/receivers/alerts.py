"""Alertmanager's webhook payload (version 4), which Grafana's webhook contact point
sends too (version 1, with a few fields more), as one record; and the SMS text of it (pure).

The payload is Alertmanager's `notify/webhook.Message`: `receiver, status, alerts[],
groupLabels, commonLabels, commonAnnotations, externalURL, version, groupKey,
truncatedAlerts`, each alert `status, labels, annotations, startsAt, endsAt,
generatorURL, fingerprint`. Fields this receiver does not use (Grafana's `orgId`,
`values`, `silenceURL`, `title`, `message`) are allowed, as later versions add fields.
Errors are the core's `Invalid`, naming the field as it is in the payload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from ..core import Invalid
from . import text

# A label or annotation that addresses an alert: numbers and group names, comma-separated.
ADDRESS = "sms_to"


class Status(Enum):
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Alert:
    status: Status
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Notification:
    receiver: str
    status: Status
    group_key: str
    alerts: tuple[Alert, ...]
    truncated: int                       # alerts Alertmanager left out (max_alerts)
    group_labels: Mapping[str, str]
    common_labels: Mapping[str, str]
    common_annotations: Mapping[str, str]

    @property
    def current(self) -> tuple[Alert, ...]:
        """The alerts in the notification's own status (a firing group may hold resolved ones)."""
        return tuple(a for a in self.alerts if a.status is self.status)

    def identity(self) -> str:
        """What makes two notifications the same one sent again: the group, its status and
        which alerts are in which state (a new alert in a firing group is news)."""
        alerts = sorted((a.fingerprint, a.status.value) for a in self.alerts)
        return hashlib.sha256(json.dumps([self.group_key, self.status.value, alerts]).encode()).hexdigest()

    def addresses(self) -> list[str]:
        """`sms_to` of the alerts (labels and annotations), in order of appearance."""
        seen: dict[str, None] = {}
        for a in self.alerts:
            for where in (a.labels, a.annotations):
                if ADDRESS in where:
                    seen.setdefault(where[ADDRESS], None)
        for where in (self.common_labels, self.common_annotations):
            if ADDRESS in where:
                seen.setdefault(where[ADDRESS], None)
        return list(seen)

    def topic(self) -> str:
        return self.alertname() or self.receiver or "alert"

    def alertname(self) -> str:
        for where in (self.common_labels, self.group_labels):
            if where.get("alertname"):
                return where["alertname"]
        names = dict.fromkeys(a.labels.get("alertname", "") for a in (self.current or self.alerts))
        return ", ".join(n for n in names if n)

    def targets(self) -> list[str]:
        """What tells the alerts apart: `instance`, or the labels they do not share."""
        out: dict[str, None] = {}
        for a in self.current:
            if "instance" in a.labels:
                out.setdefault(a.labels["instance"], None)
                continue
            own = [v for k, v in a.labels.items()
                   if k not in self.common_labels and k not in ("alertname", ADDRESS)]
            if own:
                out.setdefault(" ".join(own), None)
        return list(out)

    def sms(self, template: str, limit: int, national_languages: tuple[str, ...] = ()) -> str:
        """The template filled in, within `limit` parts: as many targets as fit."""
        count = len(self.current) + (self.truncated if self.status is Status.FIRING else 0)
        summary = self.common_annotations.get("summary", "")
        if not summary and len(self.current) == 1:
            summary = self.current[0].annotations.get("summary", "")
        fields = {"status": self.status.value.upper(), "count": str(count), "alertname": self.alertname(),
                  "summary": summary, "severity": self.common_labels.get("severity", ""),
                  "receiver": self.receiver}
        targets = self.targets()
        hidden = count - len(self.current)
        return text.fit(lambda k: text.render(template, {**fields, "targets": text.listing(targets, k, hidden)}),
                        len(targets), limit, national_languages)


def parse(body: Mapping[str, object]) -> Notification:
    status = _status(body.get("status"), "status")
    alerts = body.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise Invalid("alerts", "alerts must be a non-empty list of alerts")
    truncated = body.get("truncatedAlerts", 0)
    if type(truncated) is not int or truncated < 0:
        raise Invalid("truncatedAlerts", "truncatedAlerts must be a whole number")
    return Notification(
        receiver=_string(body.get("receiver", ""), "receiver"), status=status,
        group_key=_string(body.get("groupKey", ""), "groupKey"),
        alerts=tuple(_alert(a, f"alerts[{i}]") for i, a in enumerate(alerts)), truncated=truncated,
        group_labels=_labels(body.get("groupLabels"), "groupLabels"),
        common_labels=_labels(body.get("commonLabels"), "commonLabels"),
        common_annotations=_labels(body.get("commonAnnotations"), "commonAnnotations"))


def _alert(value: object, field: str) -> Alert:
    if not isinstance(value, dict):
        raise Invalid(field, f"{field} must be an object")
    labels = _labels(value.get("labels"), f"{field}.labels")
    fingerprint = value.get("fingerprint")
    if fingerprint is None:
        # Alertmanager before 0.19 sent none: the labels are what it is computed from.
        fingerprint = hashlib.sha256(json.dumps(sorted(labels.items())).encode()).hexdigest()[:16]
    return Alert(status=_status(value.get("status"), f"{field}.status"), labels=labels,
                 annotations=_labels(value.get("annotations"), f"{field}.annotations"),
                 fingerprint=_string(fingerprint, f"{field}.fingerprint"))


def _status(value: object, field: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise Invalid(field, f"{field} must be firing or resolved") from None


def _string(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise Invalid(field, f"{field} must be a string")
    return value


def _labels(value: object, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise Invalid(field, f"{field} must be an object of strings")
    return value
