"""Alertmanager's webhook receiver against a running gateway on a simulated modem: real
version 4 payloads replayed byte for byte, recipients from the URL, groups and labels, the
text within two parts, repeats, resolved notices, errors in the receiver's shape, a failed
and an expired SMS, and an alert storm with a bounded SMS count."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest

from test_receivers_harness import running, sample

AM = "/v1/integrations/alertmanager"
USER_AGENT = "Alertmanager/0.27.0"
ONCALL = ("+447700900101", "+447700900102")

# Source: the `alertmanager-webhook-types` crate, assets/sample-v4-payload.json
# (docs.rs/crate/alertmanager-webhook-types/latest/source/assets/sample-v4-payload.json).
CRATE_V4 = rb'''{
  "receiver": "sms",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": {
        "alertname": "ProbeFailure",
        "instance": "https://server.example.org",
        "job": "http_checks",
        "monitor": "master",
        "severity": "critical"
      },
      "annotations": {
        "description": "Instance https://server.example.org has been down for over 5m. Job: http_checks",
        "summary": "BlackBox Probe Failure: https://server.example.org"
      },
      "startsAt": "2023-02-06T13:08:45.828Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0\\u0026g0.tab=1",
      "fingerprint": "1a30ba71cca2921f"
    }
  ],
  "groupLabels": {
    "alertname": "ProbeFailure"
  },
  "commonLabels": {
    "alertname": "ProbeFailure",
    "instance": "https://server.example.org",
    "job": "http_checks",
    "monitor": "master",
    "severity": "critical"
  },
  "commonAnnotations": {
    "description": "Instance https://server.example.org has been down for over 5m. Job: http_checks",
    "summary": "BlackBox Probe Failure: https://server.example.org"
  },
  "externalURL": "http://prometheus.example.org:9093",
  "version": "4",
  "groupKey": "{}/{severity=\"critical\"}:{alertname=\"ProbeFailure\"}",
  "truncatedAlerts": 0
}'''

# Source: "Alertmanager Webhook Payload Example", gist.github.com/mobeigi/5a96f326bc06c7d6f283ecb7cb083f2b
# (an Alertmanager of 2018: no fingerprint, no truncatedAlerts).
GIST_V4 = rb'''{
  "receiver": "webhook",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": {
        "alertname": "Test",
        "dc": "eu-west-1",
        "instance": "localhost:9090",
        "job": "prometheus24"
      },
      "annotations": {
        "description": "some description"
      },
      "startsAt": "2018-08-03T09:52:26.739266876+02:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://example.com:9090/graph?g0.expr=go_memstats_alloc_bytes+%3E+0\u0026g0.tab=1"
    }
  ],
  "groupLabels": {
    "alertname": "Test",
    "job": "prometheus24"
  },
  "commonLabels": {
    "alertname": "Test",
    "dc": "eu-west-1",
    "instance": "localhost:9090",
    "job": "prometheus24"
  },
  "commonAnnotations": {
    "description": "some description"
  },
  "externalURL": "http://example.com:9093",
  "version": "4",
  "groupKey": "{}:{alertname=\"Test\", job=\"prometheus24\"}"
}'''

SAMPLES = [
    pytest.param(CRATE_V4, "[FIRING:1] ProbeFailure https://server.example.org", id="crate-sample-v4"),
    pytest.param(GIST_V4, "[FIRING:1] Test localhost:9090", id="gist-2018"),
]


def go_json(value: object) -> bytes:
    """What Alertmanager's json.NewEncoder(&buf).Encode(msg) writes: compact, <, > and &
    escaped, map keys sorted (struct fields keep their order), and a newline."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text.encode() + b"\n"


def alert(i: int, name: str = "HighLoad", status: str = "firing", **labels: str) -> dict:
    """notify/webhook.Message's alert: template.Alert's fields in their order."""
    return {"status": status, "labels": dict(sorted({"alertname": name, "instance": f"host{i}", **labels}.items())),
            "annotations": {"summary": f"load on host{i}"}, "startsAt": "2024-05-01T10:00:00.000Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": f"http://prometheus:9090/graph?g0.expr=load1+%3E+4&g0.tab=1&i={i}",
            "fingerprint": f"{i:016x}"}


def notification(alerts: list[dict], *, status: str = "firing", group: str = "HighLoad",
                 truncated: int = 0, common: dict | None = None) -> bytes:
    return go_json({
        "receiver": "sms", "status": status, "alerts": alerts, "groupLabels": {"alertname": group},
        "commonLabels": common if common is not None else {"alertname": group},
        "commonAnnotations": {}, "externalURL": "http://alertmanager:9093", "version": "4",
        "groupKey": f'{{}}:{{alertname="{group}"}}', "truncatedAlerts": truncated})


def headers(auth: dict[str, str]) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT, **auth}


