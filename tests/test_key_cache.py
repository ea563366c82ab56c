"""The API keys' cache: a key revoked by another process (as `modemgw keys revoke` does) is
refused on the very next request, a new key works at once, and on SQLite a request whose
key was seen reads no row while no key has changed."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from modemgw.store import Store
from modemgw.store import keycache
from modemgw.store.keys import derive
from test_api_harness import running_api

EXE = shutil.which("modemgw") or str(Path(sys.executable).parent / "modemgw")


async def test_a_key_revoked_by_another_store_is_refused_on_the_next_request(database):
    async with running_api(database) as api:
        for _ in range(3):                                  # seen, and cached where there is a cache
            assert (await api.call("GET", "/v1/modems")).status == 200
        other = Store(database)
        await other.open()
        try:
            new_id, new_key = await other.create_key("new")
            assert (await api.call("GET", "/v1/modems", key=new_key)).status == 200
            assert await other.revoke_key(api.key_id)
            assert (await api.call("GET", "/v1/modems")).status == 401
            assert (await api.call("GET", "/v1/modems", key=new_key)).status == 200
            assert await other.revoke_key(new_id)
            assert (await api.call("GET", "/v1/modems", key=new_key)).status == 401
        finally:
            await other.close()


async def test_a_credential_revoked_by_another_store_is_refused_at_once(database):
    first, second = Store(database), Store(database)
    await first.open()
    await second.open()
    try:
        token_id, token = await first.create_key("twilio")
        credentials = derive(token)               # what the key's holder derives from it
        sid, auth = credentials.twilio_account_sid, credentials.twilio_auth_token
        for _ in range(2):
            assert (await first.key_for_credential("twilio", sid, auth))["id"] == token_id
        assert await first.key_for_credential("twilio", sid, auth + "x") is None
        assert await second.revoke_key(token_id)
        assert await first.key_for_credential("twilio", sid, auth) is None
    finally:
        await first.close()
        await second.close()


async def test_a_key_revoked_with_the_command_line_is_refused_on_the_next_request(tmp_path):
    database = str(tmp_path / "gw.db")
    async with running_api(database) as api:
        assert (await api.call("GET", "/v1/modems")).status == 200
        revoke = await asyncio.create_subprocess_exec(EXE, "keys", "revoke", str(api.key_id), "--db", database,
                                                      stdout=subprocess.DEVNULL)
        assert await revoke.wait() == 0
        assert (await api.call("GET", "/v1/modems")).status == 401


async def test_a_seen_key_reads_no_row_until_a_key_changes(tmp_path):
    database = str(tmp_path / "gw.db")
    store, other = Store(database), Store(database)
    await store.open()
    await other.open()
    reads = []
    lookup = store._lookup

    async def counted(sql, params=()):
        reads.append(params)
        return await lookup(sql, params)
    store._lookup = counted
    try:
        _, token = await store.create_key("k")
        for _ in range(5):
            assert await store.key_for_token(token) is not None
        assert len(reads) == 1
        await other.create_key("another")                  # any change, by any process: read again
        assert await store.key_for_token(token) is not None
        assert len(reads) == 2
        assert await store.key_for_token("mgw_unknown") is None
        assert await store.key_for_token("mgw_unknown") is None
        assert len(reads) == 4                              # a key not found is not kept
        # The row handed out is a copy: changing it changes nothing the next lookup sees.
        (await store.key_for_token(token))["name"] = "changed"
        assert (await store.key_for_token(token))["name"] == "k"
    finally:
        await store.close()
        await other.close()


async def test_the_announcing_file_is_private_and_only_grows(tmp_path):
    database = str(tmp_path / "gw.db")
    old = os.umask(0o022)
    try:
        store = Store(database)
        await store.open()
        try:
            key_id, _ = await store.create_key("k")
            path = keycache.sidecar(database)
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            size = os.stat(path).st_size
            await store.revoke_key(key_id)
            assert os.stat(path).st_size == size + 1
        finally:
            await store.close()
    finally:
        os.umask(old)
    assert keycache.sidecar(":memory:") is None
    assert keycache.sidecar("postgresql://u@h/db") is None


def test_a_cached_row_is_read_again_after_max_age(tmp_path):
    now = [0.0]
    cache = keycache.KeyCache(str(tmp_path / "gw.db"), clock=lambda: now[0])
    assert not cache.valid()                                # no file yet: it is made, nothing kept
    assert cache.valid()
    cache.put("k", {"id": 1})
    assert cache.valid() and cache.get("k") == {"id": 1}
    now[0] += keycache.MAX_AGE + 0.1
    assert cache.valid() and cache.get("k") is None
    cache.put("k", {"id": 1})
    keycache.announce(str(tmp_path / "gw.db"))
    assert cache.valid() and cache.get("k") is None
