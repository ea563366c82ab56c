"""API keys, rate limits, body limits, malformed requests, unknown routes, 500s and logs."""

from __future__ import annotations

import logging

import pytest

from modemgw.core.ratelimit import RateLimiter
from test_api_harness import running_api

AUTHENTICATED = [("POST", "/v1/messages"), ("GET", "/v1/messages"), ("POST", "/v1/messages/preview"),
                 ("GET", "/v1/messages/msg_00000000000000000000000000"),
                 ("DELETE", "/v1/messages/msg_00000000000000000000000000"),
                 ("GET", "/v1/inbound"), ("GET", "/v1/modems")]


@pytest.fixture
async def api(database):
    async with running_api(database) as a:
        yield a


# -- authentication ---------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", AUTHENTICATED)
async def test_every_endpoint_but_health_needs_a_key(api, method, path):
    revoked_id, revoked = await api.store.create_key("old")
    await api.store.revoke_key(revoked_id)
    for key, headers in ((None, {}), ("mgw_not-a-real-key", {}), (revoked, {}),
                         (None, {"Authorization": f"Basic {api.key}"}),
                         (None, {"Authorization": "Bearer"})):
        reply = await api.call(method, path, key=key, headers=headers, json_body={"text": "hi"})
        assert (reply.status, reply.error["code"]) == (401, "authentication_failed"), (key, headers)
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
        assert "X-RateLimit-Limit" not in reply.headers


async def test_a_key_stops_working_when_revoked(api):
    assert (await api.call("GET", "/v1/modems")).status == 200
    await api.store.revoke_key(api.key_id)
    assert (await api.call("GET", "/v1/modems")).status == 401


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/v1/openapi.json"])
async def test_health_and_the_document_are_public(api, path):
    api.modems.append({"name": "m1", "state": "ready"})
    assert (await api.call("GET", path, key=None)).status == 200


# -- rate limiting --------------------------------------------------------------------------------

