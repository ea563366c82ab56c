"""The webhook sender against a real receiver on 127.0.0.1 and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sqlite3
import time
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from modemgw.store import NewMessage, NewPart, Store, outbox
from modemgw.store.schema import MIGRATIONS, migrate
from modemgw.webhooks import Backoff, WebhookSender, signing, verify


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)    # when it arrived

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; answers with the queued statuses, then 204.

    A queued "hang" never answers (until the test ends): the sender's timeout
    is what ends that request.
    """
    server: TestServer | None = None
    hits: list[Hit] = field(default_factory=list)
    answers: list[int | str] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    gates: dict[str, asyncio.Event] = field(default_factory=dict)  # message id -> answer when set

    def url(self, path: str = "/hook") -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        hit = Hit(request.path, dict(request.headers), await request.read())
        async with self.arrived:
            self.hits.append(hit)
            self.arrived.notify_all()
        gate = self.gates.get(hit.event.get("id", ""))
        if gate is not None:
            await gate.wait()
        answer = self.answers.pop(0) if self.answers else 204
        if answer == "hang":
            await self.release.wait()
            answer = 204
        if answer == 307:
            raise web.HTTPTemporaryRedirect(self.url("/elsewhere"))
        return web.Response(status=int(answer))

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Hit]:
        async with asyncio.timeout(timeout), self.arrived:
            await self.arrived.wait_for(lambda: len(self.hits) >= count)
        return self.hits


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@contextlib.asynccontextmanager
async def serve():
    """A Receiver on its own port of 127.0.0.1 (a destination of its own)."""
    r = Receiver()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", r.handle)
    r.server = TestServer(app, host="127.0.0.1")
    await r.server.start_server()
    try:
        yield r
    finally:
        r.release.set()
        for gate in r.gates.values():
            gate.set()
        await r.server.close()


@pytest.fixture
async def receiver():
    async with serve() as r:
        yield r


@pytest.fixture
async def store(database, receiver):
    s = Store(database, default_webhook_url=receiver.url())
    await s.open()
    try:
        yield s
    finally:
        await s.close()


@contextlib.asynccontextmanager
async def sender(store, **kwargs):
    kwargs.setdefault("clock", Clock(time.time()))
    kwargs.setdefault("random", lambda: 1.0)     # the longest wait of each step: exact numbers
    s = WebhookSender(store, **kwargs)
    try:
        yield s
    finally:
        await s.stop()


async def sent_message(store: Store, *, api_key_id: int | None = None, callback_url: str | None = None,
                       to: str = "+447700900123") -> str:
    """A message whose one part went out: the store writes a message.sent delivery."""
    created = await store.create_messages(
        [NewMessage(to=to, sender=None, text="hello", encoding="gsm7", parts=(NewPart("00", 1),),
                    callback_url=callback_url)], api_key_id=api_key_id)
    mid = created.messages[0]["id"]
    await store.mark_sending(mid, 1, "modem0")
    await store.mark_sent(mid, 1, 42)
    return mid


async def delivered(store: Store, mid: str) -> None:
    """A status report for the part: the store writes a message.delivered delivery."""
    await store.apply_report(mid, 1, part_status="delivered", report_status=0, reason="delivered",
                             at=None, pdu={})


async def rows(store: Store, status: str | None = None) -> list[dict]:
    return sorted(await store.webhook_deliveries(status=status, limit=1000), key=lambda r: r["id"])


# -- delivery -------------------------------------------------------------------------------------


async def test_a_2xx_answer_delivers_a_body_the_receiver_can_verify(store, receiver):
    mid = await sent_message(store)
    clock = Clock(time.time())
    async with sender(store, clock=clock) as s:
        assert await s.run_once() == 1
    [hit] = receiver.hits
    [row] = await rows(store)
    assert row["status"] == "delivered" and row["attempts"] == 1 and row["last_error"] is None
    assert hit.body == row["body"].encode()
    assert hit.event["event"] == "message.sent" and hit.event["id"] == mid
    assert hit.headers[signing.EVENT_ID_HEADER] == str(row["id"])
    assert hit.headers[signing.EVENT_HEADER] == "message.sent"
    assert hit.headers[signing.ATTEMPT_HEADER] == "1"
    assert hit.headers["Content-Type"] == "application/json"
    assert hit.headers[signing.TIMESTAMP_HEADER] == str(int(clock.t))
    secret = await store.webhook_secret(None)
    assert secret is not None
    ts, sig = hit.headers[signing.TIMESTAMP_HEADER], hit.headers[signing.SIGNATURE_HEADER]
    assert verify(secret, hit.body, ts, sig, now=clock.t)
    assert not verify(secret, hit.body.replace(b"sent", b"lost"), ts, sig, now=clock.t)
    assert not verify(secret, hit.body, ts, sig, now=clock.t + 301)