@pytest.mark.parametrize("payload, text", SAMPLES)
async def test_real_payloads_become_one_sms(database, payload, text):
    async with running(database) as rig:
        status, body = await rig.post(AM + "?to=+447700900123", payload, headers(rig.bearer))
        assert (status, body["status"], len(body["messages"])) == (200, "queued", 1)
        assert await rig.handset("+447700900123") == [text]
        delivered = await rig.message(body["messages"][0]["id"], lambda m: m["status"] == "delivered")
        assert delivered["text"] == text


async def test_groups_labels_and_basic_auth(database):
    """?group= expands [integrations.groups]; sms_to on an alert adds numbers or groups;
    Alertmanager's basic_auth carries the key as the password."""
    async with running(database, groups={"oncall": ONCALL, "db": ("07700900103",)}) as rig:
        payload = notification([alert(1), alert(2, sms_to="db"), alert(3, sms_to="+447700900104")])
        status, body = await rig.post(AM + "?group=oncall", payload, headers(rig.basic("alertmanager")))
        assert status == 200 and body["status"] == "queued"
        assert sorted(m["to"] for m in body["messages"]) == [*ONCALL, "+447700900103", "+447700900104"]
        for number in (*ONCALL, "+447700900103", "+447700900104"):
            assert await rig.handset(number) == ["[FIRING:3] HighLoad host1, host2, host3"]


async def test_a_big_group_fits_in_two_parts(database):
    """500 alerts in one notification (and 20 more Alertmanager truncated): one SMS per
    number, within two parts, the targets that fit and how many more there are."""
    async with running(database) as rig:
        payload = notification([alert(i) for i in range(500)], truncated=20)
        status, body = await rig.post(AM + "?to=+447700900123", payload, headers(rig.bearer))
        assert status == 200 and [m["segments"] for m in body["messages"]] == [2]
        [text] = await rig.handset("+447700900123")
        assert text.startswith("[FIRING:520] HighLoad host0, host1, host2, ")
        shown = text.split(" HighLoad ")[1].rsplit(" (+", 1)[0].split(", ")
        assert text.endswith(f" (+{520 - len(shown)})") and len(shown) > 20


async def test_repeats_resolved_and_template(database):
    template = "{status} {alertname} ({count}): {summary} [{severity}] via {receiver}"
    async with running(database, template=template) as rig:
        firing = notification([alert(1)], common={"alertname": "HighLoad", "severity": "page"})
        first = await rig.post(AM + "?to=+447700900123", firing, headers(rig.bearer))
        again = await rig.post(AM + "?to=+447700900123", firing, headers(rig.bearer))
        resolved = notification([alert(1, status="resolved")], status="resolved",
                                common={"alertname": "HighLoad", "severity": "page"})
        gone = await rig.post(AM + "?to=+447700900123", resolved, headers(rig.bearer))
        assert [r[1]["status"] for r in (first, again, gone)] == ["queued", "duplicate", "queued"]
        assert await rig.handset("+447700900123", 2) == [
            "FIRING HighLoad (1): load on host1 [page] via sms",
            "RESOLVED HighLoad (1): load on host1 [page] via sms"]
        # After the window, the same notification is news again (Alertmanager's repeat_interval).
        rig.clock.now += 301
        assert (await rig.post(AM + "?to=+447700900123", firing, headers(rig.bearer)))[1]["status"] == "queued"
        metrics = await rig.metrics()
        assert sample(metrics, "modemgw_alert_notifications_total", receiver="alertmanager",
                      outcome="duplicate") == 1
        assert sample(metrics, "modemgw_alert_notifications_total", receiver="alertmanager",
                      outcome="queued") == 3


async def test_resolved_notices_can_be_turned_off(database):
    async with running(database, resolved=False) as rig:
        payload = notification([alert(1, status="resolved")], status="resolved")
        status, body = await rig.post(AM + "?to=+447700900123", payload, headers(rig.bearer))
        assert (status, body) == (200, {"status": "skipped", "messages": [], "held": []})


async def test_a_failed_and_an_expired_sms(database):
    async with running(database) as rig:
        rig.sim.network.report_status["+447700900201"] = 0x41     # incompatible destination
        rig.sim.network.report_status["+447700900202"] = 0x46     # validity period expired
        status, body = await rig.post(AM + "?to=+447700900201,+447700900202",
                                      notification([alert(1)]), headers(rig.bearer))
        assert status == 200
        failed, expired = body["messages"]
        final = [(await rig.message(m["id"], lambda m: m["status"] not in ("queued", "sent")))["status"]
                 for m in (failed, expired)]
        assert final == ["failed", "expired"]


