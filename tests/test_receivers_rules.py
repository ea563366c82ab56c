"""The receivers' pure parts: the SMS text within its parts, Alertmanager's payload read,
the per-number windows and summaries, repeats, and the [integrations] configuration."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from modemgw.config import ConfigError, parse
from modemgw.core import Invalid
from modemgw.receivers import alerts, text
from modemgw.receivers.limits import Ledger, Recent, Standing
from modemgw.sms import segment

# -- text --------------------------------------------------------------------------


def test_render_leaves_no_double_space():
    assert text.render("[{status}:{count}] {alertname} {targets} {summary}",
                       {"status": "FIRING", "count": "1", "alertname": "Up", "targets": "", "summary": ""}) \
        == "[FIRING:1] Up"


@pytest.mark.parametrize("items, shown, extra, out", [
    (["a", "b", "c"], 3, 0, "a, b, c"),
    (["a", "b", "c"], 2, 0, "a, b (+1)"),
    (["a", "b", "c"], 0, 0, "(+3)"),
    (["a"], 1, 20, "a (+20)"),
    ([], 0, 0, ""),
])
def test_listing(items, shown, extra, out):
    assert text.listing(items, shown, extra) == out


@given(st.lists(st.text(alphabet="abcxyz0123456789.-", min_size=1, max_size=30), max_size=120),
       st.integers(1, 3), st.sampled_from(["", "✅ "]))
def test_fit_shows_as_many_targets_as_fit(targets, limit, prefix):
    def build(k):
        return f"{prefix}[FIRING:{len(targets)}] HighLoad {text.listing(targets, k)}"
    out = text.fit(build, len(targets), limit)
    assert text.parts(out) <= limit
    shown = [k for k in range(len(targets) + 1) if build(k) == out]
    if shown and shown[0] < len(targets):
        assert text.parts(build(shown[0] + 1)) > limit      # one more would not fit


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=2000),
       st.integers(1, 4))
def test_cut_is_a_beginning_within_the_limit(value, limit):
    out = text.cut(value, limit)
    assert text.parts(out) <= limit
    assert out == value or (out.endswith(text.ELLIPSIS) and value.startswith(out[:-3].rstrip()))


def test_cut_keeps_gsm7():
    """"..." rather than "…": a GSM-7 text stays GSM-7, 153 characters a part, not 67."""
    out = text.cut("disk full on " + "host " * 100, 2)
    assert segment(out).encoding == "gsm7" and len(out) > 250


# -- Alertmanager's payload ------------------------------------------------------------

def payload(**over):
    base = {"receiver": "sms", "status": "firing", "groupKey": "{}:{alertname=\"X\"}", "alerts": [
        {"status": "firing", "labels": {"alertname": "X", "instance": "a"}, "fingerprint": "1"},
        {"status": "resolved", "labels": {"alertname": "X", "instance": "b"}, "fingerprint": "2"}]}
    return {**base, **over}


@pytest.mark.parametrize("body, field", [
    (payload(status="pending"), "status"),
    (payload(alerts=[]), "alerts"),
    (payload(alerts={"status": "firing"}), "alerts"),
    (payload(alerts=["x"]), "alerts[0]"),
    (payload(alerts=[{"status": "firing", "labels": {"a": 1}}]), "alerts[0].labels"),
    (payload(alerts=[{"status": "firing", "fingerprint": 7}]), "alerts[0].fingerprint"),
    (payload(truncatedAlerts=-1), "truncatedAlerts"),
    (payload(truncatedAlerts=True), "truncatedAlerts"),
    (payload(commonLabels=[]), "commonLabels"),
    (payload(groupKey=None), "groupKey"),
])
def test_bad_payloads_name_the_field(body, field):
    with pytest.raises(Invalid) as err:
        alerts.parse(body)
    assert err.value.field == field


def test_a_firing_group_counts_its_firing_alerts():
    n = alerts.parse(payload())
    assert n.sms("[{status}:{count}] {alertname} {targets}", 2) == "[FIRING:1] X a"


def test_identity():
    first = alerts.parse(payload())
    reordered = alerts.parse(payload(alerts=list(reversed(payload()["alerts"]))))
    assert first.identity() == reordered.identity()
    resolved = payload()
    resolved["alerts"][0] = {**resolved["alerts"][0], "status": "resolved"}
    assert alerts.parse(resolved).identity() != first.identity()


def test_targets_without_instance_are_the_labels_not_shared():
    n = alerts.parse(payload(commonLabels={"team": "blue"}, alerts=[
        {"status": "firing", "labels": {"alertname": "A", "team": "blue", "zone": "us-1"}},
        {"status": "firing", "labels": {"alertname": "B", "team": "blue", "zone": "eu-1"}}]))
    assert (n.alertname(), n.targets()) == ("A, B", ["us-1", "eu-1"])
    assert n.alerts[0].fingerprint != n.alerts[1].fingerprint      # made from the labels


def test_addresses_come_from_labels_and_annotations_once():
    n = alerts.parse(payload(alerts=[
        {"status": "firing", "labels": {"sms_to": "ops"}, "annotations": {"sms_to": "+447700900123"}},
        {"status": "firing", "labels": {"sms_to": "ops"}}], commonAnnotations={"sms_to": "db"}))
    assert n.addresses() == ["ops", "+447700900123", "db"]


# -- per-number windows ----------------------------------------------------------------

def test_ledger_window_hold_and_summary():
    ledger = Ledger(limit=2, period=60)
    key = {"id": 1}
    assert [ledger.admit("+1", t, topic="A", owner=key, receiver="am") for t in (0, 1, 2, 3)] == \
        [True, True, False, False]
    assert ledger.admit("+2", 3, topic="B", owner=key, receiver="am")   # each number its own window
    assert (ledger.pending(), ledger.next_due(), ledger.due(59)) == (2, 60, [])
    [held] = ledger.due(60)
    assert (held.number, held.topics, held.count, held.owner) == ("+1", (("A", 2),), 2, key)
    # The summary was the new window's first SMS: one more fits.
    assert [ledger.admit("+1", 61, topic="A", owner=key, receiver="am") for _ in range(2)] == [True, False]
    assert ledger.due(63) == [] and "+2" not in ledger._windows      # an idle window is forgotten


def test_ledger_holds_after_the_window_until_the_summary_is_sent():
    ledger = Ledger(limit=1, period=10)
    assert ledger.admit("+1", 0, topic="A", owner=None, receiver="am")
    assert not ledger.admit("+1", 5, topic="A", owner=None, receiver="am")
    assert not ledger.admit("+1", 11, topic="B", owner=None, receiver="am")   # summary not out yet
    [held] = ledger.due(11)
    assert held.topics == (("A", 1), ("B", 1))


def test_ledger_refund_and_restore():
    ledger = Ledger(limit=1, period=10)
    assert ledger.admit("+1", 0, topic="A", owner=None, receiver="am")
    ledger.refund("+1")
    assert ledger.admit("+1", 1, topic="A", owner=None, receiver="am")
    assert not ledger.admit("+1", 2, topic="A", owner=None, receiver="am")
    [held] = ledger.due(10)
    ledger.restore(held, 10)                        # the summary could not be sent
    assert ledger.pending() == 1 and ledger.next_due() == 20
    assert ledger.due(20)[0].count == 1


def test_ledger_standing_is_what_the_console_shows():
    ledger = Ledger(limit=1, period=10)
    assert ledger.standing("+1") is None
    ledger.admit("+1", 3, topic="A", owner=None, receiver="am")
    for topic in ("B", "A", "A"):
        ledger.admit("+1", 4, topic=topic, owner=None, receiver="am")
    assert ledger.standing("+1") == Standing(ends=13, sent=1, held=(("A", 2), ("B", 1)))
    assert ledger.standing("+1").pending == 3


def test_ledger_needs_a_limit():
    with pytest.raises(ValueError):
        Ledger(limit=0, period=10)


def test_recent():
    recent = Recent(window=300)
    assert recent.claim("a", 0) and not recent.claim("a", 299) and recent.claim("b", 299)
    assert recent.claim("a", 300)                   # the window is over
    recent.release("b")
    assert recent.claim("b", 301)
    off = Recent(window=0)
    assert off.claim("a", 0) and off.claim("a", 0)


# -- configuration ---------------------------------------------------------------------

GOOD = """\
[api]
default_region = "GB"