async def test_messages_sent_with_an_api_key_are_signed_with_that_keys_secret(store, receiver):
    key_id, _ = await store.create_key("shop")
    await sent_message(store, api_key_id=key_id)
    clock = Clock(time.time())
    async with sender(store, clock=clock) as s:
        await s.run_once()
    [hit] = receiver.hits
    ts, sig = hit.headers[signing.TIMESTAMP_HEADER], hit.headers[signing.SIGNATURE_HEADER]
    assert verify(await store.webhook_secret(key_id), hit.body, ts, sig, now=clock.t)
    assert not verify(await store.ensure_default_secret(), hit.body, ts, sig, now=clock.t)


async def test_a_messages_callback_url_is_used(store, receiver):
    await sent_message(store, callback_url=receiver.url("/per-message"))
    async with sender(store) as s:
        await s.run_once()
    assert [h.path for h in receiver.hits] == ["/per-message"]


async def test_inbound_messages_are_delivered_signed_with_the_default_secret(store, receiver):
    iid = await store.store_inbound("modem0", "+447700900123", "hi there", 1, True, None, [])
    clock = Clock(time.time())
    async with sender(store, clock=clock) as s:
        await s.run_once()
    [hit] = receiver.hits
    assert hit.event["event"] == "message.received" and hit.event["id"] == iid
    assert verify(await store.ensure_default_secret(), hit.body, hit.headers[signing.TIMESTAMP_HEADER],
                  hit.headers[signing.SIGNATURE_HEADER], now=clock.t)
    assert [r["status"] for r in await rows(store)] == ["delivered"]


# -- retries --------------------------------------------------------------------------------------


async def test_a_500_is_retried_with_growing_delays_until_it_succeeds(store, receiver):
    await sent_message(store)
    receiver.answers = [500, 500, 500, 500]
    clock = Clock(time.time())
    waits = []
    async with sender(store, clock=clock, backoff=Backoff(first=30, maximum=100)) as s:
        for attempt in range(1, 6):
            assert await s.run_once() == 1
            assert await s.run_once() == 0          # not due again until its retry time
            [row] = await rows(store)
            assert row["attempts"] == attempt
            if row["status"] == "delivered":
                break
            assert row["last_error"] == "HTTP 500"
            waits.append(row["next_attempt_at"] - clock.t)
            clock.t = row["next_attempt_at"]
    assert waits == [30, 60, 100, 100]              # doubling, capped
    assert row["status"] == "delivered" and row["last_error"] is None
    assert [h.headers[signing.ATTEMPT_HEADER] for h in receiver.hits] == ["1", "2", "3", "4", "5"]
    assert len({h.headers[signing.EVENT_ID_HEADER] for h in receiver.hits}) == 1


async def test_retries_are_jittered_by_the_injected_random(store, receiver):
    await sent_message(store)
    receiver.answers = [500]
    clock = Clock(time.time())
    async with sender(store, clock=clock, random=lambda: 0.0) as s:
        await s.run_once()
    [row] = await rows(store)
    assert row["next_attempt_at"] - clock.t == 15     # half of the first 30 s


async def test_a_receiver_that_does_not_answer_in_time_is_retried(store, receiver):
    await sent_message(store)
    receiver.answers = ["hang"]
    clock = Clock(time.time())
    async with sender(store, clock=clock, timeout=0.2) as s:
        await s.run_once()
        [row] = await rows(store)
        assert row["status"] == "pending" and row["attempts"] == 1
        assert row["last_error"] == "no answer within 0.2 s"
        assert row["next_attempt_at"] == clock.t + 30
        clock.t = row["next_attempt_at"]
        await s.run_once()
    assert [r["status"] for r in await rows(store)] == ["delivered"]
    assert len(receiver.hits) == 2


async def test_a_refused_connection_is_retried(store, receiver):
    with socket.socket() as sock:                   # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    await sent_message(store, callback_url=f"http://127.0.0.1:{port}/hook")
    clock = Clock(time.time())
    async with sender(store, clock=clock) as s:
        await s.run_once()
    [row] = await rows(store)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert "ClientConnectorError" in row["last_error"]
    assert row["next_attempt_at"] == clock.t + 30


