"""The store on its own: what it returns matches what it keeps, the queue comes out in
dispatch order, the send path's shared commits, and the writer's lingering writes."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from modemgw.dispatch.compose import compose
from modemgw.sms import ConcatReferences
from modemgw.store import ReportUpdate, Store
from modemgw.store.schema import MIGRATIONS, migrate


@pytest.fixture
async def store(database):
    s = Store(database, default_webhook_url="http://127.0.0.1:9/hook")
    await s.open()
    try:
        yield s
    finally:
        await s.close()


def message(to: str, text: str = "hello", **kw):
    return compose(to, text, sender=None, references=ConcatReferences(), now=time.time(), **kw)


async def test_created_rows_are_the_rows_kept(store):
    long_text = "x" * 200
    created = await store.create_messages(
        [message("+15550100001"), message("+15550100002", long_text, priority=3, validity=600)],
        api_key_id=None, idempotency_key="k1")
    for row in created.messages:
        kept = await store.get_message(row["id"])
        kept.pop("parts")
        assert row == kept


async def test_due_parts_come_in_priority_then_time_order(store):
    low = (await store.create_messages([message("+15550100001")], api_key_id=None)).messages[0]
    high = (await store.create_messages([message("+15550100002", "y" * 200, priority=5)],
                                        api_key_id=None)).messages[0]
    due = await store.due_parts(time.time() + 1)
    assert [(p.message_id, p.seq, p.priority) for p in due] == [
        (high["id"], 1, 5), (high["id"], 2, 5), (low["id"], 1, 0)]


def test_migration_gives_existing_parts_their_message_priority(tmp_path):
    path = str(tmp_path / "old.db")
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:3], start=1):   # a database made before version 4
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO messages (id, to_number, text, status, encoding, segments, priority, "
                 "created_at, updated_at) VALUES ('m1', '+1555', 't', 'queued', 'gsm7', 1, 7, 0, 0)")
    conn.execute("INSERT INTO parts (message_id, seq, total, pdu, tpdu_length, status, "
                 "next_attempt_at) VALUES ('m1', 1, 1, '00', 1, 'queued', 0)")
    assert migrate(conn) == len(MIGRATIONS)
    assert conn.execute("SELECT priority FROM parts").fetchone()[0] == 7


async def test_sent_and_next_sending_share_one_commit(store):
    created = await store.create_messages([message("+15550100001"), message("+15550100002")],
                                          api_key_id=None)
    first, second = (m["id"] for m in created.messages)
    await store.mark_sending(first, 1, "a")
    batches = store.writer.batches
    await store.mark_sent(first, 1, 17, next_sending=(second, 1, "a"))
    assert store.writer.batches == batches + 1
    parts = {m: (await store.get_message(m))["parts"][0] for m in (first, second)}
    assert (parts[first]["status"], parts[first]["mr"]) == ("sent", 17)
    assert (parts[second]["status"], parts[second]["modem"], parts[second]["attempts"]) == ("sending", "a", 1)


async def test_report_is_kept_and_applied_in_one_commit(store):
    mid = (await store.create_messages([message("+15550100001")], api_key_id=None)).messages[0]["id"]
    await store.mark_sending(mid, 1, "a")
    await store.mark_sent(mid, 1, 42)
    update = ReportUpdate("delivered", 0, "delivered", None, {"mr": 42, "recipient": "+15550100001"})
    batches = store.writer.batches
    pdu_id, match = await store.store_report("a", "00", 20, mr=42, since=0, update=update,
                                             choose=lambda candidates: candidates[0] if candidates else None)
    assert store.writer.batches == batches + 1
    assert (match["message_id"], match["seq"]) == (mid, 1)
    assert (await store.get_message(mid))["status"] == "delivered"
    assert await store.pending_reports() == []          # marked handled in that commit
    # No part with that MR: kept, not applied, still pending.
    other, match = await store.store_report("a", "00", 20, mr=43, since=0, update=update,
                                            choose=lambda candidates: candidates[0] if candidates else None)
    assert match is None
    assert [r["id"] for r in await store.pending_reports()] == [other]


async def test_a_kept_report_is_applied_once_however_often_it_is_asked(store):
    # Applied again after a commit that looked failed, or by another node's restore: the
    # second time finds the kept PDU handled and changes nothing.
    mid = (await store.create_messages([message("+15550100001")], api_key_id=None)).messages[0]["id"]
    await store.mark_sending(mid, 1, "a")
    await store.mark_sent(mid, 1, 42)
    update = ReportUpdate("delivered", 0, "delivered", None, {"mr": 42, "recipient": "+15550100001"})
    pdu_id, match = await store.store_report("a", "00", 20, mr=42, since=0, update=update,
                                             choose=lambda candidates: None)
    assert match is None
    for _ in range(2):
        await store.apply_report(mid, 1, part_status="delivered", report_status=0, reason="delivered",
                                 at=None, pdu={"mr": 42}, pdu_id=pdu_id)
    assert [e["type"] for e in await store.message_events(mid)].count("part.report") == 1
    assert await store.pending_reports() == []


async def test_webhook_count_moves_only_once_committed(store):
    created = await store.create_messages([message("+15550100001"), message("+15550100002")],
                                          api_key_id=None)
    mid, other = (m["id"] for m in created.messages)
    await store.mark_sending(mid, 1, "a")
    before = store.webhooks_written
    await store.mark_sent(mid, 1, 1)                      # message.sent to the default URL
    assert store.webhooks_written == before + 1
    assert await store.mark_sending(other, 1, "a")        # writes no delivery
    assert store.webhooks_written == before + 1


async def test_a_part_no_longer_queued_is_not_marked_sending(store):
    # A modem's queue may hold a part whose message failed meanwhile: it must not go out.
    created = await store.create_messages([message("+15550100001", "x" * 300),
                                           message("+15550100002")], api_key_id=None)
    long, short = (m["id"] for m in created.messages)
    assert await store.mark_sending(long, 1, "a")
    await store.mark_failed(long, 1, "+CMS ERROR: 21")
    assert not await store.mark_sending(long, 2, "a")
    assert await store.mark_sending(short, 1, "a")
    assert not await store.mark_sent(short, 1, 5, next_sending=(long, 2, "a"))
    parts = (await store.get_message(long))["parts"]
    assert [(p["status"], p["attempts"]) for p in parts] == [("failed", 1), ("failed", 0)]


async def test_a_lingering_write_shares_the_next_urgent_commit(store):
    writer = store.writer
    batches = writer.batches
    lingering = asyncio.ensure_future(writer.write(lambda conn: 1, linger=5.0))
    await asyncio.sleep(0)                                # queued, and waiting for company
    assert await writer.write(lambda conn: 2) == 2        # committed at once, not after 5 s
    assert await lingering == 1
    assert writer.batches == batches + 1


async def test_a_lingering_write_alone_commits_after_its_linger(store):
    started = time.monotonic()
    assert await store.writer.write(lambda conn: 3, linger=0.05) == 3
    assert time.monotonic() - started >= 0.05


async def test_last_references_follow_insertion_within_one_commit(store):
    # Two long messages to one number in one request share their created_at; after a
    # restart the next reference must follow the later one, or a handset could join
    # parts of two messages.
    refs = ConcatReferences()
    batch = [compose("+15550100001", "x" * 300, sender=None, references=refs, now=time.time())
             for _ in range(2)]
    created = await store.create_messages(batch, api_key_id=None)
    first, second = (m["reference"] for m in created.messages)
    assert second == (first + 1) & 0xFF
    assert await store.last_references() == {"+15550100001": second}
    assert ConcatReferences(await store.last_references()).next("+15550100001") == (second + 1) & 0xFF


async def test_a_committed_write_is_seen_by_the_next_read_while_others_read(store):
    # Reads share one connection: a query left open across a thread hop would hold an
    # old snapshot that the next read (of a message just committed) would see too.
    await store.create_messages([message(f"+1555010{i:04d}") for i in range(50)], api_key_id=None)
    stop = False

    async def reader() -> None:
        while not stop:
            await store.list_messages(limit=50)

    readers = [asyncio.ensure_future(reader()) for _ in range(3)]
    try:
        for _ in range(200):
            mid = (await store.create_messages([message("+15550100001")], api_key_id=None)).messages[0]["id"]
            assert await store.get_message(mid) is not None
    finally:
        stop = True
        await asyncio.gather(*readers)


async def test_the_queue_summary_lists_parts_not_yet_assigned_first(store):
    # SQLite sorts NULL first and PostgreSQL last unless told: the operator sees one order.
    created = await store.create_messages([message("+15550100001"), message("+15550100002"),
                                           message("+15550100003")], api_key_id=None)
    first, second, _ = (m["id"] for m in created.messages)
    await store.mark_sending(first, 1, "b")
    await store.mark_retry(first, 1, time.time(), "busy")          # queued again, still on b
    await store.mark_sending(second, 1, "a")
    await store.mark_retry(second, 1, time.time(), "busy")
    assert [(r["status"], r["modem"], r["parts"]) for r in await store.queue_summary()] == [
        ("queued", None, 1), ("queued", "a", 1), ("queued", "b", 1)]


async def test_a_text_with_a_nul_character_is_kept(store, database):
    # SQLite keeps U+0000; PostgreSQL's text cannot hold it, and keeps U+FFFD in its place
    # (what was sent is the PDU, made before: unchanged).
    kept = "a\ufffdb" if database.startswith("postgresql://") else "a\x00b"
    created = await store.create_messages([message("+15550100001", "a\x00b")], api_key_id=None,
                                          idempotency_key="nul\x00")
    assert (await store.get_message(created.messages[0]["id"]))["text"] == kept
    await store.store_inbound("a", "+15550100002", "a\x00b", 1, True, None, [])
    assert [m["text"] for m in await store.list_inbound()] == [kept]


async def test_a_read_for_a_value_with_a_nul_character_finds_nothing_rather_than_failing(store):
    assert await store.get_message("msg_\x00") is None
    assert await store.key_for_token("mgw_\x00") is None
