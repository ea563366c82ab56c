"""`modemgw store copy`: a SQLite gateway's database moved into PostgreSQL, checked through
the store on the other side: the same messages, keys that still authenticate, the queue
still due, the event log in its order, fresh numbers after the copy; and a target that
is not empty, a source still in use, or a row PostgreSQL refuses leaves the target as
it was."""

from __future__ import annotations

import sqlite3
import time

import pgserver
import psycopg
import pytest

from modemgw.cli import main
from modemgw.dispatch.compose import compose
from modemgw.sms import ConcatReferences
from modemgw.store import Store
from modemgw.store import copy as copying
from modemgw.store.copy import CopyError, copy_database
from modemgw.store.schema import MIGRATIONS

HOOK = "http://127.0.0.1:9/hook"
REFERENCES = ConcatReferences()


def message(to: str, text: str = "hello", **kw):
    return compose(to, text, sender=None, references=REFERENCES, now=time.time(), **kw)


async def _opened(location: str) -> Store:
    store = Store(location, default_webhook_url=HOOK)
    await store.open()
    return store


async def _fill(path: str) -> dict:
    """A SQLite gateway's database after some use; returns what the checks need."""
    store = await _opened(path)
    try:
        await store.register_node("pi-1", ["m1"], lease=30.0)
        key_id, key = await store.create_key("alerts")
        revoked_id, revoked = await store.create_key("old")
        await store.revoke_key(revoked_id)
        await store.subscribe(key_id, "twilio", "http://127.0.0.1:9/twilio", ["message.delivered"])
        await store.ensure_default_secret()
        created = (await store.create_messages(
            [message("+15550100001", "d" * 200), message("+15550100002", "q" * 400, priority=2),
             message("+15550100003"), message("+15550100004", "s" * 200)],
            api_key_id=key_id, idempotency_key="batch-1")).messages
        delivered, queued, failed, sending = (m["id"] for m in created)
        for seq in (1, 2):                              # two parts, both delivered
            assert await store.mark_sending(delivered, seq, "m1")
            await store.mark_sent(delivered, seq, 10 + seq)
            await store.apply_report(delivered, seq, part_status="delivered", report_status=0,
                                     reason="received", at=time.time(), pdu={"mr": 10 + seq})
        assert await store.mark_sending(failed, 1, "m1")
        await store.mark_failed(failed, 1, "refused by the network")
        assert await store.mark_sending(sending, 1, "m1")    # the gateway stops here (kill -9)
        pdu_id = await store.store_received(
            "m1", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07", 38, "deliver", None)
        inbound = await store.store_inbound("m1", "+31641600986", "How are you?", 1, True, time.time(), [pdu_id])
        await store.request_smpp_receipts([(delivered, 1, "r-1", 1)])
        await store.save_smpp_cursor(key_id, 3)
        return {"key_id": key_id, "key": key, "revoked": revoked, "messages": [m["id"] for m in created],
                "delivered": delivered, "queued": queued, "failed": failed, "sending": sending,
                "inbound": inbound}
    finally:
        await store.close()


async def _view(store: Store, ids: list[str]) -> dict:
    """Everything the API, the console and the dispatcher read, on one store."""
    now = time.time()
    return {
        "messages": [await store.get_message(mid) for mid in ids],
        "by_seqno": [await store.get_message((await store.get_message(mid))["seqno"]) for mid in ids],
        "listed": await store.list_messages(limit=100),
        "keys": await store.list_keys(),
        "inbound": await store.list_inbound(),
        "events": await store.list_events(limit=1000, every_key=True),
        "last_event": await store.last_event_cursor(),
        "outbox": await store.webhook_deliveries(limit=1000),
        "sent_today": await store.sent_today(now),
        "receipts": await store.smpp_receipts(ids),
        "default_secret": await store.ensure_default_secret(),
        "summary": await store.queue_summary(),
        "counts": await store.counts(),
        "due": await store.due_parts(now + 1),
    }


async def _copied(tmp_path) -> tuple[str, str, dict, dict]:
    source = str(tmp_path / "gw.db")
    facts = await _fill(source)
    store = await _opened(source)
    try:
        before = await _view(store, facts["messages"])
    finally:
        await store.close()
    target = pgserver.server().database(migrated=False)       # the copy makes the schema
    told = []
    copied = copy_database(source, target, on_table=told.append)
    assert [t.name for t in told] == [t.name for t in copied.tables]
    counts = {t.name: t.rows for t in copied.tables}
    assert counts["messages"] == 4 and counts["parts"] == 2 + 3 + 1 + 2 and counts["api_keys"] == 2
    assert counts["inbound"] == 1 and counts["received_pdus"] == 1 and counts["modem_days"] == 1
    assert counts["events"] == len(before["events"]) and counts["webhook_deliveries"] == len(before["outbox"])
    assert copied.rows == sum(counts.values())
    return source, target, facts, before


async def test_a_copied_database_reads_back_the_same_through_the_store(tmp_path):
    _, target, facts, before = await _copied(tmp_path)
    store = await _opened(target)
    try:
        after = await _view(store, facts["messages"])
        for name in before:
            assert after[name] == before[name], name
        # the queued message's parts are due, and a node claims them
        due = await store.claim_due(time.time() + 1, modems=["m2"])
        assert [(p.message_id, p.seq) for p in due] == [(facts["queued"], s) for s in (1, 2, 3)]
        # the keys authenticate as before: the hash was copied, not the key
        assert (await store.key_for_token(facts["key"]))["id"] == facts["key_id"]
        assert await store.key_for_token(facts["revoked"]) is None
        # the Idempotency-Key is still known: the originals come back
        replay = await store.create_messages([message("+15550100001")], api_key_id=facts["key_id"],
                                             idempotency_key="batch-1")
        assert replay.replayed and [m["id"] for m in replay.messages] == sorted(facts["messages"])
    finally:
        await store.close()


async def test_after_the_copy_new_rows_take_new_numbers(tmp_path):
    _, target, facts, before = await _copied(tmp_path)
    store = await _opened(target)
    try:
        seqnos = [m["seqno"] for m in before["messages"]]
        new = (await store.create_messages([message("+15550100009")], api_key_id=facts["key_id"])).messages[0]
        assert new["seqno"] == max(seqnos) + 1 and new["id"] not in facts["messages"]
        assert (await store.get_message(new["seqno"]))["id"] == new["id"]
        events = await store.list_events(after=before["last_event"], every_key=True)
        assert [e["type"] for e in events] == ["message.queued"]
        assert events[0]["cursor"] == before["last_event"] + 1
        key_id, key = await store.create_key("after")
        assert key_id == max(k["id"] for k in before["keys"]) + 1
        assert (await store.key_for_token(key))["id"] == key_id
        pdu_id = await store.store_received("m1", "00", 1, "undecodable", "bad")
        assert pdu_id == 2
        await store.mark_sending(new["id"], 1, "m1")
        await store.mark_sent(new["id"], 1, 99)
        outbox = await store.webhook_deliveries(limit=1000)
        assert max(w["id"] for w in outbox) == max(w["id"] for w in before["outbox"]) + 1
    finally:
        await store.close()


async def test_a_part_left_sending_is_handed_over_as_its_stopped_nodes(tmp_path):
    # The SQLite gateway was killed between AT+CMGS and its answer: the part may have gone
    # out. Its node, started again on PostgreSQL under its name, takes it for unknown.
    _, target, facts, _ = await _copied(tmp_path)
    store = await _opened(target)
    try:
        assert (await store.get_message(facts["sending"]))["parts"][0]["status"] == "sending"
        await store.register_node("pi-1", ["m1"], lease=30.0)
        assert await store.reconcile_in_flight() == 1
        part = (await store.get_message(facts["sending"]))["parts"][0]
        assert part["status"] == "unknown"
    finally:
        await store.close()


async def test_a_part_left_sending_by_a_gateway_that_named_no_node_is_reconciled_by_a_heartbeat(tmp_path):
    # A part marked sending before the nodes table existed has no holder: no PostgreSQL
    # node would ever take it for unknown, unless the copy hands it to a stopped node.
    source = str(tmp_path / "gw.db")
    facts = await _fill(source)
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("UPDATE parts SET claimed_by = NULL")
    conn.execute("DELETE FROM nodes")
    conn.close()
    target = pgserver.server().database()
    copy_database(source, target)
    store = await _opened(target)
    try:
        await store.register_node("pi-2", ["m2"], lease=30.0)
        assert await store.reconcile_in_flight() == 0           # not this node's
        assert await store.heartbeat() == [facts["sending"]]    # a stopped node's
        assert (await store.get_message(facts["sending"]))["parts"][0]["status"] == "unknown"
    finally:
        await store.close()


async def test_an_older_sqlite_database_is_migrated_first_and_copied(tmp_path):
    # A database last opened by a modemgw of schema 9 (before the nodes): the copy brings
    # it up to date as `serve` would, and the columns added since come with their defaults.
    source = str(tmp_path / "old.db")
    conn = sqlite3.connect(source, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:9], start=1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO messages (id, to_number, text, status, encoding, segments, created_at, updated_at) "
                 "VALUES ('msg_old', '+15550100001', 'from before', 'queued', 'gsm7', 1, 1, 1)")
    conn.execute("INSERT INTO parts (message_id, seq, total, pdu, tpdu_length, status, next_attempt_at) "
                 "VALUES ('msg_old', 1, 1, '00', 1, 'queued', 1)")
    conn.close()
    target = pgserver.server().database(migrated=False)
    copy_database(source, target)
    assert sqlite3.connect(source).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    store = await _opened(target)
    try:
        kept = await store.get_message("msg_old")
        assert (kept["seqno"], kept["text"], kept["parts"][0]["status"]) == (1, "from before", "queued")
        assert [p.message_id for p in await store.claim_due(time.time(), modems=["m1"])] == ["msg_old"]
    finally:
        await store.close()


