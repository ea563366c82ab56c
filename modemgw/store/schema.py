"""The database schema, as numbered migrations (PRAGMA user_version)."""

from __future__ import annotations

import sqlite3


class SchemaError(Exception):
    """This database cannot be used by this modemgw: newer than it, or not migrated."""


MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,              -- shown in listings, e.g. 'mgw_3f9a'
        hash TEXT NOT NULL UNIQUE,         -- sha256 of the key, which itself is never stored
        webhook_secret TEXT NOT NULL,      -- signs webhooks for messages sent with this key
        created_at REAL NOT NULL,
        revoked_at REAL
    );
    CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        api_key_id INTEGER REFERENCES api_keys(id),
        to_number TEXT NOT NULL,
        sender TEXT,
        text TEXT NOT NULL,
        status TEXT NOT NULL,              -- queued, sent, delivered, failed, expired, cancelled
        encoding TEXT NOT NULL,
        segments INTEGER NOT NULL,
        callback_url TEXT,
        idempotency_key TEXT,
        priority INTEGER NOT NULL DEFAULT 0,
        policy TEXT NOT NULL DEFAULT 'at_most_once',
        modem TEXT,                        -- all parts of a message go through one modem
        reference INTEGER,                 -- concatenation reference of a multi-part message
        validity INTEGER,                  -- seconds, as requested
        flash INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        scheduled_at REAL,
        expires_at REAL,
        sent_at REAL,
        delivered_at REAL,
        error TEXT
    );
    CREATE INDEX messages_created ON messages(created_at, id);
    CREATE INDEX messages_status ON messages(status, created_at);
    CREATE INDEX messages_to ON messages(to_number, created_at);
    CREATE UNIQUE INDEX messages_idempotency ON messages(api_key_id, idempotency_key, to_number)
        WHERE idempotency_key IS NOT NULL;
    CREATE TABLE parts (
        message_id TEXT NOT NULL REFERENCES messages(id),
        seq INTEGER NOT NULL,
        total INTEGER NOT NULL,
        pdu TEXT NOT NULL,
        tpdu_length INTEGER NOT NULL,
        status TEXT NOT NULL,              -- queued, sending, sent, unknown, delivered, failed, expired
        modem TEXT,
        mr INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        submitted_at REAL,
        report_status INTEGER,
        report_at REAL,
        error TEXT,
        PRIMARY KEY (message_id, seq)
    );
    CREATE INDEX parts_due ON parts(status, next_attempt_at);
    CREATE INDEX parts_mr ON parts(modem, mr, submitted_at);
    CREATE TABLE events (
        cursor INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        message_id TEXT,
        type TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX events_message ON events(message_id, cursor);
    CREATE TABLE received_pdus (
        id INTEGER PRIMARY KEY,
        modem TEXT NOT NULL,
        received_at REAL NOT NULL,
        pdu TEXT NOT NULL,
        length INTEGER,
        kind TEXT NOT NULL,                -- deliver, status_report, submit, undecodable
        error TEXT,
        inbound_id TEXT
    );
    CREATE TABLE inbound (
        id TEXT PRIMARY KEY,
        modem TEXT NOT NULL,
        from_number TEXT NOT NULL,
        to_number TEXT,
        text TEXT NOT NULL,
        parts INTEGER NOT NULL,
        complete INTEGER NOT NULL,
        sent_at REAL,                      -- the SC timestamp
        received_at REAL NOT NULL
    );
    CREATE INDEX inbound_received ON inbound(received_at, id);
    CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        message_id TEXT,
        event TEXT NOT NULL,
        url TEXT NOT NULL,
        body TEXT NOT NULL,
        api_key_id INTEGER,
        status TEXT NOT NULL,              -- pending, delivered, dead
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        created_at REAL NOT NULL,
        last_error TEXT,
        delivered_at REAL
    );
    CREATE INDEX webhooks_due ON webhook_deliveries(status, next_attempt_at);
    CREATE INDEX webhooks_message ON webhook_deliveries(message_id, id);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: finding messages whose validity ended without scanning the whole queue
    """
    CREATE INDEX messages_expiry ON messages(expires_at)
        WHERE status = 'queued' AND expires_at IS NOT NULL;
    """,
    # 3: a status report committed but not yet applied (the process died in between)
    # is applied at the next start
    """
    ALTER TABLE received_pdus ADD COLUMN handled_at REAL;
    """,
    # 4: the queue in dispatch order straight from an index: a part carries its
    # message's priority, so picking the next parts reads a few index entries
    # instead of joining and sorting the whole backlog
    """
    ALTER TABLE parts ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
    UPDATE parts SET priority = (SELECT priority FROM messages WHERE id = parts.message_id);
    CREATE INDEX parts_queue ON parts(priority DESC, next_attempt_at, message_id, seq)
        WHERE status = 'queued';
    """,
    # 5: every part ends in a final state, caps survive a restart, the network's clock
    # is kept apart from ours
    """
    -- times a part whose outcome was unknown was sent again (at_least_once resends once)
    ALTER TABLE parts ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;
    -- the status report's own times (the network's clock); report_at becomes the time the
    -- report reached us, so the API's times of a message never go backwards
    ALTER TABLE parts ADD COLUMN network_submitted_at REAL;
    ALTER TABLE parts ADD COLUMN network_done_at REAL;
    UPDATE parts SET network_done_at = report_at WHERE report_at IS NOT NULL;
    ALTER TABLE messages ADD COLUMN network_delivered_at REAL;
    -- a modem's submissions in order: what came just before and after a part in doubt
    CREATE INDEX parts_submitted ON parts(modem, submitted_at) WHERE submitted_at IS NOT NULL;
    UPDATE messages SET network_delivered_at = delivered_at WHERE delivered_at IS NOT NULL;
    -- a key's default for its messages' delivery policy (NULL: the gateway's)
    ALTER TABLE api_keys ADD COLUMN delivery_policy TEXT;
    -- parts handed to each modem per local day, for [[modem]] per_day across restarts
    CREATE TABLE modem_days (
        modem TEXT NOT NULL,
        day INTEGER NOT NULL,              -- 1000 * year + day of the year, local time
        sent INTEGER NOT NULL,
        PRIMARY KEY (modem, day)
    ) WITHOUT ROWID;
    """,
    # 6: webhook deliveries shared out by destination (scheme://host[:port], see
    # store/outbox.py), so that one receiver's backlog cannot hold up another's; rows
    # pending from before get their URL up to its path
    """
    ALTER TABLE webhook_deliveries ADD COLUMN destination TEXT NOT NULL DEFAULT '';
    UPDATE webhook_deliveries SET destination = lower(substr(url, 1, instr(url, '://') + 1
        + instr(substr(url, instr(url, '://') + 3) || '/', '/'))) WHERE status = 'pending';
    CREATE INDEX webhooks_destination ON webhook_deliveries(destination, next_attempt_at)
        WHERE status = 'pending';
    """,
    # 7: one core, several edges: which edge accepted a message (its webhooks' format),
    # the credentials other protocols use for a key, and webhook subscriptions
    """
    ALTER TABLE messages ADD COLUMN dialect TEXT NOT NULL DEFAULT 'native';
    -- why a message failed or expired, from a documented list (docs/api.md), beside `error`
    ALTER TABLE messages ADD COLUMN error_code TEXT;
    ALTER TABLE webhook_deliveries ADD COLUMN dialect TEXT NOT NULL DEFAULT 'native';
    -- derived from the key (store/keys.py); those that only authenticate are digests
    ALTER TABLE api_keys ADD COLUMN twilio_account_sid TEXT;
    ALTER TABLE api_keys ADD COLUMN twilio_auth_token TEXT;  -- kept: it signs status callbacks
    ALTER TABLE api_keys ADD COLUMN smspm_hash TEXT;
    ALTER TABLE api_keys ADD COLUMN smspm_token_digest TEXT;
    ALTER TABLE api_keys ADD COLUMN smpp_system_id TEXT;
    ALTER TABLE api_keys ADD COLUMN smpp_password_digest TEXT;
    CREATE UNIQUE INDEX api_keys_twilio ON api_keys(twilio_account_sid) WHERE twilio_account_sid IS NOT NULL;
    CREATE UNIQUE INDEX api_keys_smspm ON api_keys(smspm_hash) WHERE smspm_hash IS NOT NULL;
    CREATE UNIQUE INDEX api_keys_smpp ON api_keys(smpp_system_id) WHERE smpp_system_id IS NOT NULL;
    CREATE TABLE webhook_subscriptions (
        id INTEGER PRIMARY KEY,
        api_key_id INTEGER NOT NULL,
        dialect TEXT NOT NULL,
        url TEXT NOT NULL,
        events TEXT NOT NULL,              -- JSON array of event names
        created_at REAL NOT NULL
    );
    CREATE INDEX webhook_subscriptions_key ON webhook_subscriptions(api_key_id, dialect);
    """,
    # 8: the number behind a message's error_code (the +CMS ERROR, or the report's TP-ST)
    """
    ALTER TABLE messages ADD COLUMN error_detail INTEGER;
    """,
    # 9: SMPP (modemgw/smppd): the receipts an ESME asked for, under the ids it was given,
    # and how far each key's receivers have acknowledged the event log
    """
    CREATE TABLE smpp_receipts (
        message_id TEXT PRIMARY KEY,
        registered_delivery INTEGER NOT NULL,  -- SMPP v3.4 §5.2.17 flags
        receipt_id TEXT NOT NULL,              -- the id the ESME was given (submit_multi: one for all)
        segments INTEGER NOT NULL              -- submit_sm it came in: one receipt each, ids receipt_id.1 ...
    ) WITHOUT ROWID;
    CREATE TABLE smpp_cursors (
        api_key_id INTEGER PRIMARY KEY,
        cursor INTEGER NOT NULL                -- events up to here owe this key's receivers nothing
    );
    """,
    # 10: nodes sharing one database (docs/scale-out.md): who is running, with which
    # modems, and which node holds a part or a webhook delivery, until when. One SQLite
    # file has one node, but the tables are the same on both engines.
    """
    CREATE TABLE nodes (
        name TEXT PRIMARY KEY,
        started_at REAL NOT NULL,
        heartbeat_at REAL NOT NULL,
        modems TEXT NOT NULL DEFAULT '[]',     -- JSON array of its modems' names
        api TEXT                               -- where its API listens
    );
    ALTER TABLE parts ADD COLUMN claimed_by TEXT;
    ALTER TABLE parts ADD COLUMN claim_until REAL;
    ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
    ALTER TABLE webhook_deliveries ADD COLUMN claim_until REAL;
    -- whether the part's PDU asked for a status report ([sending] status_reports): one
    -- that did not is never expired for want of a report
    ALTER TABLE parts ADD COLUMN report_requested INTEGER NOT NULL DEFAULT 1;
    """,
    # 11: the carrier a message is pinned to ("modem:ec25", "sim:8944…", "node:pi-b";
    # dispatch/routing.py); none for most messages
    """
    ALTER TABLE messages ADD COLUMN via TEXT;
    """,
)


def _statements(script: str) -> list[str]:
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"incomplete statement in migration: {current.strip()[:60]}")
    return out


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the version. Each step is one transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    path = conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
    if version > len(MIGRATIONS):
        raise SchemaError(f"{path}: database schema {version} is newer than this modemgw "
                          f"({len(MIGRATIONS)}); run the modemgw version that wrote it")
    for number in range(version + 1, len(MIGRATIONS) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException as exc:
            # Some errors (SQLITE_FULL, an I/O error) have already rolled the
            # transaction back: a second ROLLBACK would hide the first error.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if not isinstance(exc, Exception):
                raise
            raise SchemaError(f"{path}: migration {number} failed ({exc}); "
                              f"the database stays at schema {number - 1}") from exc
    return len(MIGRATIONS)
