"""The webhook outbox's queries: which deliveries may go out now, fairly per destination.

A delivery may go out when it is pending, due, and the oldest pending delivery of its
message (so one message's events arrive in order). `DUE` hands out at most a given
number per destination (scheme://host:port of the URL) and takes every destination's
first before any destination's second, so the backlog of one receiver, however long,
never fills a read. Each destination's next deliveries come from the partial index
`webhooks_destination` (schema 6); the destinations themselves are found by hopping
along that index (one probe per destination, not a scan of the backlog).
"""

from __future__ import annotations

from urllib.parse import urlsplit

# :now, :sending and :full (JSON arrays of delivery ids and destinations to leave out),
# :per (per destination) and :limit (in all). INDEXED BY: without statistics the planner
# took webhooks_due (status) for each MIN and read every pending row, each time (6.6 s
# instead of 0.6 ms with 100,000 pending deliveries and 200 destinations).
DUE = """
WITH RECURSIVE dest(name) AS (
    SELECT MIN(destination) FROM webhook_deliveries INDEXED BY webhooks_destination
    WHERE status = 'pending'
    UNION ALL
    SELECT (SELECT MIN(destination) FROM webhook_deliveries INDEXED BY webhooks_destination
            WHERE status = 'pending' AND destination > dest.name)
    FROM dest WHERE dest.name IS NOT NULL),
picked AS (
    SELECT w.*, ROW_NUMBER() OVER (PARTITION BY w.destination
                                   ORDER BY w.next_attempt_at, w.id) AS turn
    FROM dest JOIN webhook_deliveries w ON w.id IN (
        SELECT o.id FROM webhook_deliveries o
        WHERE o.status = 'pending' AND o.destination = dest.name AND o.next_attempt_at <= :now
          AND o.id NOT IN (SELECT value FROM json_each(:sending))
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.status = 'pending'
                          AND e.message_id = o.message_id AND e.id < o.id)
        ORDER BY o.next_attempt_at, o.id LIMIT :per)
    WHERE dest.name NOT IN (SELECT value FROM json_each(:full)))
SELECT * FROM picked ORDER BY turn, next_attempt_at, id LIMIT :limit
"""

# The earliest time after :after at which a delivery that may go out is due.
NEXT_DUE = """
SELECT w.next_attempt_at AS t FROM webhook_deliveries w
WHERE w.status = 'pending' AND w.next_attempt_at > :after
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.status = 'pending'
                  AND e.message_id = w.message_id AND e.id < w.id)
ORDER BY w.next_attempt_at LIMIT 1
"""


def destination(url: str) -> str:
    """`scheme://host[:port]` of a webhook URL (lower case, without user info): the
    receiver a delivery waits on. Schema 6 gives rows written before it the same form
    (URLs with user info aside)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:      # a port out of range, a bad IPv6 literal
        host = None
    if not host:
        return "-"          # unusable, and given up at its first attempt: apart from real receivers
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{netloc}" + (f":{port}" if port is not None else "")
