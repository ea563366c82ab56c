"""Numbers longer than Python converts (4,300 digits, CVE-2020-10735) in every numeric
query parameter and body field: a 400 naming the field, never a 500."""

from __future__ import annotations

import pytest

from test_api_harness import running_api

HUGE = "9" * 5000


@pytest.mark.parametrize("path, name, value", [
    ("/v1/messages", "limit", HUGE),
    ("/v1/inbound", "limit", HUGE),
    ("/v1/events", "limit", HUGE),
    ("/v1/events", "after", HUGE),
    ("/v1/messages", "cursor", HUGE),
    ("/v1/inbound", "cursor", HUGE),
    ("/v1/messages", "created_since", HUGE),
    ("/v1/messages", "created_until", HUGE),
    ("/v1/inbound", "received_since", HUGE),
    ("/v1/messages", "to", HUGE),
])
async def test_a_huge_number_in_the_query_names_the_parameter(database, path, name, value):
    async with running_api(database) as api:
        reply = await api.call("GET", path, params={name: value})
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == name


@pytest.mark.parametrize("path, params", [
    ("/v1/messages", {"limit": "0" * 5000 + "1"}),     # int() counts leading zeros too
    ("/v1/inbound", {"limit": "0" * 5000 + "1"}),
    ("/v1/events", {"after": "0" * 5000}),
])
async def test_leading_zeros_read_as_the_number(database, path, params):
    async with running_api(database) as api:
        reply = await api.call("GET", path, params=params)
    assert reply.status == 200, reply.body
    assert reply.body["data"] == []


@pytest.mark.parametrize("path, body, name", [
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "validity_period": {HUGE}}}', "validity_period"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "priority": {HUGE}}}', "priority"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "priority": -{HUGE}}}', "priority"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "priority": {HUGE}.0}}', "priority"),
    ("/v1/messages", f'{{"to": {HUGE}, "text": "hi"}}', "to"),
    ("/v1/messages", f'{{"to": [{HUGE}], "text": "hi"}}', "to[0]"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": {HUGE}}}', "text"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "from": {HUGE}}}', "from"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "callback_url": {HUGE}}}', "callback_url"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "scheduled_at": {HUGE}}}', "scheduled_at"),
    ("/v1/messages", f'{{"to": "+14155550123", "text": "hi", "extra": {HUGE}}}', "extra"),
    ("/v1/messages/preview", f'{{"text": {HUGE}}}', "text"),
])
async def test_a_huge_number_in_the_body_names_the_field(database, path, body, name):
    async with running_api(database) as api:
        reply = await api.call("POST", path, data=body.encode(), headers={"Content-Type": "application/json"})
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == name
    assert HUGE[:100] not in reply.body["error"]["message"]
