"""API keys, the credentials derived from them, their webhook subscriptions, settings.

Guarantees: a key is shown once and only its digest is stored (with the derived
credentials: digests, but for the Twilio auth token, which signs); a lookup returns
only an active key, its secret compared in constant time, and sees a key revoked by
another process at once: on SQLite the rows are cached in the process and every key
change announces itself after its commit (`keycache`); on PostgreSQL each lookup reads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from . import keycache
from . import keys as keyring
from .base import StoreBase, clock

# kind -> (the column naming the key, the column holding the secret, kept in plain?)
CREDENTIALS = {"twilio": ("twilio_account_sid", "twilio_auth_token", True),
               "smspm": ("smspm_hash", "smspm_token_digest", False),
               "smpp": ("smpp_system_id", "smpp_password_digest", False)}
_DEFAULT_SECRET = "SELECT value FROM settings WHERE key = 'webhook_secret'"


class KeyRecords(StoreBase):
    _key_cache: keycache.KeyCache | None = None

    async def create_key(self, name: str, *, delivery_policy: str | None = None) -> tuple[int, str]:
        """(id, key). The key is shown once; only its hash is stored, with the credentials
        derived from it (`keys.derive`: digests, but for the Twilio auth token, which signs).
        `delivery_policy`: the default for this key's messages (None: the gateway's)."""
        token = keyring.new_key()
        c = keyring.derive(token)

        def fn(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO api_keys (name, prefix, hash, webhook_secret, delivery_policy, created_at, "
                "twilio_account_sid, twilio_auth_token, smspm_hash, smspm_token_digest, smpp_system_id, "
                "smpp_password_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (name, keyring.prefix(token), keyring.digest(token), keyring.new_secret(),
                 delivery_policy, clock(), c.twilio_account_sid, c.twilio_auth_token, c.smspm_hash,
                 keyring.digest(c.smspm_token), c.smpp_system_id, keyring.digest(c.smpp_password)))
            return int(cur.fetchall()[0][0])
        key_id = await self.writer.write(fn)
        keycache.announce(self.path)
        return key_id, token

    async def key_secret(self, key_id: int) -> str | None:
        """The secret that signs webhooks of this key's messages (not the API key)."""
        return await self.webhook_secret(key_id)

    async def revoke_key(self, key_id: int) -> bool:
        def fn(conn: sqlite3.Connection) -> bool:
            cur = conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               (clock(), key_id))
            return cur.rowcount == 1
        revoked = await self.writer.write(fn)
        keycache.announce(self.path)      # committed: every process's next lookup reads again
        return revoked

    async def list_keys(self) -> list[dict]:
        return await self._fetchall(
            "SELECT id, name, prefix, delivery_policy, created_at, revoked_at FROM api_keys ORDER BY id")

    async def key_for_token(self, token: str) -> dict | None:
        """The active key whose hash matches (compared in constant time).

        Every request asks this, so it reads on a connection of the event
        loop's own: an indexed lookup in a WAL database takes microseconds,
        far less than handing it to a thread; on SQLite the row is cached until
        any process changes a key (`keycache`), so a key revoked by `modemgw
        keys revoke` (another process) is refused at once.
        """
        digest = keyring.digest(token)
        row = await self._key_lookup(
            "SELECT id, name, hash, webhook_secret, delivery_policy FROM api_keys "
            "WHERE hash = ? AND revoked_at IS NULL", (digest,))
        if row is None or not keyring.same(row["hash"], digest):
            return None
        return row

    async def key_for_credential(self, kind: str, ident: str, secret: str) -> dict | None:
        """The active key a derived credential names, its secret compared in constant time:
        kind "twilio" (account SID, auth token), "smspm" (hash, token), "smpp" (system_id,
        password)."""
        column, stored, plain = CREDENTIALS[kind]
        # On the event loop's own connection and cached, as key_for_token: asked on every request.
        row = await self._key_lookup(
            f"SELECT id, name, webhook_secret, delivery_policy, twilio_account_sid, twilio_auth_token, "
            f"{stored} AS stored FROM api_keys WHERE {column} = ? AND revoked_at IS NULL", (ident,))
        if row is None or row["stored"] is None:
            return None
        if not keyring.same(row.pop("stored"), secret if plain else keyring.digest(secret)):
            return None
        return row

    async def _key_lookup(self, sql: str, params: tuple) -> dict | None:
        """`_lookup`, through the process's cache of key rows where the database has one."""
        cache = self._key_cache
        if cache is None:
            cache = self._key_cache = keycache.KeyCache(self.path)
        if not cache.valid():
            return await self._lookup(sql, params)
        row = cache.get((sql, params))
        if row is None:
            row = await self._lookup(sql, params)
            if row is not None:
                cache.put((sql, params), row)
        return row

    async def key_row(self, key_id: int) -> dict | None:
        """A key's row with the secrets webhooks are signed with (never its own digest)."""
        return await self._fetchone(
            "SELECT id, name, webhook_secret, twilio_account_sid, twilio_auth_token, revoked_at, "
            "delivery_policy FROM api_keys WHERE id = ?", (key_id,))

    async def subscribe(self, key_id: int, dialect: str, url: str, events: Sequence[str]) -> dict:
        """A webhook subscription of a key, for the events of its messages sent through `dialect`."""
        def fn(conn: sqlite3.Connection) -> dict:
            now = clock()
            cur = conn.execute("INSERT INTO webhook_subscriptions (api_key_id, dialect, url, events, "
                               "created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                               (key_id, dialect, url, json.dumps(list(events)), now))
            return {"id": int(cur.fetchall()[0][0]), "url": url, "events": list(events), "created_at": now}
        return await self.writer.write(fn)

    async def subscriptions(self, key_id: int, dialect: str) -> list[dict]:
        rows = await self._fetchall("SELECT id, url, events, created_at FROM webhook_subscriptions "
                                    "WHERE api_key_id = ? AND dialect = ? ORDER BY id", (key_id, dialect))
        return [{**r, "events": json.loads(r["events"])} for r in rows]

    async def unsubscribe(self, key_id: int, dialect: str, subscription_id: int) -> bool:
        def fn(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM webhook_subscriptions WHERE id = ? AND api_key_id = ? "
                                "AND dialect = ?", (subscription_id, key_id, dialect)).rowcount == 1
        return await self.writer.write(fn)

    async def webhook_secret(self, key_id: int | None) -> str | None:
        if key_id is None:
            row = await self._fetchone(_DEFAULT_SECRET)
            return row["value"] if row else None
        row = await self._fetchone("SELECT webhook_secret FROM api_keys WHERE id = ?", (key_id,))
        return row["webhook_secret"] if row else None

    async def ensure_default_secret(self) -> str:
        """The secret that signs webhooks of messages not sent with an API key (inbound)."""
        def fn(conn: sqlite3.Connection) -> str:
            row = conn.execute(_DEFAULT_SECRET).fetchone()
            if row is not None:
                return row[0]
            secret = keyring.new_secret()
            conn.execute("INSERT INTO settings (key, value) VALUES ('webhook_secret', ?)", (secret,))
            return secret
        return await self.writer.write(fn)

    async def setting(self, name: str) -> str | None:
        row = await self._fetchone("SELECT value FROM settings WHERE key = ?", (name,))
        return row["value"] if row else None

    async def set_setting(self, name: str, value: str) -> None:
        await self.writer.write(lambda conn: conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
            "excluded.value", (name, value)))
