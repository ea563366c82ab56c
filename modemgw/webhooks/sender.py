"""Delivering the store's webhook outbox: signed POSTs, retried with backoff.

Delivery is at least once: a row leaves 'pending' only after the receiver
answered 2xx and that result is committed, so a crash in between sends the
event again (with the same event id). The store hands out only the oldest
pending delivery of each message, and a delivery stays pending while it is
being sent, so one message's events arrive in order.

Receivers do not wait on each other. Each destination (scheme://host[:port]
of the URL) has at most `per_destination` POSTs under way, and all together
at most `max_in_flight`; a receiver that hangs holds only its own slots until
each POST's timeout. A POST that ends frees its slot for the next due
delivery at once, not at the end of a round, and the store hands out at most
a destination's share, every destination's first before any one's second,
so no backlog, however long, fills a read.

Redirects are not followed: the signed body goes only to the configured URL,
and a 3xx counts as a failure (the receiver's URL should be corrected).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random as _random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import aiohttp

from ..store.errors import StoreUnavailable
from ..store.protocol import OutboxStore
from .formats import NATIVE, Delivery, Outgoing, WebhookFormat
from .backoff import Backoff

log = logging.getLogger(__name__)

SessionFactory = Callable[[], aiohttp.ClientSession]
USER_AGENT = "modemgw-webhooks/1"
# The URL itself is unusable: retrying cannot help.
_BAD_URL = (aiohttp.InvalidURL, getattr(aiohttp, "NonHttpUrlClientError", aiohttp.InvalidURL))


class WebhookSender:
    def __init__(self, store: OutboxStore, *, session: aiohttp.ClientSession | SessionFactory | None = None,
                 timeout: float = 10.0, retry_for: float = 48 * 3600.0, backoff: Backoff | None = None,
                 clock: Callable[[], float] = time.time,
                 random: Callable[[], float] = _random.random,
                 max_in_flight: int = 50, per_destination: int = 4, idle_wakeup: float = 60.0,
                 formats: dict[str, WebhookFormat] | None = None) -> None:
        self.store = store
        # dialect -> its format (the enabled dialects'; the native one is always there)
        self.formats: dict[str, WebhookFormat] = {"native": NATIVE, **(formats or {})}
        self.timeout = timeout
        # `retry_for` is the authority on the retry period; `backoff` gives only the shape.
        self.backoff = replace(backoff or Backoff(), retry_for=retry_for)
        self.clock = clock
        self.random = random
        # Under aiohttp's default connection pool (100): a POST's timeout counts its wait
        # for a connection, and one receiver's hanging POSTs must not make others wait.
        self.max_in_flight = max_in_flight
        self.per_destination = per_destination
        self.idle_wakeup = idle_wakeup     # a bound on sleeping, should a notify() be missed
        self.passes = 0                    # passes made by run() (observable in tests)
        self._session_arg = session
        self._session: aiohttp.ClientSession | None = None
        self._owns_session = False
        self._wake = asyncio.Event()
        self._seen_written = -1            # store.webhooks_written at the last pass
        self._task: asyncio.Task | None = None
        self._sending: dict[int, asyncio.Task] = {}    # delivery id -> its POST and result
        self._busy: Counter[str] = Counter()           # destination -> deliveries being sent
        self._unrecorded = False           # a result could not be written: its row is still due

    # -- lifecycle -------------------------------------------------------------

    def notify(self) -> None:
        """Something was committed: if it wrote a delivery, look at the outbox now rather
        than at the next due time (most changes, a part sent or a report on a message
        without a callback, write none, and cost no query)."""
        if self.store.webhooks_written != self._seen_written:
            self._wake.set()

    async def run(self) -> None:
        self._task = asyncio.current_task()
        try:
            while True:
                self._wake.clear()
                self._seen_written = self.store.webhooks_written
                delay = await self._pass()
                self.passes += 1
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await _wait_event(self._wake, delay)
        finally:
            await self._cancel()
            self._task = None

    async def _pass(self) -> float:
        """Start what is due and may start; how long to sleep after it (a POST that ends,
        or a notify(), wakes the sender sooner)."""
        try:
            if self._unrecorded:
                # Back off rather than post that row again at once.
                self._unrecorded = False
                return self.idle_wakeup
            now = self.clock()
            await self._start_due(now)
            nxt = await self.store.next_webhook_time(after=now)
            if nxt is None:
                return self.idle_wakeup
            return min(self.idle_wakeup, max(nxt - self.clock(), 0.0))
        except StoreUnavailable as exc:
            log.warning("webhook pass: database unreachable (%s); trying again", exc)
            return min(self.idle_wakeup, 5.0)
        except Exception:
            log.exception("webhook pass failed; trying again")
            return self.idle_wakeup

    async def stop(self) -> None:
        """Stop run(); a POST cut short stays pending and is sent again later."""
        task = self._task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._cancel()
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    async def _cancel(self) -> None:
        tasks = list(self._sending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- starting deliveries ---------------------------------------------------

    async def run_once(self) -> int:
        """Start every delivery due now that has a free slot, and wait for their results;
        the number started."""
        started = await self._start_due(self.clock())
        results = await asyncio.gather(*started, return_exceptions=True)
        failed = sum(isinstance(r, Exception) for r in results)
        if failed:
            raise RuntimeError(f"{failed} webhook result(s) not recorded")
        return len(started)

    async def next_due_time(self) -> float | None:
        """When the earliest delivery that may be sent becomes due (one waiting behind an
        earlier event of its message does not count)."""
        return await self.store.next_webhook_time()

    async def _start_due(self, now: float) -> list[asyncio.Task]:
        free = self.max_in_flight - len(self._sending)
        if free <= 0:
            return []
        full = [d for d, n in self._busy.items() if n >= self.per_destination]
        rows = await self.store.webhooks_due(now, free, per_destination=self.per_destination,
                                             sending=self._sending, full=full)
        # A destination with some slots taken gets as many rows as it has slots: only the
        # first of them start now.
        return [self._start(row) for row in rows
                if len(self._sending) < self.max_in_flight
                and self._busy[row["destination"]] < self.per_destination]

    def _start(self, row: dict) -> asyncio.Task:
        task = asyncio.create_task(self._deliver(self._client(), row), name=f"webhook-{row['id']}")
        self._sending[row["id"]] = task
        self._busy[row["destination"]] += 1
        task.add_done_callback(functools.partial(self._finished, row))
        return task

    def _finished(self, row: dict, task: asyncio.Task) -> None:
        # Only now, with its result committed, may the delivery's row be read again.
        del self._sending[row["id"]]
        self._busy[row["destination"]] -= 1
        if not self._busy[row["destination"]]:
            del self._busy[row["destination"]]
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook=%s result not recorded: %s", row["id"], task.exception())
            self._unrecorded = True
        self._wake.set()        # a slot is free, and the message's next event may be due

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            arg = self._session_arg
            if isinstance(arg, aiohttp.ClientSession):
                self._session = arg
            else:
                self._session = arg() if arg is not None else aiohttp.ClientSession()
                self._owns_session = True
        return self._session

    async def _default_secret(self) -> str:
        """The secret for deliveries with no API key (inbound messages), created once."""
        secret = await self.store.webhook_secret(None)
        return secret if secret is not None else await self.store.ensure_default_secret()

    async def _deliver(self, session: aiohttp.ClientSession, row: dict) -> None:
        attempt = row["attempts"] + 1
        subject = f"webhook={row['id']} event={row['event']} message={row['message_id'] or '-'}"
        if row["api_key_id"] is None:
            key, secret = None, await self._default_secret()
        else:       # the key's row carries its secret
            key = await self.store.key_row(row["api_key_id"])
            secret = key["webhook_secret"] if key is not None else None
        if secret is None:
            error = f"no webhook secret for API key {row['api_key_id']}"
            log.warning("%s dead: %s", subject, error)
            await self.store.webhook_result(row["id"], ok=False, error=error, retry_at=None)
            return
        dialect = row.get("dialect") or "native"
        outgoing = self.formats.get(dialect, NATIVE).render(Delivery(
            row["id"], row["event"], row["url"], row["body"], attempt, int(self.clock()), key, secret))
        if outgoing is None:
            # This dialect's clients are not told of this event (e.g. a status it has no name for).
            log.info("%s not sent: %s webhooks have no such event", subject, dialect)
            await self.store.webhook_result(row["id"], ok=True, error=None, retry_at=None)
            return
        error, retryable = await self._post(session, row, outgoing)
        if error is None:
            log.info("%s delivered attempt=%d", subject, attempt)
            await self.store.webhook_result(row["id"], ok=True, error=None, retry_at=None)
            return
        now = self.clock()
        retry_at = self.backoff.retry_at(created_at=row["created_at"], failures=attempt, now=now,
                                         random=self.random) if retryable else None
        if retry_at is None:
            log.warning("%s dead attempt=%d error=%r", subject, attempt, error)
        else:
            log.info("%s failed attempt=%d error=%r retry_in=%.0fs", subject, attempt, error,
                     retry_at - now)
        await self.store.webhook_result(row["id"], ok=False, error=error, retry_at=retry_at)

    async def _post(self, session: aiohttp.ClientSession, row: dict,
                    outgoing: Outgoing) -> tuple[str | None, bool]:
        """(None, _) on a 2xx answer, otherwise (what went wrong, whether retrying may help)."""
        headers = {**outgoing.headers, "User-Agent": USER_AGENT}
        try:
            async with session.post(row["url"], data=outgoing.body, headers=headers, allow_redirects=False,
                                    timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                if 200 <= response.status < 300:
                    return None, False
                return f"HTTP {response.status}", True
        except TimeoutError:
            return f"no answer within {self.timeout:g} s", True
        except _BAD_URL as exc:
            return f"unusable URL: {exc}", False
        except Exception as exc:  # connection refused, reset, TLS, DNS...: the receiver may recover
            return f"{type(exc).__name__}: {exc}", True


async def _wait_event(event: asyncio.Event, timeout: float) -> None:
    """asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
    cancellation that arrives just as the event is set, and stop() would hang."""
    async with asyncio.timeout(timeout):
        await event.wait()