async def test_a_target_that_is_not_empty_is_refused_and_left_as_it_was(tmp_path):
    source = str(tmp_path / "gw.db")
    await _fill(source)
    target = pgserver.server().database()
    store = await _opened(target)
    try:
        await store.create_key("theirs")
        before = await store.list_keys()
        with pytest.raises(CopyError, match="not empty.*api_keys"):
            copy_database(source, target)
        assert await store.list_keys() == before
        assert await store.list_messages() == [] and await store.list_events(every_key=True) == []
    finally:
        await store.close()


async def test_a_row_postgresql_refuses_leaves_the_target_empty(tmp_path):
    source = str(tmp_path / "gw.db")
    await _fill(source)
    # SQLite keeps any value in any column: a count that PostgreSQL's integer cannot hold,
    # in a table copied after the keys and the events.
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("UPDATE modem_days SET sent = 'many'")
    conn.close()
    target = pgserver.server().database()
    told = []
    with pytest.raises(CopyError, match="modem_days"):
        copy_database(source, target, on_table=told.append)
    assert "api_keys" in [t.name for t in told] and "events" in [t.name for t in told]
    with psycopg.connect(target) as pg:
        tables = [r[0] for r in pg.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = current_schema() AND table_name <> 'schema_version'")]
        assert {t: pg.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables} == dict.fromkeys(tables, 0)
    # and the same copy succeeds once the value is one it can hold
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("UPDATE modem_days SET sent = 2")
    conn.close()
    assert copy_database(source, target).rows > 0


async def test_a_database_still_open_in_a_gateway_is_refused(tmp_path, monkeypatch):
    source = str(tmp_path / "gw.db")
    await _fill(source)
    monkeypatch.setattr(copying, "SQLITE_BUSY_TIMEOUT", 0.1)
    target = pgserver.server().database()
    running = await _opened(source)
    try:
        await running.list_keys()                      # a running gateway reads the file
        with pytest.raises(CopyError, match="in use"):
            copy_database(source, target)
    finally:
        await running.close()
    assert copy_database(source, target).rows > 0     # stopped: copied


async def test_a_postgresql_schema_newer_than_this_modemgw_is_refused(tmp_path):
    source = str(tmp_path / "gw.db")
    await _fill(source)
    target = pgserver.server().database()
    with psycopg.connect(target, autocommit=True) as pg:
        pg.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(CopyError, match="newer than this modemgw.*nothing was copied"):
        copy_database(source, target)


def test_a_missing_file_is_not_created(tmp_path):
    with pytest.raises(CopyError, match="no such SQLite database"):
        copy_database(str(tmp_path / "typo.db"), pgserver.server().database())
    assert not (tmp_path / "typo.db").exists()
    (tmp_path / "notes.txt").write_text("not a database, but a file of text long enough to hold a header " * 2)
    with pytest.raises(CopyError, match="notes.txt: file is not a database"):
        copy_database(str(tmp_path / "notes.txt"), pgserver.server().database())


async def test_values_sqlite_keeps_and_postgresql_cannot_are_stored_as_the_store_stores_them(tmp_path):
    source = str(tmp_path / "gw.db")
    store = await _opened(source)
    try:
        nul = await store.store_inbound("m1", "+31641600986", "a\x00b", 1, True, None, [])
        blob = await store.store_inbound("m1", "+31641600986", "placeholder", 1, True, None, [])
    finally:
        await store.close()
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("UPDATE inbound SET text = CAST('bytes' AS BLOB) WHERE id = ?", (blob,))   # a blob in a text column
    conn.close()
    target = pgserver.server().database()
    copy_database(source, target)
    store = await _opened(target)
    try:
        texts = {r["id"]: r["text"] for r in await store.list_inbound()}
        # U+0000 as the PostgreSQL store keeps it (postgres/connection.py), a blob as its text
        assert texts == {nul: "a\ufffdb", blob: "bytes"}
    finally:
        await store.close()


async def test_a_column_postgresql_lacks_is_named_not_dropped_silently(tmp_path):
    source = str(tmp_path / "gw.db")
    await _fill(source)
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("ALTER TABLE inbound ADD COLUMN note TEXT")
    conn.close()
    copied = copy_database(source, pgserver.server().database())
    assert {t.name: t.not_copied for t in copied.tables if t.not_copied} == {"inbound": ("note",)}


async def test_the_command_copies_once_and_refuses_a_second_time(tmp_path, capsys):
    source = str(tmp_path / "gw.db")
    await _fill(source)
    target = pgserver.server().database()
    assert main(["store", "copy", source, target]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("copied ") and "of 13 tables" in out[-1]
    assert any(line.split()[:2] == ["messages", "4"] for line in out)
    assert main(["store", "copy", source, target]) == 1
    assert "not empty" in capsys.readouterr().err
    # the SQLite database named by a configuration file
    config = tmp_path / "gw.toml"
    config.write_text(f'[store]\npath = "{source}"\n')
    assert main(["store", "copy", "--config", str(config), pgserver.server().database()]) == 0
    assert main(["store", "copy", source, "not-a-url"]) == 2
