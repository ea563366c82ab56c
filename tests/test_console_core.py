"""The core's operator methods, which the console calls: keys, a message whatever its key,
the modems' status, and a failing webhook sent again now."""

from __future__ import annotations

import pytest

from modemgw.core import Core, Invalid, NotFound, Submission, Unauthenticated
from modemgw.sms import ConcatReferences
from modemgw.store import Store
from modemgw.store.keys import derive


@pytest.fixture
async def core(tmp_path):
    store = Store(str(tmp_path / "core.db"))
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
