"""The message core every edge calls: authentication, rate limits, checks, idempotency,
ownership and capacity live here once.

A message accepted by `send` is committed before it returns, whichever edge asked; the
edge only translates its request into a `Submission` and the result into its answer.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..dispatch import routing
from ..dispatch.compose import compose
from ..sms import ConcatReferences, PduError
from ..store.keys import derive
from ..store.protocol import CoreStore
from . import checks, ids
from .errors import Forbidden, Invalid, NoCapacity, NotFound, RateLimited, Unauthenticated
from .numbers import recipient
from .ratelimit import Decision, RateLimiter
from .records import Accepted, Rejected, Submission
from .tallies import Tallies


@dataclass(frozen=True, slots=True)
class Settings:
    default_region: str | None = None
    allow_short_codes: bool = False
    national_languages: tuple[str, ...] = ()
    policy: str = "at_most_once"            # [sending] delivery_policy
    pins: tuple[routing.Pin, ...] = ()      # [[route]]: messages bound to a modem, a SIM or a node


MAX_KEY_NAME = 100


def _no_capacity_limit() -> int | None:
    return None


class Core:
    def __init__(self, store: CoreStore, *, references: ConcatReferences, settings: Settings = Settings(),
                 limiter: RateLimiter | None = None, on_accepted: Callable[[], None] = lambda: None,
                 capacity: Callable[[], int | None] = _no_capacity_limit,
                 modems: Callable[[], list[dict]] = list, on_outbox: Callable[[], None] = lambda: None,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.references = references
        self.settings = settings
        self.limiter = limiter or RateLimiter(600)
        self.on_accepted = on_accepted
        self._capacity = capacity
        self._modems = modems
        self.on_outbox = on_outbox          # wakes the webhook sender
        self.clock = clock
        self.wall_clock = wall_clock
        # What the edges count for the operator (the alert receivers write, /metrics and the console read).
        self.tallies = Tallies(wall_clock)

    # -- who is asking ------------------------------------------------------------

    async def authenticate(self, token: str) -> dict:
        """The active API key for a Bearer token."""
        key = await self.store.key_for_token(token) if token else None
        if key is None:
            raise Unauthenticated("the API key is not valid or has been revoked")
        return key

    async def authenticate_credential(self, kind: str, ident: str, secret: str) -> dict:
        """The active key a derived credential belongs to (Twilio's account SID and auth
        token, SMSPM's hash and token, SMPP's system_id and password)."""
        key = await self.store.key_for_credential(kind, ident, secret) if ident and secret else None
        if key is None:
            raise Unauthenticated("the credentials are not valid or have been revoked")
        return key

    async def take(self, key: dict) -> Decision:
        """One request against the key's rate limit; RateLimited when it is used up."""
        decision = await self.limiter.admit(key["id"], self.clock())
        if not decision.allowed:
            raise RateLimited(f"more than {decision.limit} requests a minute with this key; "
                              f"retry in {decision.retry_after} s", decision.retry_after, decision)
        return decision

    # -- sending ------------------------------------------------------------------

    async def send(self, s: Submission, *, key: dict) -> Accepted:
        """Check, compose and commit one message per recipient. Raises Invalid (or, for a
        `partial` submission, reports bad numbers in `rejected`)."""
        now = self.wall_clock()
        numbers, rejected = self._recipients(s)
        # Checked and segmented once: compose encodes from this segmentation.
        segmentation = checks.segmented_text(s.text, s.name("text"), self.settings.national_languages,
                                             s.max_characters)
        text: str = s.text  # type: ignore[assignment]  # a str: segmented_text checked it
        sender = checks.sender(s.sender, s.name("sender"))
        callback = checks.url(s.callback_url, s.name("callback_url"))
        # Epoch seconds only where the edge's contract has them; a bool is an int in Python, not a time.
        if s.epoch_times and isinstance(s.scheduled_at, (int, float)) and not isinstance(s.scheduled_at, bool):
            scheduled = checks.schedule_time(float(s.scheduled_at), s.name("scheduled_at"), now)
        else:
            scheduled = checks.scheduled(s.scheduled_at, s.name("scheduled_at"), now)
        validity = checks.integer(s.validity, s.name("validity"), checks.MIN_VALIDITY, checks.MAX_VALIDITY)
        priority = checks.integer(s.priority, s.name("priority"), 0, checks.MAX_PRIORITY) or 0
        policy = (checks.policy(s.delivery_policy, s.name("delivery_policy"))
                  or key.get("delivery_policy") or self.settings.policy)
        own_via = await self._via(s)
        key_name = key.get("name")
        # Per recipient: the client's pin, else the first [[route]] that matches.
        vias = {to: own_via or routing.pinned(self.settings.pins, to, sender, key_name) for to in numbers}
        if not numbers:
            return Accepted((), rejected=rejected)
        start = scheduled if scheduled is not None and scheduled > now else None
        try:
            new = [compose(to, text, sender=sender, references=self.references, callback_url=callback,
                           scheduled_at=start, validity=validity, now=now, priority=priority,
                           policy=policy, national_languages=self.settings.national_languages,
                           dialect=s.dialect, segmentation=segmentation,
                           via=vias[to])
                   for to in numbers]
        except PduError as exc:
            raise Invalid(None, f"the message cannot be encoded: {exc}") from None
        if s.within_capacity:
            await self.require_credits(sum(len(m.parts) for m in new))
        if s.message_id is not None and ids.number(s.message_id, "msg") is None:
            raise ValueError(f"{s.message_id!r} is not a message id from ids.new_id")
        created = await self.store.create_messages(new, api_key_id=key["id"],
                                                   idempotency_key=s.idempotency_key, first_id=s.message_id)
        if created.replayed:
            asked = {"text": text, "sender": sender, "callback_url": callback, "validity": validity,
                     "priority": priority, "policy": policy, "scheduled_at": scheduled, "via": vias}
            if not _same_request(created.messages, numbers, asked):
                raise Invalid("Idempotency-Key", "this Idempotency-Key was already used with a "
                                                 "different request; use a new key for a new request")
        else:
            self.on_accepted()
        by_number = {row["to_number"]: row for row in created.messages}
        return Accepted(tuple(by_number[n] for n in numbers), created.replayed, rejected)

    async def _via(self, s: Submission) -> str | None:
        """The carrier the client pinned the message to, if any. A modem or a node must be
        one the gateway has (a typo would hold the message until its validity ends); a SIM
        may be one not yet inserted."""
        chosen = checks.via(s.via, s.name("via"))
        if chosen is None:
            return None
        kind, name = chosen
        if kind != "sim":
            nodes = await self.store.list_nodes()
            known = {n["name"] for n in nodes} if kind == "node" else \
                {m for n in nodes for m in n["modems"]} | {m["name"] for m in self._modems()}
            if name not in known:
                field = f"{s.name('via')}.{kind}"
                raise Invalid(field, f"{field}: no {kind} named {name!r} in this gateway "
                                     f"(GET /v1/{kind}s lists them)")
        return routing.via(kind, name)

    def _recipients(self, s: Submission) -> tuple[list[str], tuple[Rejected, ...]]:
        field = s.name("to")
        many = s.to_is_list or len(s.to) != 1
        if not 1 <= len(s.to) <= checks.MAX_RECIPIENTS:
            raise Invalid(field, f"{field} must hold 1 to {checks.MAX_RECIPIENTS} numbers, not {len(s.to)}")
        seen: dict[str, int] = {}
        rejected = []
        for i, item in enumerate(s.to):
            name = f"{field}[{i}]" if many else field
            try:
                number = recipient(item, name, self.settings.default_region,
                                   short_codes=self.settings.allow_short_codes, e164_shape=s.e164_shape)
                if number in seen:
                    # Refused, not merged, so that an answer's i-th item is always to[i].
                    raise Invalid(name, f"{name} is the same number as {field}[{seen[number]}] ({number})")
            except Invalid as exc:
                if not s.partial:
                    raise
                rejected.append(Rejected(i, item, exc))
                continue
            seen[number] = i
        return list(seen), tuple(rejected)

    def capacity(self) -> int | None:
        """Parts the modems may still send today under their daily caps (None: uncapped)."""
        return self._capacity()

    def require_capacity(self, parts: int = 1) -> int | None:
        left = self.capacity()
        if left is not None and left < parts:
            raise NoCapacity(f"the modems' daily caps allow {left} more part(s) today")
        return left

    async def credits(self) -> int | None:
        """What the daily caps still allow today once the parts waiting to be sent have
        gone (None: uncapped): a provider's "credits remaining". `capacity()` counts only
        what was sent, so two sends in a row would each be told there was room."""
        left = self.capacity()
        if left is None or left == 0:
            return left
        return left - await self.store.parts_waiting(self.wall_clock(), at_most=left)

    async def require_credits(self, parts: int = 1) -> int | None:
        left = await self.credits()
        if left is not None and left < parts:
            raise NoCapacity(f"the modems' daily caps allow {left} more part(s) today, "
                             f"counting those waiting to be sent")
        return left

    # -- reading ------------------------------------------------------------------

    async def get(self, message_id: str | int, *, key: dict) -> dict:
        """By id, or by `seqno` (an int) for edges whose ids are numbers."""
        row = await self.message(message_id)
        if row["api_key_id"] not in (None, key["id"]):
            raise Forbidden(f"message {message_id} was sent with another API key")
        return row

    async def cancel(self, message_id: str, *, key: dict) -> dict:
        row = await self.get(message_id, key=key)
        status = await self.store.cancel_message(row["id"])
        if status != "cancelled":
            raise Invalid(None, f"message {row['id']} is {status}: only a queued message none of "
                                f"whose parts has been handed to a modem can be cancelled")
        return await self.get(message_id, key=key)

    # -- the operator (the console) ---------------------------------------------------

    async def message(self, message_id: str | int) -> dict:
        """A message with its parts, whichever key sent it."""
        row = await self.store.get_message(message_id)
        if row is None:
            raise NotFound(f"no message {message_id}")
        return row

    def modems(self) -> list[dict]:
        """Each modem's state, signal, SIM and counters."""
        return self._modems()

    async def nodes(self) -> list[dict]:
        """The gateway nodes sharing the database (one, on SQLite): name, modems, the
        parts and webhook deliveries each holds, its last heartbeat, and whether it is
        alive (a heartbeat within its lease)."""
        return await self.store.list_nodes()

    async def key(self, key_id: int) -> dict:
        """An active key by id: id, name, delivery_policy (the console keeps only the id of
        the key it was opened with, and asks again at each request)."""
        row = await self.store.key_row(key_id)
        if row is None or row["revoked_at"] is not None:
            raise Unauthenticated("the API key is not valid or has been revoked")
        return {"id": row["id"], "name": row["name"], "delivery_policy": row["delivery_policy"]}

    async def keys(self) -> list[dict]:
        return await self.store.list_keys()

    async def create_key(self, name: object, *, delivery_policy: object = None) -> dict:
        """A new key and every credential derived from it: the only time they can be shown
        (only digests are kept)."""
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_KEY_NAME or not name.isprintable():
            raise Invalid("name", f"name must be 1 to {MAX_KEY_NAME} printable characters")
        policy = checks.policy(delivery_policy, "delivery_policy")
        key_id, token = await self.store.create_key(name.strip(), delivery_policy=policy)
        return {"id": key_id, "name": name.strip(), "key": token,
                "webhook_secret": await self.store.key_secret(key_id), **dataclasses.asdict(derive(token))}

    async def revoke_key(self, key_id: int) -> None:
        if not await self.store.revoke_key(key_id):
            raise NotFound(f"no active key {key_id}")

    async def retry_webhook(self, delivery_id: int) -> None:
        """A failing webhook delivery is sent again now (then backs off as before)."""
        if not await self.store.retry_webhook(delivery_id, self.wall_clock()):
            raise NotFound(f"no failing webhook delivery {delivery_id}")
        self.on_outbox()

    def number(self, value: object, field: str) -> str:
        """A number as a filter or a lookup: normalised as `send` would."""
        return recipient(value, field, self.settings.default_region,
                         short_codes=self.settings.allow_short_codes)


def _same_request(rows: list[dict], numbers: list[str], asked: dict) -> bool:
    """Do the messages an idempotency key replays come from this same request?"""
    if sorted(r["to_number"] for r in rows) != sorted(numbers):
        return False
    same = ("text", "sender", "callback_url", "validity", "priority", "policy")
    for r in rows:
        if any(r[name] != asked[name] for name in same):
            return False
        if r["via"] != asked["via"].get(r["to_number"]):
            return False
        # A time already past on the first request was stored as "now" (None).
        stored, wanted = r["scheduled_at"], asked["scheduled_at"]
        if stored != wanted and not (stored is None and wanted is not None and wanted <= r["created_at"]):
            return False
    return True