async def test_redirects_are_not_followed(store, receiver):
    await sent_message(store)
    receiver.answers = [307]
    async with sender(store) as s:
        await s.run_once()
    assert [h.path for h in receiver.hits] == ["/hook"]
    [row] = await rows(store)
    assert row["status"] == "pending" and row["last_error"] == "HTTP 307"


async def test_an_unusable_url_is_dead_lettered_at_once(store, receiver):
    await sent_message(store, callback_url="ftp://127.0.0.1/hook")
    async with sender(store) as s:
        await s.run_once()
    [row] = await rows(store, "dead")
    assert row["attempts"] == 1 and "unusable URL" in row["last_error"]


async def test_after_the_retry_period_a_delivery_is_dead_lettered(store, receiver):
    await sent_message(store)
    receiver.answers = [500] * 10
    [row] = await rows(store)
    deadline = row["created_at"] + 100
    clock = Clock(time.time())
    async with sender(store, clock=clock, retry_for=100) as s:
        while (row := (await rows(store))[0])["status"] == "pending":
            assert row["next_attempt_at"] <= deadline
            clock.t = max(clock.t, row["next_attempt_at"])
            assert await s.run_once() == 1
        assert await s.run_once() == 0
        assert await s.next_due_time() is None
    assert clock.t == deadline                      # the last attempt is made at the deadline
    [dead] = await rows(store, "dead")
    assert dead["id"] == row["id"] and dead["last_error"] == "HTTP 500"
    assert dead["attempts"] == len(receiver.hits) == 4   # at about +0, +30, +90, and +100 s
    assert await rows(store, "pending") == []


# -- order and concurrency ------------------------------------------------------------------------


async def test_a_messages_second_event_waits_until_the_first_succeeded(store, receiver):
    mid = await sent_message(store)
    await delivered(store, mid)
    receiver.answers = [500]
    clock = Clock(time.time())
    async with sender(store, clock=clock) as s:
        assert await s.run_once() == 1
        assert [h.event["event"] for h in receiver.hits] == ["message.sent"]
        first, second = await rows(store)
        assert (first["status"], second["status"]) == ("pending", "pending")
        # The second event is due by its own time but waits behind the first:
        assert second["next_attempt_at"] <= clock.t < first["next_attempt_at"]
        assert await s.next_due_time() == first["next_attempt_at"]
        assert await s.run_once() == 0
        clock.t = first["next_attempt_at"]
        assert await s.run_once() == 1
        assert await s.run_once() == 1
    assert [h.event["event"] for h in receiver.hits] == ["message.sent", "message.sent",
                                                         "message.delivered"]
    assert [r["status"] for r in await rows(store)] == ["delivered", "delivered"]


async def test_a_dead_event_no_longer_holds_back_the_next_one(store, receiver):
    mid = await sent_message(store)
    await delivered(store, mid)
    receiver.answers = [500]
    clock = Clock(time.time())
    async with sender(store, clock=clock, retry_for=0) as s:
        await s.run_once()
        await s.run_once()
    assert [r["status"] for r in await rows(store)] == ["dead", "delivered"]


async def test_different_messages_are_posted_concurrently(store, receiver):
    first = await sent_message(store)
    second = await sent_message(store)
    # The receiver holds its answer to the first until the second has arrived:
    # sent one after the other, the first would time out.
    receiver.gates[first] = gate = asyncio.Event()

    async def open_gate_when_both_arrived():
        await receiver.wait_for(2)
        gate.set()
    opener = asyncio.create_task(open_gate_when_both_arrived())
    async with sender(store, timeout=5) as s:
        assert await s.run_once() == 2
    await opener
    assert {h.event["id"] for h in receiver.hits} == {first, second}
    assert [r["status"] for r in await rows(store)] == ["delivered", "delivered"]


async def in_order(store: Store, *receivers: Receiver) -> None:
    """No event of a message reached a receiver before the message's earlier events
    were recorded as delivered (or dead)."""
    settled: dict[str, float] = {}      # delivery id -> when the one before it of its message settled
    by_message: dict[str, list[dict]] = {}
    for row in await rows(store):
        by_message.setdefault(row["message_id"], []).append(row)
    for events in by_message.values():
        for earlier, later in zip(events, events[1:]):
            assert earlier["status"] == "delivered"
            settled[str(later["id"])] = earlier["delivered_at"]
    hits = [h for r in receivers for h in r.hits]
    assert hits
    for hit in hits:
        assert hit.at >= settled.get(hit.headers[signing.EVENT_ID_HEADER], 0.0)


