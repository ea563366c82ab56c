"""The store's SQL, written once for SQLite, as PostgreSQL reads it.

The store's statements are SQLite's (`?` and `:name` parameters, `rowid`, scalar
`MAX(a, b)`, `IS ?`, `IFNULL`, `INDEXED BY` hints). The few constructs the two engines
spell differently are rewritten here, once per statement (cached), so that the logic of
each write lives in one place for both engines; a statement no rewrite can carry has
its PostgreSQL text registered in `OVERRIDES`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import outbox

# outbox.DUE as PostgreSQL runs it well: each destination's next deliveries are a LATERAL
# subquery (SQLite's `w.id IN (correlated subquery)` made PostgreSQL run that subquery once
# per row of the outbox: 0.07 s with 300 pending rows analyzed, 3 s and more before the first
# ANALYZE, and JIT compiling on top); and JSON arrays are read by json_array_elements_text,
# not SQLite's json_each. Same rows, same order.
_DUE = """
WITH RECURSIVE dest(name) AS (
    SELECT MIN(destination) FROM webhook_deliveries
    WHERE status = 'pending'
    UNION ALL
    SELECT (SELECT MIN(destination) FROM webhook_deliveries
            WHERE status = 'pending' AND destination > dest.name)
    FROM dest WHERE dest.name IS NOT NULL),
picked AS (
    SELECT w.*, ROW_NUMBER() OVER (PARTITION BY w.destination
                                   ORDER BY w.next_attempt_at, w.id) AS turn
    FROM dest CROSS JOIN LATERAL (
        SELECT o.* FROM webhook_deliveries o
        WHERE o.status = 'pending' AND o.destination = dest.name AND o.next_attempt_at <= :now
          AND o.id NOT IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(:sending AS json)))
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.status = 'pending'
                          AND e.message_id = o.message_id AND e.id < o.id)
        ORDER BY o.next_attempt_at, o.id LIMIT :per) AS w
    WHERE dest.name NOT IN (SELECT value FROM json_array_elements_text(CAST(:full AS json))))
SELECT * FROM picked ORDER BY turn, next_attempt_at, id LIMIT :limit
"""
OVERRIDES: dict[str, str] = {outbox.DUE: _DUE}

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s+INDEXED BY \w+"), ""),                 # the planner's hints are SQLite's
    (re.compile(r"\browid AS seqno, \*"), "*"),             # seqno is a column of its own here
    (re.compile(r"\browid\b"), "seqno"),
    (re.compile(r"\bIS \?"), "IS NOT DISTINCT FROM ?"),     # SQLite's IS compares NULLs too
    (re.compile(r"\bIFNULL\("), "COALESCE("),
    (re.compile(r"\bMAX\(([^(),]+), "), r"GREATEST(\1, "),  # the scalar MAX of two values
)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """`sql` in psycopg's form (`%s`, `%(name)s`), rewritten for PostgreSQL."""
    text = OVERRIDES.get(sql, sql).replace("%", "%%")
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return _NAMED.sub(r"%(\1)s", text.replace("?", "%s"))