def test_bucket_allows_a_burst_then_the_average_rate():
    limiter = RateLimiter(3, period=60)
    decisions = [limiter.take("k", 0.0) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[3].retry_after == 20          # one token per 20 s
    assert decisions[2].reset == 60
    assert not limiter.take("k", 19.9).allowed
    assert limiter.take("k", 20.0).allowed
    assert limiter.take("other", 20.0).remaining == 2


def test_bucket_never_holds_more_than_its_limit():
    limiter = RateLimiter(2, period=60)
    limiter.take("k", 0.0)
    assert limiter.take("k", 10_000.0).remaining == 1
    assert limiter.take("k", 10_000.0).reset == 60


def test_a_clock_stepping_back_refills_nothing():
    limiter = RateLimiter(1, period=60)
    assert limiter.take("k", 100.0).allowed
    assert not limiter.take("k", 50.0).allowed
    assert not limiter.take("k", 159.0).allowed     # refilling from 100, the latest time seen
    assert limiter.take("k", 160.0).allowed


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        RateLimiter(0)


async def test_rate_limit_per_key_with_headers_on_every_answer(database):
    async with running_api(database, rate_limit=2) as api:
        first = await api.call("GET", "/v1/modems")
        second = await api.call("GET", "/v1/messages/msg_00000000000000000000000000")   # a 404
        third = await api.call("GET", "/v1/modems")
        assert (first.status, second.status, third.status) == (200, 404, 429)
        assert [r.headers["X-RateLimit-Remaining"] for r in (first, second, third)] == ["1", "0", "0"]
        assert all(r.headers["X-RateLimit-Limit"] == "2" for r in (first, second, third))
        assert third.error["code"] == "rate_limit_exceeded" and third.headers["Retry-After"] == "30"
        _, other = await api.store.create_key("other")
        assert (await api.call("GET", "/v1/modems", key=other)).status == 200
        api.clock.now += 30
        assert (await api.call("GET", "/v1/modems")).status == 200


async def test_a_refused_request_is_not_carried_out(database):
    async with running_api(database, rate_limit=1) as api:
        assert (await api.send({"to": "+15551230001", "text": "one"})).status == 200
        assert (await api.send({"to": "+15551230002", "text": "two"})).status == 429
        api.clock.now += 60
        assert [m["to"] for m in (await api.call("GET", "/v1/messages")).body["data"]] == ["+15551230001"]


# -- bodies ---------------------------------------------------------------------------------------------

async def test_a_body_over_the_limit_is_refused(database):
    async with running_api(database, max_body=1024) as api:
        reply = await api.send({"to": "+15551230001", "text": "x" * 2000})
        assert (reply.status, reply.error["field"]) == (400, "body")

        async def chunks():                 # no Content-Length: the limit holds while reading
            for _ in range(4):
                yield b" " * 400
        reply = await api.call("POST", "/v1/messages", data=chunks())
        assert (reply.status, reply.error["field"]) == (400, "body")
        assert "1024" in reply.error["message"]
        assert (await api.send({"to": "+15551230001", "text": "x" * 900})).status == 200


@pytest.mark.parametrize("raw, field, words", [
    (b"", "body", "empty"),
    (b"{", "body", "not valid JSON"),
    (b"[1, 2]", "body", "JSON object"),
    (b'"text"', "body", "JSON object"),
    (b"\xff\xfe{}", "body", "UTF-8"),
    (b'{"to": "+15551230001", "text": NaN}', "body", "NaN"),
    (b'{"to": "+15551230001", "text": "a", "text": "b"}', "text", "twice"),
    (b"[" * 100_000, "body", "not valid JSON"),
])
async def test_malformed_bodies(api, raw, field, words):
    reply = await api.call("POST", "/v1/messages", data=raw, headers={"Content-Type": "application/json"})
    assert (reply.status, reply.error["field"]) == (400, field)
    assert words in reply.error["message"]


# -- routes, methods and failures -------------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "default"])
async def test_unknown_routes_are_not_found(api, key):
    reply = await api.call("GET", "/v2/messages", key=key)
    assert (reply.status, reply.error["code"]) == (404, "not_found")


async def test_an_undocumented_method_is_not_found_with_allow(api):
    reply = await api.call("PUT", "/v1/messages", json_body={})
    assert (reply.status, reply.error["code"]) == (404, "not_found")
    assert set(reply.headers["Allow"].split(", ")) == {"GET", "POST"}
    async with api.client.request("HEAD", "/v1/modems") as head:
        assert head.status == 404


async def test_an_unexpected_failure_is_a_500_without_details(api, monkeypatch, caplog):
    async def broken(_message_id):
        raise RuntimeError("database exploded at /var/lib/secret/path")
    monkeypatch.setattr(api.store, "get_message", broken)
    with caplog.at_level(logging.INFO, logger="modemgw.api"):
        reply = await api.call("GET", "/v1/messages/msg_00000000000000000000000000")
    assert (reply.status, reply.error["code"]) == (500, "server_error")
    assert "exploded" not in reply.error["message"] and "Traceback" not in reply.error["message"]
    assert reply.headers["X-Request-Id"] in reply.error["message"]
    failures = [r for r in caplog.records if r.exc_info]
    assert len(failures) == 1 and "exploded" in str(failures[0].exc_info[1])


# -- logs --------------------------------------------------------------------------------------------------

async def test_one_log_line_per_request_with_the_message_id_and_never_the_key(api, caplog):
    with caplog.at_level(logging.DEBUG):
        sent = await api.send({"to": "+15551230001", "text": "hi"})
        await api.call("GET", f"/v1/messages/{sent.body['id']}")
        await api.call("GET", "/v1/modems", key=api.key + "x")
    lines = [r.getMessage() for r in caplog.records if r.name == "modemgw.api"]
    assert len(lines) == 3
    assert f"message={sent.body['id']}" in lines[0] and "status=200" in lines[0]
    assert f"key={api.key_id}" in lines[0]
    assert f"message={sent.body['id']}" in lines[1]
    assert "status=401" in lines[2] and "key=-" in lines[2]
    with caplog.at_level(logging.INFO, logger="modemgw.api"):
        await api.call("GET", "/v1/messages/x%0Aforged=1", key=None)
    last = caplog.records[-1].getMessage()     # a decoded %0A would forge a second log line
    assert "path=/v1/messages/x%0Aforged=1 " in last and "\n" not in last
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert api.key not in everything and api.key[4:] not in everything