@pytest.mark.parametrize("path, body, auth, status, code", [
    (AM + "?to=+447700900123", notification([alert(1)]), {}, 401, "authentication_failed"),
    (AM + "?to=+447700900123", notification([alert(1)]), {"Authorization": "Bearer mgw_nope"}, 401,
     "authentication_failed"),
    (AM + "?to=+447700900123", notification([alert(1)]), {"Authorization": "Basic %%%"}, 401,
     "authentication_failed"),
    (AM + "?to=+447700900123", b'{"status": "firing"', None, 400, "invalid_request"),
    (AM + "?to=+447700900123", go_json({"status": "firing", "alerts": []}), None, 400, "invalid_request"),
    (AM + "?to=+447700900123", go_json({"status": "burning", "alerts": [alert(1)]}), None, 400,
     "invalid_request"),
    (AM + "?to=+447700900123", go_json({"status": "firing", "alerts": [{"labels": []}]}), None, 400,
     "invalid_request"),
    (AM, notification([alert(1)]), None, 400, "invalid_request"),
    (AM + "?group=nobody", notification([alert(1)]), None, 400, "invalid_request"),
    (AM + "?to=12", notification([alert(1)]), None, 400, "invalid_request"),
    (AM + "?to=%FF", notification([alert(1)]), None, 400, "invalid_request"),
    ("/v1/integrations/nagios", notification([alert(1)]), None, 404, "not_found"),
])
async def test_errors_in_the_receivers_shape(database, path, body, auth, status, code):
    async with running(database) as rig:
        got, answer = await rig.post(path, body, headers(rig.bearer if auth is None else auth))
        assert (got, set(answer), answer["error"]["code"]) == (status, {"error"}, code)
        assert answer["error"]["message"]
        if status == 401:
            async with aiohttp.ClientSession() as http:
                async with http.post(rig.url(path), data=body) as resp:
                    assert resp.headers["WWW-Authenticate"] == 'Basic realm="modemgw"'


async def test_a_bad_number_beside_good_ones_is_logged_and_counted(database, caplog):
    async with running(database) as rig:
        with caplog.at_level(logging.WARNING, logger="modemgw.receivers"):
            status, body = await rig.post(AM + "?to=+447700900123,12", notification([alert(1)]),
                                          headers(rig.bearer))
        assert status == 200 and [m["to"] for m in body["messages"]] == ["+447700900123"]
        assert "recipient refused" in caplog.text
        assert sample(await rig.metrics(), "modemgw_alert_rejected_recipients_total",
                      receiver="alertmanager") == 1


async def test_alert_storm(database, caplog):
    """500 alerts in one minute, each its own notification to the on-call group: each
    number gets `recipient_limit` SMS, then one summary naming the rest; nothing is lost
    silently (metrics and log say what was held back)."""
    limit = 5
    async with running(database, groups={"oncall": ONCALL}, recipient_limit=limit,
                       recipient_period=3600) as rig:
        with caplog.at_level(logging.INFO, logger="modemgw.receivers"):
            for i in range(500):
                name = "DiskFull" if i % 5 == 0 else "HighLoad"
                status, body = await rig.post(AM + "?group=oncall", notification([alert(i, name)], group=name),
                                              headers(rig.bearer))
                assert status == 200 and body["status"] == ("queued" if i < limit else "held")
                rig.clock.now += 60 / 500
            metrics = await rig.metrics()
            assert sample(metrics, "modemgw_alert_held_total", receiver="alertmanager") == 2 * (500 - limit)
            assert sample(metrics, "modemgw_alert_held_pending") == 2 * (500 - limit)
            await rig.summaries(len(ONCALL))
        for number in ONCALL:
            texts = await rig.handset(number, limit + 1)
            assert len(texts) == limit + 1
            assert texts[-1] == ("modemgw held back 495 alert SMS to this number (at most 5 per 1 h): "
                                 "HighLoad x396, DiskFull x99")
        metrics = await rig.metrics()
        assert sample(metrics, "modemgw_alert_messages_total", receiver="alertmanager", kind="alert") == 2 * limit
        assert sample(metrics, "modemgw_alert_messages_total", receiver="alertmanager", kind="summary") == 2
        assert sample(metrics, "modemgw_alert_held_pending") == 0
        assert sample(metrics, "modemgw_alert_notifications_total", receiver="alertmanager",
                      outcome="held") == 500 - limit
        held_lines = [r for r in caplog.records if "held back for a summary" in r.getMessage()]
        assert len(held_lines) == 2 * (500 - limit)
        assert sum("alert summary number=" in r.getMessage() for r in caplog.records) == 2
        assert "+44" not in caplog.text          # numbers are masked in the log


async def test_held_back_when_the_gateway_stops_is_logged(database, caplog):
    with caplog.at_level(logging.WARNING, logger="modemgw.receivers"):
        async with running(database, recipient_limit=1) as rig:
            for i in range(3):
                await rig.post(AM + "?to=+447700900123", notification([alert(i)]), headers(rig.bearer))
            assert sample(await rig.metrics(), "modemgw_alert_held_pending") == 2
    [line] = [r.getMessage() for r in caplog.records if "not sent (the gateway is stopping)" in r.getMessage()]
    assert line.endswith("number=*********0123 held=2 topics='HighLoad x2'")