[integrations]
enabled = ["alertmanager", "homeassistant"]
segments = 1
template = "{status} {alertname}: {summary}"
resolved = false
dedup_window = 0
recipient_limit = 3
recipient_period = 600

[integrations.groups]
oncall = ["+447700900123", "07700900456"]

[integrations.grafana]
secret = "s3cret"
max_age = 60

[integrations.homeassistant]
inbound_webhook = "http://homeassistant.local:8123/api/webhook/modemgw_sms"
"""


def test_integrations_config():
    c = parse(GOOD, "gw.toml").integrations
    assert (c.enabled, c.segments, c.resolved, c.dedup_window, c.recipient_limit, c.recipient_period) == \
        (("alertmanager", "homeassistant"), 1, False, 0, 3, 600)
    assert c.groups == {"oncall": ("+447700900123", "07700900456")}
    assert (c.grafana_secret, c.grafana_max_age, c.grafana_signature_header) == \
        ("s3cret", 60, "X-Grafana-Alerting-Signature")
    assert c.homeassistant_inbound_webhook.endswith("/api/webhook/modemgw_sms")
    assert parse("", "gw.toml").integrations.enabled == ("alertmanager", "grafana", "homeassistant")


@pytest.mark.parametrize("text, message", [
    ("[integrations]\nsegments = 11\n", "gw.toml:2: integrations.segments: must be 1 to 10"),
    ("[integrations]\ntemplate = \"{who}\"\n", "gw.toml:2: integrations.template:"),
    ("[integrations]\nenabled = [\"nagios\"]\n", "gw.toml:2: integrations.enabled:"),
    ("[integrations]\nrecipient_limit = 0\n", "gw.toml:2: integrations.recipient_limit: must be at least 1"),
    ("[integrations]\nbogus = 1\n", "gw.toml:2: integrations.bogus: unknown key"),
    ("[integrations.groups]\noncall = \"+447700900123\"\n", "gw.toml:2: integrations.groups.oncall:"),
    ("[integrations.groups]\n1x = [\"+447700900123\"]\n", "gw.toml:2: integrations.groups.1x:"),
    ("[integrations.groups]\noncall = [\"12345\"]\n", "gw.toml:2: integrations.groups.oncall: oncall needs"),
    ("[integrations.grafana]\nsecret = \"\"\n", "gw.toml:2: integrations.grafana.secret:"),
    ("[integrations.grafana]\nheader = \"X\"\n", "gw.toml:2: integrations.grafana.header: unknown key"),
    ("[integrations.homeassistant]\ninbound_webhook = \"ha:8123\"\n",
     "gw.toml:2: integrations.homeassistant.inbound_webhook:"),
])
def test_integrations_config_errors(text, message):
    with pytest.raises(ConfigError) as err:
        parse(text, "gw.toml")
    assert str(err.value).startswith(message)