async def test_one_destinations_backlog_does_not_fill_a_read(store, receiver):
    far = "http://hanging.example:8080"
    for _ in range(60):
        await sent_message(store, callback_url=far + "/hook")
    near = outbox.destination(receiver.url())
    [first, second] = [await sent_message(store) for _ in range(2)]
    now = time.time()
    # Every destination's first before any one's second, then by due time:
    due = await store.webhooks_due(now, 3, per_destination=4)
    assert [r["destination"] for r in due] == [far, near, far]
    assert len(await store.webhooks_due(now, 50, per_destination=4)) == 4 + 2
    # A destination whose slots are all taken is left out; deliveries being sent too:
    due = await store.webhooks_due(now, 50, per_destination=4, full=[far],
                                   sending=[due[1]["id"]])
    assert [r["message_id"] for r in due] == [second]


@pytest.mark.parametrize("url, destination", [
    ("http://127.0.0.1:8080/hook", "http://127.0.0.1:8080"),
    ("HTTPS://Hooks.Example.COM/a/b?c=d#e", "https://hooks.example.com"),
    ("https://user:secret@hooks.example.com:8443/x", "https://hooks.example.com:8443"),
    ("http://[::1]:9000", "http://[::1]:9000"),
    ("http://h.example:99999/", "-"),                # no such port: an unusable URL
    ("ftp:nothing", "-"),
])
def test_a_destination_is_the_scheme_host_and_port(url, destination):
    assert outbox.destination(url) == destination


def test_migration_gives_pending_deliveries_their_destination(tmp_path):
    conn = sqlite3.connect(str(tmp_path / "old.db"), isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:5], start=1):   # a database made before version 6
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {number}")
    urls = ["http://Hooks.Example.com:8080/hook?order=1", "https://hooks.example.com", "http://[::1]:9/h"]
    for url in urls:
        conn.execute("INSERT INTO webhook_deliveries (event, url, body, status, next_attempt_at, "
                     "created_at) VALUES ('message.sent', ?, '{}', 'pending', 0, 0)", (url,))
    assert migrate(conn) == len(MIGRATIONS)
    # The same as new rows get, so that old and new share the destination's slots.
    assert [r[0] for r in conn.execute("SELECT destination FROM webhook_deliveries ORDER BY id")] == [
        outbox.destination(url) for url in urls]


async def test_a_hanging_destination_does_not_hold_up_the_others(store, receiver):
    async with serve() as hanging:
        hanging.answers = ["hang"] * 1000
        # Its deliveries are the oldest and more than the sender used to read at once.
        stuck = [await sent_message(store, callback_url=hanging.url()) for _ in range(60)]
        for mid in stuck:
            await delivered(store, mid)
        healthy = [await sent_message(store) for _ in range(5)]
        for mid in healthy:
            await delivered(store, mid)
        async with sender(store, clock=time.time, timeout=60, per_destination=4) as s:
            task = asyncio.create_task(s.run())
            await receiver.wait_for(10)
            await until_delivered(store, ids=healthy)
            # ...while the hanging receiver is still holding its first requests, and only
            # as many as its own slots:
            await hanging.wait_for(4)
            assert len(hanging.hits) == 4 and not hanging.release.is_set()
            assert all(r["attempts"] == 0 for r in await rows(store) if r["message_id"] in stuck)
            hanging.release.set()
            await until_delivered(store, timeout=20)
            await s.stop()
            assert task.done()
        await in_order(store, receiver, hanging)
    assert sorted(h.event["id"] for h in receiver.hits) == sorted(healthy * 2)
    assert sorted(h.event["id"] for h in hanging.hits) == sorted(stuck * 2)


async def test_stop_cuts_hanging_posts_short_and_leaves_them_pending(store, receiver):
    receiver.answers = ["hang"] * 10
    for _ in range(3):
        await sent_message(store)
    async with sender(store, clock=time.time, timeout=60) as s:
        task = asyncio.create_task(s.run())
        await receiver.wait_for(3)
        async with asyncio.timeout(5):
            await s.stop()
        assert task.done()
    assert [(r["status"], r["attempts"]) for r in await rows(store)] == [("pending", 0)] * 3


# -- running ----------------------------------------------------------------------------------------


