"""The message core every edge calls: authentication, rate limits, checks, idempotency,
ownership and capacity live here once.

A message accepted by `send` is committed before it returns, whichever edge asked; the
edge only translates its request into a `Submission` and the result into its answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..dispatch.compose import compose
from ..sms import ConcatReferences, PduError
from ..store import Store
from . import checks
from .errors import Forbidden, Invalid, NoCapacity, NotFound, RateLimited, Unauthenticated
from .numbers import recipient
from .ratelimit import Decision, RateLimiter
from .records import Accepted, Rejected, Submission


@dataclass(frozen=True, slots=True)
class Settings:
    default_region: str | None = None
    allow_short_codes: bool = False
    national_languages: tuple[str, ...] = ()
    policy: str = "at_most_once"            # [sending] delivery_policy


def _no_capacity_limit() -> int | None:
    return None


class Core:
    def __init__(self, store: Store, *, references: ConcatReferences, settings: Settings = Settings(),
                 limiter: RateLimiter | None = None, on_accepted: Callable[[], None] = lambda: None,
                 capacity: Callable[[], int | None] = _no_capacity_limit,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.references = references
        self.settings = settings
        self.limiter = limiter or RateLimiter(600)
        self.on_accepted = on_accepted
        self._capacity = capacity
        self.clock = clock
        self.wall_clock = wall_clock

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

    def take(self, key: dict) -> Decision:
        """One request against the key's rate limit; RateLimited when it is used up."""
        decision = self.limiter.take(key["id"], self.clock())
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
        text = checks.text(s.text, s.name("text"), self.settings.national_languages, s.max_characters)
        sender = checks.sender(s.sender, s.name("sender"))
        callback = checks.url(s.callback_url, s.name("callback_url"))
        # Epoch seconds; a bool is an int in Python, not a time.
        if isinstance(s.scheduled_at, (int, float)) and not isinstance(s.scheduled_at, bool):
            scheduled = checks.schedule_time(float(s.scheduled_at), s.name("scheduled_at"), now)
        else:
            scheduled = checks.scheduled(s.scheduled_at, s.name("scheduled_at"), now)
        validity = checks.integer(s.validity, s.name("validity"), checks.MIN_VALIDITY, checks.MAX_VALIDITY)
        priority = checks.integer(s.priority, s.name("priority"), 0, checks.MAX_PRIORITY) or 0
        policy = (checks.policy(s.delivery_policy, s.name("delivery_policy"))
                  or key.get("delivery_policy") or self.settings.policy)
        if not numbers:
            return Accepted((), rejected=rejected)
        start = scheduled if scheduled is not None and scheduled > now else None
        try:
            new = [compose(to, text, sender=sender, references=self.references, callback_url=callback,
                           scheduled_at=start, validity=validity, now=now, priority=priority,
                           policy=policy, national_languages=self.settings.national_languages,
                           dialect=s.dialect)
                   for to in numbers]
        except PduError as exc:
            raise Invalid(None, f"the message cannot be encoded: {exc}") from None
        if s.within_capacity:
            await self.require_credits(sum(len(m.parts) for m in new))
        created = await self.store.create_messages(new, api_key_id=key["id"],
                                                   idempotency_key=s.idempotency_key)
        if created.replayed:
            asked = {"text": text, "sender": sender, "callback_url": callback, "validity": validity,
                     "priority": priority, "policy": policy, "scheduled_at": scheduled}
            if not _same_request(created.messages, numbers, asked):
                raise Invalid("Idempotency-Key", "this Idempotency-Key was already used with a "
                                                 "different request; use a new key for a new request")
        else:
            self.on_accepted()
        by_number = {row["to_number"]: row for row in created.messages}
        return Accepted(tuple(by_number[n] for n in numbers), created.replayed, rejected)

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
        row = await self.store.get_message(message_id)
        if row is None:
            raise NotFound(f"no message {message_id}")
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

    def number(self, value: object, field: str) -> str:
        """A number as a filter or a lookup: normalised as `send` would."""
        return recipient(value, field, self.settings.default_region,
                         short_codes=self.settings.allow_short_codes)


def _same_request(rows: list[dict], numbers: list[str], asked: dict) -> bool:
    """Do the messages an idempotency key replays come from this same request?"""
    if sorted(r["to_number"] for r in rows) != sorted(numbers):
        return False
    for r in rows:
        if (r["text"], r["sender"], r["callback_url"], r["validity"], r["priority"]) != \
                (asked["text"], asked["sender"], asked["callback_url"], asked["validity"], asked["priority"]):
            return False
        if r["policy"] != asked["policy"]:
            return False
        # A time already past on the first request was stored as "now" (None).
        stored, wanted = r["scheduled_at"], asked["scheduled_at"]
        if stored != wanted and not (stored is None and wanted is not None and wanted <= r["created_at"]):
            return False
    return True
