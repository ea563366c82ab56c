"""GET /v1/events: the event log after a cursor, for consumers catching up."""

from test_api_harness import running_api


async def test_events_after_cursor(database):
    async with running_api(database) as api:
        first = (await api.send({"to": "+15551230001", "text": "one"})).body["id"]
        await api.call("DELETE", f"/v1/messages/{first}")
        second = (await api.send({"to": "+15551230002", "text": "two"})).body["id"]
        page = (await api.call("GET", "/v1/events", params={"limit": "2"})).body
        assert [(e["type"], e["message_id"]) for e in page["data"]] == [
            ("message.queued", first), ("message.cancelled", first)]
        rest = (await api.call("GET", "/v1/events", params={"after": page["next_cursor"]})).body
        assert [(e["type"], e["message_id"]) for e in rest["data"]] == [("message.queued", second)]
        cursors = [int(e["cursor"]) for e in page["data"] + rest["data"]]
        assert cursors == sorted(cursors) and len(set(cursors)) == 3
        # Nothing new: the same cursor comes back.
        again = (await api.call("GET", "/v1/events", params={"after": rest["next_cursor"]})).body
        assert again == {"data": [], "next_cursor": rest["next_cursor"]}


async def test_events_of_other_keys_are_not_shown(database):
    async with running_api(database) as api:
        await api.send({"to": "+15551230001", "text": "mine"})
        _, other = await api.store.create_key("other")
        page = (await api.call("GET", "/v1/events", key=other)).body
        assert page["data"] == []


async def test_events_bad_cursor(database):
    async with running_api(database) as api:
        reply = await api.call("GET", "/v1/events", params={"after": "-1"})
        assert reply.status == 400 and reply.error["field"] == "after"
        reply = await api.call("GET", "/v1/events", params={"since": "1"})
        assert reply.status == 400 and reply.error["field"] == "since"