async def until(predicate, timeout: float = 5.0) -> None:
    """Wait for a condition that another task brings about."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0)


async def until_delivered(store: Store, timeout: float = 5.0, ids: list[str] | None = None) -> None:
    """Wait until the sender has recorded every delivery (of the messages `ids`) as delivered."""
    async with asyncio.timeout(timeout):
        while any(r["status"] != "delivered" for r in await rows(store)
                  if ids is None or r["message_id"] in ids):
            await asyncio.sleep(0.01)


async def test_run_picks_up_a_new_delivery_when_notified(store, receiver):
    async with sender(store, clock=time.time, idle_wakeup=3600) as s:
        task = asyncio.create_task(s.run())
        await until(lambda: s.passes == 1)          # an empty pass: now it sleeps for an hour
        await sent_message(store)
        s.notify()
        await receiver.wait_for(1)
        await until_delivered(store)
        await s.stop()
        assert task.done()
        assert s.passes <= 3                        # woken by notify(), not by polling
    assert [r["status"] for r in await rows(store)] == ["delivered"]


async def test_run_wakes_by_itself_when_a_retry_is_due(store, receiver):
    await sent_message(store)
    receiver.answers = [500]
    async with sender(store, clock=time.time, idle_wakeup=3600, backoff=Backoff(first=0.05)) as s:
        task = asyncio.create_task(s.run())
        await receiver.wait_for(2)                  # no notify(): the retry time woke it
        await until_delivered(store)
        await s.stop()
        assert task.done()
        assert s.passes <= 5                        # it slept between the attempts
    [row] = await rows(store)
    assert row["status"] == "delivered" and row["attempts"] == 2


async def test_a_result_that_cannot_be_recorded_makes_run_back_off(store, receiver, monkeypatch):
    await sent_message(store)

    async def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(store, "webhook_result", broken)
    async with sender(store, idle_wakeup=123) as s:
        with pytest.raises(RuntimeError, match="not recorded"):
            await s.run_once()
        assert await s._pass() == 123               # not 0: the row is still due
    assert [r["status"] for r in await rows(store)] == ["pending"]


async def test_pending_deliveries_survive_a_restart(database, receiver):
    path = database
    store = Store(path, default_webhook_url=receiver.url())
    await store.open()
    mid = await sent_message(store)
    await delivered(store, mid)
    receiver.answers = [500]
    clock = Clock(time.time())
    async with sender(store, clock=clock) as s:
        await s.run_once()
    await store.close()

    store = Store(path, default_webhook_url=receiver.url())
    await store.open()
    try:
        [first, second] = await rows(store, "pending")
        clock.t = first["next_attempt_at"]
        async with sender(store, clock=clock) as s:
            await s.run_once()
            await s.run_once()
        assert [r["status"] for r in await rows(store)] == ["delivered", "delivered"]
    finally:
        await store.close()
    assert [(h.event["event"], h.headers[signing.ATTEMPT_HEADER]) for h in receiver.hits] == [
        ("message.sent", "1"), ("message.sent", "2"), ("message.delivered", "1")]


async def test_a_session_passed_in_is_used_and_left_open(store, receiver):
    await sent_message(store)
    async with aiohttp.ClientSession(headers={"X-Test": "mine"}) as session:
        async with sender(store, session=session) as s:
            await s.run_once()
        assert not session.closed
    assert receiver.hits[0].headers["X-Test"] == "mine"
    assert receiver.hits[0].headers["User-Agent"] == "modemgw-webhooks/1"


async def test_the_secret_never_appears_in_the_logs(store, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    key_id, _ = await store.create_key("shop")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    await sent_message(store, api_key_id=key_id)                          # 204
    await sent_message(store, api_key_id=key_id)                          # 500
    await sent_message(store, api_key_id=key_id, callback_url=closed)     # refused
    await sent_message(store, api_key_id=key_id, callback_url="ftp://x/") # unusable
    await store.store_inbound("modem0", "+447700900123", "hi", 1, True, None, [])
    receiver.answers = [204, 500]
    async with sender(store) as s:
        await s.run_once()
    assert len(receiver.hits) == 3
    assert "webhook=" in caplog.text                # the sender did log its outcomes
    for secret in (await store.webhook_secret(key_id), await store.ensure_default_secret()):
        assert secret and secret not in caplog.text
    for hit in receiver.hits:
        assert hit.headers[signing.SIGNATURE_HEADER].removeprefix("v1=") not in caplog.text
