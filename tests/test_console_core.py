"""The core's operator methods, which the console calls: keys, a message whatever its key,
the modems' status, a failing webhook sent again now, and the tallies the edges write."""

from __future__ import annotations

import pytest

from modemgw.core import Core, Invalid, Note, NotFound, Submission, Tallies, Unauthenticated
from modemgw.sms import ConcatReferences
from modemgw.store import Store
from modemgw.store.keys import derive


@pytest.fixture
async def core(database):
    store = Store(database)
    await store.open()
    woken = []
    core = Core(store, references=ConcatReferences(), modems=lambda: [{"name": "m1", "state": "ready"}],
                on_outbox=lambda: woken.append(1), wall_clock=lambda: 1_000_000.0)
    core.woken = woken            # type: ignore[attr-defined]
    yield core
    await store.close()


async def test_create_key_returns_every_credential_once_and_keeps_none(core):
    created = await core.create_key("  shop  ", delivery_policy="at_least_once")
    assert created["name"] == "shop" and created["key"].startswith("mgw_")
    assert created["webhook_secret"].startswith("whsec_")
    assert {k: created[k] for k in ("twilio_account_sid", "smpp_password")} == \
        {"twilio_account_sid": derive(created["key"]).twilio_account_sid,
         "smpp_password": derive(created["key"]).smpp_password}
    (listed,) = await core.keys()
    assert listed["id"] == created["id"] and listed["delivery_policy"] == "at_least_once"
    assert created["key"] not in repr(listed)
    assert (await core.authenticate(created["key"]))["id"] == created["id"]


@pytest.mark.parametrize("name, policy, field", [
    ("", None, "name"), ("   ", None, "name"), ("x" * 101, None, "name"), ("tab\there", None, "name"),
    (None, None, "name"), ("ok", "sometimes", "delivery_policy")])
async def test_create_key_refuses_bad_values_by_field(core, name, policy, field):
    with pytest.raises(Invalid) as caught:
        await core.create_key(name, delivery_policy=policy)
    assert caught.value.field == field
    assert await core.keys() == []


async def test_key_by_id_only_while_active_and_revoke_once(core):
    created = await core.create_key("ops")
    assert await core.key(created["id"]) == {"id": created["id"], "name": "ops", "delivery_policy": None}
    await core.revoke_key(created["id"])
    with pytest.raises(Unauthenticated):
        await core.key(created["id"])
    with pytest.raises(Unauthenticated):
        await core.authenticate(created["key"])
    with pytest.raises(NotFound):
        await core.revoke_key(created["id"])
    with pytest.raises(Unauthenticated):
        await core.key(12345)


async def test_message_whatever_its_key_while_get_keeps_ownership(core):
    a, b = await core.create_key("a"), await core.create_key("b")
    key_a = await core.authenticate(a["key"])
    key_b = await core.authenticate(b["key"])
    accepted = await core.send(Submission(to=("+15551230001",), text="hi"), key=key_a)
    message_id = accepted.messages[0]["id"]
    assert (await core.message(message_id))["parts"][0]["seq"] == 1
    with pytest.raises(Exception) as caught:
        await core.get(message_id, key=key_b)
    assert type(caught.value).__name__ == "Forbidden"
    with pytest.raises(NotFound):
        await core.message("msg_nope")


async def test_modems_come_from_the_gateway(core):
    assert core.modems() == [{"name": "m1", "state": "ready"}]


