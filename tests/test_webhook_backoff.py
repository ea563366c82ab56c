"""The webhook retry schedule (pure)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from modemgw.webhooks import Backoff

B = Backoff()  # 30 s doubling, capped at 1 h, for 48 h


def test_defaults_match_the_documented_schedule():
    assert (B.first, B.factor, B.maximum, B.retry_for) == (30.0, 2.0, 3600.0, 48 * 3600.0)
    assert [B.delay(n, lambda: 1.0) for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert [B.delay(n, lambda: 0.0) for n in range(1, 4)] == [15, 30, 60]


def test_jitter_comes_from_the_injected_random():
    draws = iter([0.0, 0.5, 1.0])
    assert [B.delay(3, lambda: next(draws)) for _ in range(3)] == [60.0, 90.0, 120.0]


@given(st.integers(min_value=1, max_value=10_000), st.floats(min_value=0, max_value=1),
       st.floats(min_value=0, max_value=1))
def test_delays_stay_within_half_and_all_of_the_capped_base_and_never_shrink(n, r1, r2):
    base = min(B.maximum, B.first * 2 ** min(n - 1, 64))
    this, following = B.delay(n, lambda: r1), B.delay(n + 1, lambda: r2)
    assert base / 2 <= this <= base
    assert following >= this or this > B.maximum / 2   # only once capped can a wait shrink
    assert this <= B.maximum


def test_retry_at_is_after_the_delay_until_the_deadline():
    created = 1000.0
    assert B.retry_at(created_at=created, failures=1, now=created, random=lambda: 1.0) == created + 30


def test_the_last_attempt_is_made_at_the_deadline_then_none():
    b = Backoff(retry_for=100)
    created = 1000.0
    assert b.retry_at(created_at=created, failures=5, now=created + 90, random=lambda: 1.0) == created + 100
    assert b.retry_at(created_at=created, failures=6, now=created + 100, random=lambda: 1.0) is None
    assert b.retry_at(created_at=created, failures=6, now=created + 500, random=lambda: 1.0) is None


def test_a_failing_receiver_is_tried_for_48_hours_then_given_up():
    rng = random.Random(7)
    created = now = 0.0
    failures = 0
    times = []
    while (at := B.retry_at(created_at=created, failures=failures + 1, now=now, random=rng.random)) is not None:
        failures += 1
        assert at > now
        times.append(at)
        now = at
    assert now == 48 * 3600                   # the final attempt falls on the deadline
    assert 47 <= failures <= 100              # roughly hourly once the cap is reached
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert max(gaps) <= 3600
