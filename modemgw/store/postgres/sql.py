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

# outbox.DUE hands JSON arrays to SQLite's json_each; PostgreSQL has its own function.
OVERRIDES: dict[str, str] = {
    outbox.DUE: outbox.DUE
    .replace("o.id NOT IN (SELECT value FROM json_each(:sending))",
             "o.id NOT IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(:sending AS json)))")
    .replace("dest.name NOT IN (SELECT value FROM json_each(:full))",
             "dest.name NOT IN (SELECT value FROM json_array_elements_text(CAST(:full AS json)))"),
}

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
