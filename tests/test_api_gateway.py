"""/healthz, /readyz, /v1/modems and /v1/inbound."""

from __future__ import annotations

import pytest

import peek
from test_api_harness import running_api


@pytest.fixture
async def api(database):
    async with running_api(database) as a:
        yield a


async def test_healthz_answers_while_the_process_runs(api):
    reply = await api.call("GET", "/healthz", key=None)
    assert (reply.status, reply.body) == (200, {"status": "ok"})


async def test_readyz_needs_a_ready_modem(api):
    not_ready = await api.call("GET", "/readyz", key=None)
    assert (not_ready.status, not_ready.error["code"]) == (503, "server_error")
    assert not_ready.body["checks"] == {"database": True, "modems_ready": 0}
    api.modems.append({"name": "m1", "state": "recovering"})
    assert (await api.call("GET", "/readyz", key=None)).status == 503
    api.modems.append({"name": "m2", "state": "ready"})
    ready = await api.call("GET", "/readyz", key=None)
    assert (ready.status, ready.body["checks"]) == (200, {"database": True, "modems_ready": 1})


async def test_readyz_needs_the_database(api, monkeypatch):
    api.modems.append({"name": "m1", "state": "ready"})

    async def down() -> bool:
        return False
    monkeypatch.setattr(api.store, "check", down)
    reply = await api.call("GET", "/readyz", key=None)
    assert reply.status == 503 and "database" in reply.error["message"]
    assert reply.body["checks"]["database"] is False


async def test_modems_lists_what_the_dispatcher_reports(api):
    api.modems.extend([{"name": "m1", "state": "ready", "signal_dbm": -71},
                       {"name": "m2", "state": "failed", "error": "no SIM"}])
    reply = await api.call("GET", "/v1/modems")
    assert reply.body == {"data": api.modems}


async def _receive(api, n: int) -> list[str]:
    ids = []
    for i in range(n):
        ids.append(await api.store.store_inbound("m1", f"+1555000{i:04d}", f"text {i}", 1, True, None, []))
    return ids


async def test_inbound_pages_newest_first(api):
    ids = await _receive(api, 3)
    page = (await api.call("GET", "/v1/inbound", params={"limit": "2"})).body
    rest = (await api.call("GET", "/v1/inbound", params={"limit": "2", "cursor": page["next_cursor"]})).body
    # Ids are time-ordered to the millisecond: "newest first" is descending id order.
    assert [m["id"] for m in page["data"] + rest["data"]] == sorted(ids, reverse=True)
    assert rest["next_cursor"] is None
    second = next(m for m in page["data"] + rest["data"] if m["id"] == ids[1])
    assert (second["direction"], second["from"], second["text"], second["modem"], second["complete"]) == \
        ("inbound", "+15550000001", "text 1", "m1", True)


async def test_inbound_since(api):
    ids = await _receive(api, 2)
    with peek.connect(api.db) as conn:
        conn.execute("UPDATE inbound SET received_at = 1900000000 WHERE id = ?", (ids[0],))
        conn.execute("UPDATE inbound SET received_at = 1900000100 WHERE id = ?", (ids[1],))
    reply = await api.call("GET", "/v1/inbound", params={"received_since": "2030-03-17T17:47:00Z"})
    assert [m["id"] for m in reply.body["data"]] == [ids[1]]


async def test_inbound_is_shared_by_all_keys(api):
    ids = await _receive(api, 1)
    _, other = await api.store.create_key("other")
    assert [m["id"] for m in (await api.call("GET", "/v1/inbound", key=other)).body["data"]] == ids


@pytest.mark.parametrize("params, field", [({"limit": "-1"}, "limit"), ({"since": "x"}, "since"),
                                           ({"received_since": "x"}, "received_since"),
                                           ({"cursor": "abc"}, "cursor")])
async def test_inbound_parameters(api, params, field):
    reply = await api.call("GET", "/v1/inbound", params=params)
    assert (reply.status, reply.error["field"]) == (400, field)


async def test_a_messages_cursor_is_not_an_inbound_cursor(api):
    for i in range(3):
        await api.send({"to": f"+1555123000{i}", "text": "hi"})
    cursor = (await api.call("GET", "/v1/messages", params={"limit": "1"})).body["next_cursor"]
    reply = await api.call("GET", "/v1/inbound", params={"cursor": cursor})
    assert (reply.status, reply.error["field"]) == (400, "cursor")
