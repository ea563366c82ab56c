"""What an edge counts for the operator, kept where other edges can read it: the alert
receivers write what came in, what they sent, held back or could not send; /metrics and
the console read the same figures, so the two never disagree.

Three things, all in memory (a restart starts them from zero) and bounded whatever
arrives: counters by name and labels (the writer keeps its label values to small
vocabularies: a receiver, an outcome, never a phone number), rows by subject (a phone
number, say: the `rows` most recently touched of each table are kept), and notes of what
happened (the last `notes` of them, and apart from those the last `notes` failures, so a
storm of ordinary news cannot push a failure out of sight). `version` grows with every
write: a reader compares it to tell whether to look again.

    tallies.count("modemgw_alert_held_total", receiver="alertmanager")
    tallies.update("alert-recipients", "+447700900123", add={"held": 1}, fields={"pending": 3})
    tallies.note("alertmanager", "refused", "alerts must be a non-empty list", failure=True)
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

ROWS = 200
NOTES = 50

Labels = tuple[tuple[str, str], ...]
# (name, type, help, [(labels, value)]): a metric family as an edge hands it to /metrics
# (metrics.render's `families`).
Family = tuple[str, str, str, list[tuple[dict[str, str], float]]]


@dataclass(frozen=True, slots=True)
class Note:
    at: float              # wall clock, epoch seconds
    source: str            # who wrote it (a receiver's name)
    kind: str              # in the writer's vocabulary (an enum's value)
    text: str
    failure: bool


class Tallies:
    def __init__(self, clock: Callable[[], float] = time.time, *, rows: int = ROWS, notes: int = NOTES) -> None:
        self.clock = clock
        self.version = 0
        self._rows_kept = rows
        self._counts: Counter[tuple[str, Labels]] = Counter()
        self._tables: dict[str, OrderedDict[str, dict[str, object]]] = {}
        self._recent: deque[Note] = deque(maxlen=notes)
        self._failures: deque[Note] = deque(maxlen=notes)

    # -- counters ------------------------------------------------------------------

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        """Add `n` (0 makes the series exist, so that a rate over it starts at zero)."""
        self._counts[(name, tuple(sorted(labels.items())))] += n
        self.version += 1

    def series(self, name: str) -> list[tuple[dict[str, str], int]]:
        """Every series of `name`, ordered by labels."""
        return [(dict(labels), v) for (n, labels), v in sorted(self._counts.items()) if n == name]

    def total(self, name: str, **labels: str) -> int:
        """The sum over the series of `name` that have these labels (and any others)."""
        want = labels.items()
        return sum(v for (n, have), v in self._counts.items() if n == name and want <= dict(have).items())

    # -- rows ----------------------------------------------------------------------

    def update(self, table: str, key: str, *, add: Mapping[str, int] | None = None,
               fields: Mapping[str, object] | None = None) -> None:
        """Add to the row's counters and set its other fields; the row becomes the most
        recently touched of its table, and the least recent beyond `rows` is forgotten."""
        rows = self._tables.setdefault(table, OrderedDict())
        row = rows.pop(key, None) or {}
        for name, n in (add or {}).items():
            row[name] = int(row.get(name, 0)) + n  # type: ignore[call-overload]
        row.update(fields or {})
        rows[key] = row
        while len(rows) > self._rows_kept:
            rows.popitem(last=False)
        self.version += 1

    def row(self, table: str, key: str) -> dict[str, object] | None:
        found = self._tables.get(table, {}).get(key)
        return None if found is None else dict(found)

    def rows(self, table: str) -> list[tuple[str, dict[str, object]]]:
        """Most recently touched first."""
        return [(key, dict(row)) for key, row in reversed(self._tables.get(table, {}).items())]

    # -- notes ---------------------------------------------------------------------

    def note(self, source: str, kind: str, text: str, *, failure: bool = False) -> None:
        note = Note(self.clock(), source, kind, text, failure)
        self._recent.append(note)
        if failure:
            self._failures.append(note)
        self.version += 1

    def notes(self, *, failures: bool = False) -> list[Note]:
        """Newest first."""
        return list(reversed(self._failures if failures else self._recent))
