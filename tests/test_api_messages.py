"""POST/GET/DELETE /v1/messages and the preview, against a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import pytest

import peek
from test_api_harness import running_api


@pytest.fixture
async def api(database):
    async with running_api(database) as a:
        yield a


def _db(api):
    """A connection of its own: sees only what the store has committed."""
    return peek.connect(api.db)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat()


# -- sending --------------------------------------------------------------------------

async def test_a_single_recipient_answers_with_the_message_committed(api):
    reply = await api.send({"to": "+1 (415) 555-0123", "text": "Hello"})
    assert reply.status == 200
    m = reply.body
    assert (m["status"], m["to"], m["from"], m["segments"], m["encoding"]) == \
        ("queued", "+14155550123", None, 1, "gsm7")
    with _db(api) as conn:
        row = conn.execute("SELECT status, to_number, api_key_id FROM messages WHERE id = ?",
                           (m["id"],)).fetchone()
        parts = conn.execute("SELECT COUNT(*) FROM parts WHERE message_id = ?", (m["id"],)).fetchone()[0]
    assert tuple(row) == ("queued", "+14155550123", api.key_id)
    assert parts == 1
    assert api.accepted == [1]


async def test_an_array_answers_with_data_in_request_order(api):
    numbers = ["+15551230003", "+15551230001", "+447700900123"]
    reply = await api.send({"to": numbers, "text": "Grüße 😀" * 20, "from": "+15550000000"})
    assert reply.status == 200
    assert [m["to"] for m in reply.body["data"]] == numbers
    assert {m["encoding"] for m in reply.body["data"]} == {"ucs2"}
    assert all(m["segments"] == 3 and m["from"] == "+15550000000" for m in reply.body["data"])
    assert len({m["id"] for m in reply.body["data"]}) == 3


async def test_fictional_numbers_are_accepted_as_possible(api):
    # +1 555 numbers are not *valid* (unallocated) but simulated modems use them.
    assert (await api.send({"to": "+15551230001", "text": "hi"})).status == 200


async def test_national_numbers_need_a_default_region(database, another_database):
    async with running_api(database, default_region="GB") as gb:
        reply = await gb.send({"to": "07700 900123", "text": "hi"})
        assert reply.status == 200 and reply.body["to"] == "+447700900123"
    async with running_api(another_database()) as plain:
        reply = await plain.send({"to": "07700 900123", "text": "hi"})
        assert (reply.status, reply.error["field"]) == (400, "to")
        assert "default region" in reply.error["message"]


@pytest.mark.parametrize("body, field", [
    ({"text": "hi"}, "to"),
    ({"to": "+14155550123"}, "text"),
    ({"to": 14155550123, "text": "hi"}, "to"),
    ({"to": "+1-800-FLOWERS", "text": "hi"}, "to"),
    ({"to": "+1415555012345", "text": "hi"}, "to"),
    ({"to": "+999123456", "text": "hi"}, "to"),
    ({"to": [], "text": "hi"}, "to"),
    ({"to": {"number": "+14155550123"}, "text": "hi"}, "to"),
    ({"to": ["+14155550123", None], "text": "hi"}, "to[1]"),
    ({"to": ["+14155550123", "+1 415 555 0123"], "text": "hi"}, "to[1]"),
    ({"to": "+14155550123", "text": ""}, "text"),
    ({"to": "+14155550123", "text": ["hi"]}, "text"),
    ({"to": "+14155550123", "text": "lone \ud800 surrogate"}, "text"),
    ({"to": "+14155550123", "text": "x" * (153 * 255 + 1)}, "text"),
    ({"to": "+14155550123", "text": "hi", "from": ""}, "from"),
    ({"to": "+14155550123", "text": "hi", "from": "x" * 33}, "from"),
    ({"to": "+14155550123", "text": "hi", "callback_url": "ftp://example.com/hook"}, "callback_url"),
    ({"to": "+14155550123", "text": "hi", "callback_url": "/relative"}, "callback_url"),
    ({"to": "+14155550123", "text": "hi", "scheduled_at": "2030-01-31T09:00:00"}, "scheduled_at"),
    ({"to": "+14155550123", "text": "hi", "scheduled_at": "tomorrow"}, "scheduled_at"),
    # Epoch seconds, an hour ahead: refused for its form, not for being too far ahead.
    ({"to": "+14155550123", "text": "hi", "scheduled_at": int(time.time()) + 3600}, "scheduled_at"),
    ({"to": "+14155550123", "text": "hi", "scheduled_at": "2999-01-01T00:00:00Z"}, "scheduled_at"),
    ({"to": "+14155550123", "text": "hi", "validity_period": 299}, "validity_period"),
    ({"to": "+14155550123", "text": "hi", "validity_period": 63 * 7 * 86400 + 1}, "validity_period"),
    ({"to": "+14155550123", "text": "hi", "validity_period": 3600.5}, "validity_period"),
    ({"to": "+14155550123", "text": "hi", "validity_period": True}, "validity_period"),
    ({"to": "+14155550123", "text": "hi", "priority": 10}, "priority"),
    ({"to": "+14155550123", "text": "hi", "priority": "high"}, "priority"),
    ({"to": "+14155550123", "text": "hi", "schedule_at": "2030-01-31T09:00:00Z"}, "schedule_at"),
])
async def test_invalid_bodies_name_the_field_and_store_nothing(api, body, field):
    reply = await api.send(body)
    assert (reply.status, reply.error["code"], reply.error["field"]) == (400, "invalid_request", field)
    assert field.split("[")[0] in reply.error["message"]
    with _db(api) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    assert api.accepted == []


async def test_more_than_100_recipients_is_refused(api):
    numbers = [f"+1555123{i:04d}" for i in range(101)]
    reply = await api.send({"to": numbers, "text": "hi"})
    assert (reply.status, reply.error["field"]) == (400, "to")
    assert (await api.send({"to": numbers[:100], "text": "hi"})).status == 200


async def test_a_future_schedule_and_validity_are_kept(api):
    at = time.time() + 3600
    reply = await api.send({"to": "+14155550123", "text": "later", "scheduled_at": _iso(at),
                            "validity_period": 600, "priority": 5,
                            "callback_url": "https://example.com/hook?x=1"})
    m = reply.body
    assert datetime.fromisoformat(m["scheduled_at"]).timestamp() == pytest.approx(at, abs=0.001)
    assert datetime.fromisoformat(m["expires_at"]).timestamp() == pytest.approx(at + 600, abs=0.001)
    assert (m["validity_period"], m["priority"], m["callback_url"]) == (600, 5, "https://example.com/hook?x=1")
    with _db(api) as conn:
        due = conn.execute("SELECT next_attempt_at FROM parts WHERE message_id = ?", (m["id"],)).fetchone()[0]
    assert due == pytest.approx(at)


async def test_a_past_schedule_means_now(api):
    before = time.time()
    reply = await api.send({"to": "+14155550123", "text": "hi", "validity_period": 600,
                            "scheduled_at": _iso(before - 86400)})
    assert reply.body["scheduled_at"] is None
    # Validity counts from now, not from the past time (which would expire it at once).
    assert datetime.fromisoformat(reply.body["expires_at"]).timestamp() >= before + 600 - 0.001


# -- idempotency ------------------------------------------------------------------------

async def test_a_retried_post_returns_the_originals(api):
    body = {"to": ["+15551230001", "+15551230002"], "text": "once"}
    first = await api.send(body, headers={"Idempotency-Key": "order-17"})
    again = await api.send({**body, "to": body["to"][::-1]}, headers={"Idempotency-Key": "order-17"})
    assert first.status == again.status == 200
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert [m["id"] for m in again.body["data"]] == [m["id"] for m in first.body["data"]][::-1]
    with _db(api) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 2
    assert api.accepted == [1]


async def test_concurrent_retries_create_one_set(api):
    body = {"to": "+15551230001", "text": "race"}
    replies = await asyncio.gather(*(api.send(body, headers={"Idempotency-Key": "k"}) for _ in range(5)))
    assert {r.status for r in replies} == {200}
    assert len({r.body["id"] for r in replies}) == 1
    with _db(api) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


@pytest.mark.parametrize("change", [{"text": "twice"}, {"to": "+15551230009"}, {"priority": 1},
                                    {"from": "+15550000000"}, {"validity_period": 900}])
async def test_the_same_key_with_another_body_is_refused(api, change):
    body = {"to": "+15551230001", "text": "once"}
    await api.send(body, headers={"Idempotency-Key": "k1"})
    reply = await api.send({**body, **change}, headers={"Idempotency-Key": "k1"})
    assert (reply.status, reply.error["field"]) == (400, "Idempotency-Key")


async def test_a_replay_of_a_past_schedule_still_matches(api):
    body = {"to": "+15551230001", "text": "hi", "scheduled_at": _iso(time.time() - 60)}
    first = await api.send(body, headers={"Idempotency-Key": "p"})
    again = await api.send(body, headers={"Idempotency-Key": "p"})
    assert again.status == 200 and again.body["id"] == first.body["id"]


async def test_idempotency_keys_belong_to_one_api_key(api):
    _, other = await api.store.create_key("other")
    body = {"to": "+15551230001", "text": "hi"}
    a = await api.send(body, headers={"Idempotency-Key": "same"})
    b = await api.send(body, headers={"Idempotency-Key": "same"}, key=other)
    assert a.body["id"] != b.body["id"]


@pytest.mark.parametrize("value", ["x" * 256, "naïve"])
async def test_a_malformed_idempotency_key_is_refused(api, value):
    reply = await api.send({"to": "+15551230001", "text": "hi"},
                           headers={"Idempotency-Key": value.encode().decode("latin-1")})
    assert (reply.status, reply.error["field"]) == (400, "Idempotency-Key")


# -- reading and cancelling -------------------------------------------------------------------

async def test_get_shows_parts_progress_and_the_delivery(api):
    sent = (await api.send({"to": "+15551230001", "text": "x" * 200})).body
    mid = sent["id"]
    for seq in (1, 2):
        await api.store.mark_sending(mid, seq, "modem1")
        await api.store.mark_sent(mid, seq, mr=10 + seq)
    await api.store.apply_report(mid, 1, part_status="delivered", report_status=0, reason="ok",
                                 at=time.time(), pdu={})
    m = (await api.call("GET", f"/v1/messages/{mid}")).body
    assert (m["status"], m["modem"], m["segments"]) == ("sent", "modem1", 2)
    assert m["sent_at"] is not None and m["delivered_at"] is None
    assert [(p["seq"], p["status"], p["modem"], p["report_status"]) for p in m["parts"]] == \
        [(1, "delivered", "modem1", 0), (2, "sent", "modem1", None)]
    await api.store.apply_report(mid, 2, part_status="delivered", report_status=0, reason="ok",
                                 at=time.time(), pdu={})
    m = (await api.call("GET", f"/v1/messages/{mid}")).body
    assert m["status"] == "delivered" and m["delivered_at"] is not None


async def test_get_a_failed_message_shows_the_error(api):
    mid = (await api.send({"to": "+15551230001", "text": "hi"})).body["id"]
    await api.store.mark_sending(mid, 1, "modem1")
    await api.store.mark_failed(mid, 1, "+CMS ERROR: 38 network out of order")
    m = (await api.call("GET", f"/v1/messages/{mid}")).body
    assert (m["status"], m["error"]) == ("failed", "+CMS ERROR: 38 network out of order")
    assert m["parts"][0]["error"] == "+CMS ERROR: 38 network out of order"


async def test_unknown_and_foreign_messages(api):
    _, other = await api.store.create_key("other")
    mid = (await api.send({"to": "+15551230001", "text": "mine"})).body["id"]
    for method in ("GET", "DELETE"):
        missing = await api.call(method, "/v1/messages/msg_00000000000000000000000000")
        assert (missing.status, missing.error["code"]) == (404, "not_found")
        foreign = await api.call(method, f"/v1/messages/{mid}", key=other)
        assert (foreign.status, foreign.error["code"]) == (403, "forbidden")
    assert (await api.call("GET", f"/v1/messages/{mid}")).body["status"] == "queued"


async def test_cancel_a_queued_message_and_repeat(api):
    mid = (await api.send({"to": "+15551230001", "text": "never mind"})).body["id"]
    first = await api.call("DELETE", f"/v1/messages/{mid}")
    again = await api.call("DELETE", f"/v1/messages/{mid}")
    assert first.status == again.status == 200
    assert first.body["status"] == "cancelled" and [p["status"] for p in first.body["parts"]] == ["cancelled"]
    with _db(api) as conn:
        assert conn.execute("SELECT status FROM messages WHERE id = ?", (mid,)).fetchone()[0] == "cancelled"


async def test_cancel_is_refused_once_a_part_went_to_a_modem(api):
    mid = (await api.send({"to": "+15551230001", "text": "x" * 200})).body["id"]
    await api.store.mark_sending(mid, 1, "modem1")
    reply = await api.call("DELETE", f"/v1/messages/{mid}")
    assert (reply.status, reply.error["code"]) == (400, "invalid_request")
    assert "queued" in reply.error["message"]
    with _db(api) as conn:
        assert conn.execute("SELECT status FROM parts WHERE message_id = ? AND seq = 2",
                            (mid,)).fetchone()[0] == "queued"


# -- listing ---------------------------------------------------------------------------------

async def _send_many(api, n: int) -> list[str]:
    ids = []
    for i in range(n):
        ids.append((await api.send({"to": f"+1555123{i:04d}", "text": f"m{i}"})).body["id"])
    return ids


async def test_pages_cover_every_message_once_newest_first(api):
    ids = await _send_many(api, 5)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await api.call("GET", "/v1/messages", params=params)).body
        seen += [m["id"] for m in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Ids are time-ordered to the millisecond: "newest first" is descending id order.
    assert seen == sorted(ids, reverse=True) and pages == 3


async def test_filters(api):
    ids = await _send_many(api, 4)
    await api.call("DELETE", f"/v1/messages/{ids[1]}")
    with _db(api) as conn:
        for i, mid in enumerate(ids):
            conn.execute("UPDATE messages SET created_at = ? WHERE id = ?", (1_900_000_000 + i * 60, mid))

    async def listed(**params) -> list[str]:
        return [m["id"] for m in (await api.call("GET", "/v1/messages", params=params)).body["data"]]

    assert await listed(status="cancelled") == [ids[1]]
    assert await listed(to="+1 555 123 0002") == [ids[2]]
    assert await listed(created_since=_iso(1_900_000_060), created_until=_iso(1_900_000_180)) == \
        sorted([ids[1], ids[2]], reverse=True)
    assert await listed(direction="outbound", limit="100") == sorted(ids, reverse=True)


async def test_a_key_lists_only_its_own_messages(api):
    _, other = await api.store.create_key("other")
    mine = await _send_many(api, 3)
    theirs = (await api.send({"to": "+15559990000", "text": "theirs"}, key=other)).body["id"]
    page = (await api.call("GET", "/v1/messages", params={"limit": "2"})).body
    rest = (await api.call("GET", "/v1/messages", params={"limit": "2", "cursor": page["next_cursor"]})).body
    assert [m["id"] for m in page["data"] + rest["data"]] == sorted(mine, reverse=True)
    assert [m["id"] for m in (await api.call("GET", "/v1/messages", key=other)).body["data"]] == [theirs]


@pytest.mark.parametrize("params, field", [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"), ({"cursor": "%%%"}, "cursor"),
    ({"status": "lost"}, "status"), ({"direction": "inbound"}, "direction"),
    ({"created_since": "2030-01-01"}, "created_since"), ({"to": "nobody"}, "to"),
    ({"page": "2"}, "page"),
])
async def test_bad_listing_parameters_name_themselves(api, params, field):
    reply = await api.call("GET", "/v1/messages", params=params)
    assert (reply.status, reply.error["field"]) == (400, field)


async def test_a_repeated_query_parameter_is_refused(api):
    reply = await api.call("GET", "/v1/messages?status=queued&status=sent")
    assert (reply.status, reply.error["field"]) == (400, "status")


async def test_an_inbound_cursor_is_not_a_messages_cursor(api):
    from modemgw.api import cursor
    reply = await api.call("GET", "/v1/messages", params={"cursor": cursor.encode("in_" + "0" * 26)})
    assert (reply.status, reply.error["field"]) == (400, "cursor")


# -- preview ------------------------------------------------------------------------------

async def test_preview_counts_segments_without_storing(api):
    reply = await api.call("POST", "/v1/messages/preview", json_body={"text": "Olá 😀"})
    assert reply.body == {"encoding": "ucs2", "segments": 1, "remaining": 64, "per_segment": 70,
                          "ucs2_characters": ["á", "😀"]}
    long = await api.call("POST", "/v1/messages/preview", json_body={"text": "a" * 161})
    assert (long.body["encoding"], long.body["segments"], long.body["remaining"]) == ("gsm7", 2, 145)
    with _db(api) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


@pytest.mark.parametrize("body, field", [({}, "text"), ({"text": 5}, "text"), ({"text": "hi", "to": "x"}, "to")])
async def test_preview_validates_like_send(api, body, field):
    reply = await api.call("POST", "/v1/messages/preview", json_body=body)
    assert (reply.status, reply.error["field"]) == (400, field)


async def test_get_on_the_preview_path_is_a_missing_message(api):
    reply = await api.call("GET", "/v1/messages/preview")
    assert (reply.status, reply.error["code"]) == (404, "not_found")
