"""Arbitrary bodies never make the API fail: 200 or a documented 400, nothing else."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from test_api_harness import running_api

FIELDS = ["to", "from", "text", "callback_url", "scheduled_at", "validity_period", "priority"]
NUMBERS = ["+14155550123", "+15551230001", "+447700900123", "07700900123", "+1 (415) 555-0124"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=40), st.sampled_from(NUMBERS),
                    st.sampled_from(["2030-01-31T09:00:00Z", "2000-01-01T00:00:00+02:00",
                                     "https://example.com/h", "", "\ud800"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
# Mostly known fields, so that requests get past the first check and into deeper ones.
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), values, max_size=7),
    st.fixed_dictionaries({"to": st.sampled_from(NUMBERS) | st.lists(st.sampled_from(NUMBERS[:3]),
                                                                     unique=True, max_size=3),
                           "text": st.text(min_size=1, max_size=400)},
                          optional={"validity_period": st.integers(250, 40_000_000) | values,
                                    "priority": st.integers(-1, 10),
                                    "scheduled_at": st.datetimes(timezones=st.timezones()).map(
                                        lambda d: d.isoformat()) | values,
                                    "from": st.sampled_from(["+15550000000", "sales"]) | values,
                                    "callback_url": values}),
    values,
)
RELAXED = settings(max_examples=150, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
async def api(database):
    async with running_api(database, rate_limit=1_000_000, default_region="GB") as a:
        yield a


@RELAXED
@given(body=bodies, idempotency=st.none() | st.sampled_from(["a", "b"]))
async def test_any_json_body_gets_200_or_a_documented_400(api, body, idempotency):
    headers = {"Idempotency-Key": idempotency} if idempotency else {}
    raw = json.dumps(body).encode()
    reply = await api.call("POST", "/v1/messages", data=raw, headers=headers)   # schema-checked
    assert reply.status in (200, 400), reply.body
    # --hypothesis-show-statistics: how many got through, and what stopped the others.
    event(f"{reply.status} {reply.error.get('field')}" if reply.status == 400 else str(reply.status))
    if reply.status == 400:
        assert reply.error["code"] == "invalid_request" and reply.error["message"]


@RELAXED
@given(raw=st.binary(max_size=300))
async def test_any_bytes_get_a_documented_answer(api, raw):
    for path in ("/v1/messages", "/v1/messages/preview"):
        reply = await api.call("POST", path, data=raw)
        assert reply.status in (200, 400), reply.body


@RELAXED
@given(body=values)
async def test_any_preview_body_gets_200_or_a_documented_400(api, body):
    reply = await api.call("POST", "/v1/messages/preview", data=json.dumps(body).encode())
    assert reply.status in (200, 400), reply.body