async def test_retry_webhook_makes_a_failing_delivery_due_now_and_wakes_the_sender(core):
    store = core.store
    created = await core.create_key("ops")
    key = await core.authenticate(created["key"])
    await core.send(Submission(to=("+15551230001",), text="hi", callback_url="http://127.0.0.1:9/h"),
                    key=key)
    # A delivery as the sender leaves it: once after a failed attempt, once given up.
    message_id = (await store.list_messages())[0]["id"]
    await store.writer.write(lambda conn: conn.execute(
        "INSERT INTO webhook_deliveries (message_id, event, url, destination, body, api_key_id, status, "
        "attempts, next_attempt_at, created_at, last_error) VALUES (?, 'message.sent', 'http://127.0.0.1:9/h', "
        "'', '{}', ?, 'dead', 9, 0, 0, 'HTTP 500')", (message_id, key["id"])))
    dead = (await store.webhook_deliveries(status="dead"))[0]
    written = store.webhooks_written
    await core.retry_webhook(dead["id"])
    row = (await store.webhook_deliveries(message_id=message_id))[0]
    assert (row["status"], row["next_attempt_at"], row["destination"]) == \
        ("pending", 1_000_000.0, "http://127.0.0.1:9")
    assert core.woken == [1] and store.webhooks_written == written + 1
    assert [r["id"] for r in await store.webhook_deliveries(failing=True)] == [dead["id"]]
    # Pending and never tried: nothing to retry (it goes at its time); nor an unknown id.
    await store.writer.write(lambda conn: conn.execute("UPDATE webhook_deliveries SET attempts = 0"))
    for delivery_id in (dead["id"], 999):
        with pytest.raises(NotFound):
            await core.retry_webhook(delivery_id)
    assert core.woken == [1]


# -- tallies: what the edges count, for the console and /metrics ----------------------------

def test_tallies_count_series_and_totals_by_label():
    t = Tallies(lambda: 5.0)
    t.count("sent_total", 0, receiver="b", kind="alert")
    t.count("sent_total", 2, receiver="a", kind="alert")
    t.count("sent_total", receiver="a", kind="summary")
    t.count("other_total", 7, receiver="a")
    assert t.series("sent_total") == [({"kind": "alert", "receiver": "a"}, 2), ({"kind": "alert", "receiver": "b"}, 0),
                                      ({"kind": "summary", "receiver": "a"}, 1)]
    assert t.total("sent_total", receiver="a") == 3 and t.total("sent_total", kind="alert") == 2
    assert t.total("sent_total") == 3 and t.total("nothing_total") == 0


def test_tallies_rows_add_set_and_keep_only_the_most_recently_touched():
    t = Tallies(rows=3)
    t.update("numbers", "+1", add={"sms": 1}, fields={"via": ("a",)})
    t.update("numbers", "+1", add={"sms": 2, "held": 1}, fields={"pending": 1})
    assert t.row("numbers", "+1") == {"sms": 3, "held": 1, "via": ("a",), "pending": 1}
    for n in ("+2", "+3", "+4"):
        t.update("numbers", n, add={"sms": 1})
    assert [k for k, _ in t.rows("numbers")] == ["+4", "+3", "+2"]      # +1, touched least recently, is gone
    t.update("numbers", "+2", fields={"pending": 0})
    assert [k for k, _ in t.rows("numbers")] == ["+2", "+4", "+3"]
    assert t.row("numbers", "+1") is None and t.rows("nothing") == []
    row = t.row("numbers", "+2")
    row["sms"] = 99                                                     # a copy: the reader cannot change it
    assert t.row("numbers", "+2")["sms"] == 1


def test_tallies_notes_keep_failures_apart_so_news_cannot_push_them_out():
    clock = iter(range(100))
    t = Tallies(lambda: float(next(clock)), notes=3)
    t.note("alertmanager", "refused", "not a payload", failure=True)
    for i in range(5):
        t.note("alertmanager", "queued", f"alert {i}")
    assert [n.text for n in t.notes()] == ["alert 4", "alert 3", "alert 2"]
    (failure,) = t.notes(failures=True)
    assert failure == Note(0.0, "alertmanager", "refused", "not a payload", True)


def test_tallies_version_grows_with_every_write_and_the_core_has_one():
    t = Tallies()
    seen = t.version
    t.count("x_total", 0)
    t.update("rows", "k")
    t.note("s", "k", "text")
    assert t.version == seen + 3
    assert t.series("x_total") and t.rows("rows") and t.notes()
    assert t.version == seen + 3                                         # reading changes nothing


async def test_the_core_keeps_tallies_on_its_wall_clock(core):
    core.tallies.note("grafana", "refused", "unsigned", failure=True)
    assert core.tallies.notes(failures=True)[0].at == 1_000_000.0
