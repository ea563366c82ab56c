"""The console's Alerts page over HTTP, against a whole gateway on a simulated modem whose
alert receivers are posted real Alertmanager notifications: per receiver and per
recipient what came in, what was sent, what was held back and why, what could not be
sent (a refused notification, a refused recipient, an SMS that failed at the network, a
summary that could not be queued, a fault), the same figures as /metrics, and the live
stream telling an open page that the receivers counted something."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import aiohttp

from modemgw.config import IntegrationsConfig
from test_console import read_events
from test_console_harness import config, delivered, logged_in, running_gateway, until
from test_receivers_alertmanager import AM, alert, headers, notification
from test_receivers_harness import Clock, sample

ONCALL = "+447700900101"
FAILS = "+447700900404"            # its simulated handset's status report says: failed


def cells(page: str, table: str, first: str) -> list[str]:
    """The cells' text of the row of table `table` whose first cell is `first`."""
    body = re.search(rf'<table id="{table}">(.*?)</table>', page, re.S)
    assert body, f"no table {table}"
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        texts = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if texts and texts[0] == first:
            return texts
    raise AssertionError(f"no row {first!r} in table {table}")


def texts(page: str, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}">(.*?)</table>', page, re.S)
    return [] if body is None else [" ".join(unescape(re.sub(r"<[^>]+>", " ", r)).split())
                                    for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def receivers_config(database: str, **integrations):
    return config(database, integrations=replace(IntegrationsConfig(), **integrations))


async def post(http: aiohttp.ClientSession, path: str, body: bytes) -> tuple[int, dict]:
    async with http.post(path, data=body) as r:
        return r.status, await r.json()


async def test_what_came_in_was_sent_held_back_and_could_not_be_sent(database):
    cfg = receivers_config(database, recipient_limit=2, recipient_period=600, resolved=False)
    async with running_gateway(cfg) as gateway:
        gateway.desk.clock = clock = Clock()
        gateway.simulators["sim-a"].network.report_status[FAILS] = 0x43
        _, key = await gateway.store.create_key("alertmanager")
        bearer = {"Authorization": f"Bearer {key}"}
        async with logged_in(gateway) as client, aiohttp.ClientSession(gateway.url, headers=headers(bearer)) as http:
            page = (await client.get("/console/alerts")).text
            assert cells(page, "receivers", "grafana")[1:] == ["0"] * 10
            assert "No notification has named a recipient" in page and "Nothing: every notification" in page

            # Four different notifications to one number: two SMS, two held back for its summary.
            answers = [await post(http, f"{AM}?to={ONCALL}", notification([alert(i, f"Alert{i}")], group=f"Alert{i}"))
                       for i in range(4)]
            assert [a[1]["status"] for a in answers] == ["queued", "queued", "held", "held"]
            # The first again (a repeat), a resolved notice ([integrations] resolved = false),
            # a number beside one that is none, and a body that is not a notification.
            assert (await post(http, f"{AM}?to={ONCALL}", notification([alert(0, "Alert0")], group="Alert0")))[1][
                "status"] == "duplicate"
            resolved = notification([alert(9, "Gone", status="resolved")], status="resolved", group="Gone")
            assert (await post(http, f"{AM}?to={ONCALL}", resolved))[1]["status"] == "skipped"
            disk_full = notification([alert(5, "DiskFull")], group="DiskFull")
            status, body = await post(http, f"{AM}?to={FAILS},12", disk_full)
            assert status == 200 and [m["to"] for m in body["messages"]] == [FAILS]
            await delivered(gateway, body["messages"][0]["id"], "failed")
            assert (await post(http, f"{AM}?to={ONCALL}", b'{"status": "firing"}'))[0] == 400

            page = (await client.get("/console/alerts")).text
            # Receiver, notifications, queued, held, repeats, resolved not sent, refused, SMS,
            # summaries, SMS held back, recipients refused.
            assert cells(page, "receivers", "alertmanager") == [
                "alertmanager", "8", "3", "2", "1", "1", "1", "3", "0", "2", "1"]
            assert cells(page, "receivers", "homeassistant")[1:] == ["0"] * 10
            oncall = cells(page, "recipients", ONCALL)
            assert oncall[1:7] == ["alertmanager", "6", "2", "0", "2", "2: Alert2 x1, Alert3 x1"]
            assert oncall[7].startswith("2 of 2 SMS, until ") and oncall[8].startswith("msg_")
            failures = texts(page, "failures")
            assert any("refused" in f and "alerts must be a non-empty list" in f for f in failures), failures
            assert any("recipient refused '12' left out: to needs a leading +" in f for f in failures), failures
            assert any("SMS failed msg_" in f and f"to {FAILS}" in f for f in failures), failures
            recent = texts(page, "recent")
            assert any("duplicate Alert0: the same notification within 300 s" in r for r in recent), recent
            assert any("skipped Gone: a resolved notice" in r for r in recent), recent
            assert any(f"held Alert3: no SMS now; held back for {ONCALL} (over 2 SMS per 10 min)" in r
                       for r in recent), recent

            # /metrics says the same.
            async with http.get("/metrics") as r:
                metrics = await r.text()
            for outcome, n in (("queued", 3), ("held", 2), ("duplicate", 1), ("skipped", 1), ("refused", 1)):
                assert sample(metrics, "modemgw_alert_notifications_total", receiver="alertmanager",
                              outcome=outcome) == n, outcome
            assert sample(metrics, "modemgw_alert_held_pending") == 2

            # The window ends: one summary names what was held back.
            clock.now += 601
            gateway.desk.wake()

            async def summed_up():
                page = (await client.get("/console/alerts")).text
                return page if cells(page, "recipients", ONCALL)[4] == "1" else None
            page = await until(summed_up, what="the summary on the Alerts page")
            oncall = cells(page, "recipients", ONCALL)
            assert oncall[6] == "—" and oncall[7].startswith("1 of 2 SMS, until ")
            assert any(f"summary summary to {ONCALL} of 2 SMS held back: Alert2 x1, Alert3 x1" in r
                       for r in texts(page, "recent"))
            assert cells(page, "receivers", "alertmanager")[8] == "1"


async def test_a_summary_that_cannot_be_queued_and_a_fault_are_shown(database):
    async with running_gateway(receivers_config(database, recipient_limit=1, recipient_period=60)) as gateway:
        gateway.desk.clock = clock = Clock()
        _, key = await gateway.store.create_key("alertmanager")
        async with logged_in(gateway) as client, \
                aiohttp.ClientSession(gateway.url, headers=headers({"Authorization": f"Bearer {key}"})) as http:
            for i in range(2):
                await post(http, f"{AM}?to={ONCALL}", notification([alert(i, f"Alert{i}")], group=f"Alert{i}"))
            send = gateway.core.send

            async def broken(*args, **kwargs):
                raise RuntimeError("the disk is full")
            gateway.core.send = broken          # the core fails: the summary waits, a new alert is a 500
            clock.now += 61
            gateway.desk.wake()

            async def failed():
                page = (await client.get("/console/alerts")).text
                return page if "summary failed" in page else None
            page = await until(failed, what="the failed summary on the Alerts page")
            assert any(f"summary to {ONCALL} of 1 SMS held back not queued (RuntimeError: the disk is full)" in f
                       for f in texts(page, "failures"))
            assert cells(page, "recipients", ONCALL)[6] == "1: Alert1 x1"      # still held, tried again
            status, _ = await post(http, "/v1/integrations/alertmanager?to=+447700900102",
                                   notification([alert(7, "Alert7")], group="Alert7"))
            assert status == 500
            page = (await client.get("/console/alerts")).text
            assert any("error answered 500, the sender retries: RuntimeError: the disk is full" in f
                       for f in texts(page, "failures"))

            gateway.core.send = send
            clock.now += 61
            gateway.desk.wake()

            async def sent():
                page = (await client.get("/console/alerts")).text
                return page if cells(page, "recipients", ONCALL)[4] == "1" else None
            assert cells(await until(sent, what="the summary sent at last"), "recipients", ONCALL)[6] == "—"


async def test_an_open_page_hears_of_what_the_receivers_counted(database):
    """A refused notification queues nothing, so the event log has nothing: the stream
    says `tallies.changed`, and a live page fetches itself again."""
    async with running_gateway(receivers_config(database)) as gateway:
        _, key = await gateway.store.create_key("alertmanager")
        async with logged_in(gateway) as client:
            async with client.http.get("/console/events") as stream, \
                    aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
                assert (await post(http, f"{AM}?to={ONCALL}", b"[]"))[0] == 400
                frames = await read_events(stream, lambda f: any(x["data"]["type"] == "tallies.changed"
                                                                 for x in f))
            assert all("id" not in f for f in frames if f["data"]["type"] == "tallies.changed")
            assert 'data-live="all"' in (await client.get("/console/alerts")).text


async def test_no_receiver_enabled(database):
    async with running_gateway(receivers_config(database, enabled=())) as gateway, logged_in(gateway) as client:
        page = await client.get("/console/alerts")
        assert page.status == 200 and "No alert receiver is enabled" in page.text
