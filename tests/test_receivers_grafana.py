"""Grafana's webhook contact point against a running gateway: the documented payload
replayed byte for byte, signed as grafana/alerting's HMAC round tripper signs it (with and
without the timestamp header), and refused unsigned, tampered, stale or wrongly keyed."""

from __future__ import annotations

import hashlib
import hmac
import time

import aiohttp
import pytest

from test_receivers_harness import running, sample

GRAFANA = "/v1/integrations/grafana"
SECRET = "grafana-hmac-secret"
SIGNATURE = "X-Grafana-Alerting-Signature"
TIMESTAMP = "X-Grafana-Alerting-Signature-Timestamp"

# Source: Grafana's documentation, "Configure the webhook notifier for Alerting", Webhook JSON
# payload (docs/sources/alerting/configure-notifications/manage-contact-points/integrations/
# webhook-notifier.md in grafana/grafana), verbatim.
DOCUMENTED = rb'''{
  "receiver": "My Super Webhook",
  "status": "firing",
  "orgId": 1,
  "alerts": [
    {
      "status": "firing",
      "labels": {
        "alertname": "High memory usage",
        "team": "blue",
        "zone": "us-1"
      },
      "annotations": {
        "description": "The system has high memory usage",
        "runbook_url": "https://myrunbook.com/runbook/1234",
        "summary": "This alert was triggered for zone us-1"
      },
      "startsAt": "2021-10-12T09:51:03.157076+02:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
      "fingerprint": "c6eadffa33fcdf37",
      "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1",
      "dashboardURL": "",
      "panelURL": "",
      "values": {
        "B": 44.23943737541908,
        "C": 1
      }
    },
    {
      "status": "firing",
      "labels": {
        "alertname": "High CPU usage",
        "team": "blue",
        "zone": "eu-1"
      },
      "annotations": {
        "description": "The system has high CPU usage",
        "runbook_url": "https://myrunbook.com/runbook/1234",
        "summary": "This alert was triggered for zone eu-1"
      },
      "startsAt": "2021-10-12T09:56:03.157076+02:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "https://play.grafana.org/alerting/d1rdpdv7k/edit",
      "fingerprint": "bc97ff14869b13e3",
      "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1",
      "dashboardURL": "",
      "panelURL": "",
      "values": {
        "B": 44.23943737541908,
        "C": 1
      }
    }
  ],
  "groupLabels": {},
  "commonLabels": {
    "team": "blue"
  },
  "commonAnnotations": {},
  "externalURL": "https://play.grafana.org/",
  "version": "1",
  "groupKey": "{}:{}",
  "truncatedAlerts": 0,
  "title": "[FIRING:2]  (blue)",
  "state": "alerting",
  "message": "**Firing**\n\nLabels:\n - alertname = T2\n - team = blue\n - zone = us-1\nAnnotations:\n - description = This is the alert rule checking the second system\n - runbook_url = https://myrunbook.com\n - summary = This is my summary\nSource: https://play.grafana.org/alerting/1afz29v7z/edit\nSilence: https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1\n\nLabels:\n - alertname = T1\n - team = blue\n - zone = eu-1\nAnnotations:\nSource: https://play.grafana.org/alerting/d1rdpdv7k/edit\nSilence: https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1\n"
}'''
TEXT = "[FIRING:2] High memory usage, High CPU usage us-1, eu-1"


def grafana_headers(body: bytes, auth: dict[str, str], *, secret: str | None = SECRET,
                    timestamp: int | None = None) -> dict[str, str]:
    """As grafana/alerting http/hmac.go signs: hex HMAC-SHA256 over [timestamp ":"] body,
    the timestamp in the configured header only when one is configured."""
    headers = {"Content-Type": "application/json", "User-Agent": "Grafana", **auth}
    if secret is not None:
        mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
        if timestamp is not None:
            headers[TIMESTAMP] = str(timestamp)
            mac.update(str(timestamp).encode())
            mac.update(b":")
        mac.update(body)
        headers[SIGNATURE] = mac.hexdigest()
    return headers


@pytest.mark.parametrize("timestamp", [None, "now"], ids=["body-only", "with-timestamp"])
async def test_documented_payload_signed(database, timestamp):
    async with running(database, grafana_secret=SECRET) as rig:
        stamp = int(time.time()) if timestamp else None
        status, body = await rig.post(GRAFANA + "?to=+447700900123", DOCUMENTED,
                                      grafana_headers(DOCUMENTED, rig.basic("grafana"), timestamp=stamp))
        assert (status, body["status"]) == (200, "queued")
        assert await rig.handset("+447700900123") == [TEXT]


async def test_unsigned_accepted_without_a_secret_and_put(database):
    """No secret configured: no signature needed. Grafana's HTTP method may be PUT."""
    async with running(database) as rig:
        async with aiohttp.ClientSession() as http:
            async with http.put(rig.url(GRAFANA + "?to=+447700900123"), data=DOCUMENTED,
                                headers=grafana_headers(DOCUMENTED, rig.bearer, secret=None)) as resp:
                assert resp.status == 200
        assert await rig.handset("+447700900123") == [TEXT]


@pytest.mark.parametrize("case", ["unsigned", "tampered", "wrong-secret", "stale", "future", "not-a-time"])
async def test_refused_signatures(database, case):
    async with running(database, grafana_secret=SECRET, grafana_max_age=300) as rig:
        now = int(time.time())
        body, secret, stamp = DOCUMENTED, SECRET, now
        if case == "unsigned":
            secret = None
        elif case == "wrong-secret":
            secret = "another"
        elif case == "stale":
            stamp = now - 301
        elif case == "future":
            stamp = now + 301
        headers = grafana_headers(body, rig.bearer, secret=secret, timestamp=stamp)
        if case == "tampered":
            body = body.replace(b"High CPU usage", b"Low CPU usage")
        elif case == "not-a-time":
            headers[TIMESTAMP] = "yesterday"
        status, answer = await rig.post(GRAFANA + "?to=+447700900123", body, headers)
        assert (status, answer["error"]["code"]) == (401, "authentication_failed")
        assert sample(await rig.metrics(), "modemgw_alert_notifications_total", receiver="grafana",
                      outcome="refused") == 1
        assert rig.sim.handset("+447700900123") == []


async def test_signature_header_names_are_configurable(database):
    async with running(database, grafana_secret=SECRET, grafana_signature_header="X-Sig",
                       grafana_timestamp_header="X-Sig-Time") as rig:
        stamp = str(int(time.time()))
        mac = hmac.new(SECRET.encode(), stamp.encode() + b":" + DOCUMENTED, hashlib.sha256).hexdigest()
        status, _ = await rig.post(GRAFANA + "?to=+447700900123", DOCUMENTED,
                                   {**rig.bearer, "X-Sig": mac, "X-Sig-Time": stamp})
        assert status == 200
        status, _ = await rig.post(GRAFANA + "?to=+447700900123", DOCUMENTED,
                                   grafana_headers(DOCUMENTED, rig.bearer))
        assert status == 401
