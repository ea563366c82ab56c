"""The nodes that share this database, and what each holds.

One SQLite file has one node; a PostgreSQL database may have several (docs/scale-out.md).
A node registers with its modems and beats a heartbeat; parts it has taken into its
modems' queues and webhook deliveries it is making are *claimed* by it until a lease
runs out, and each heartbeat renews them. A node whose heartbeat stops (kill -9, power
cut, cut off from the database) loses its claims when the lease ends: its queued parts
go to other nodes, and its parts caught in `sending` become `unknown`, as after a crash.

Guarantees: a modem name belongs to one live node (a second node naming it is refused);
a node's own parts in `sending` are reconciled when it starts, another live node's never.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

from .base import StoreBase, clock
from .days import day_of
from .queue import _COUNT_SUBMITTED
from .records import DuePart


# What another node's commit changed, as `listen` tells it: new parts to send (a node
# with room claims), webhook deliveries written (a node's sender looks at the outbox).
# Any commit that writes events is heard (SMPP receipts, the console read the log).
NEW_PARTS, DELIVERIES = "q", "w"
CHANGES = NEW_PARTS + DELIVERIES


class ModemTaken(Exception):
    """A modem of this node's is registered by another live node."""


class NodeRecords(StoreBase):
    async def register_node(self, name: str, modems: Sequence[str], *, lease: float,
                            api: str | None = None) -> None:
        """This process is node `name`, with these modems (refused, `ModemTaken`, when a
        live node of another name has one of them). A node restarted under the name of
        one that died takes its row over."""
        self.node_name, self.lease_seconds = name, lease
        self._beaten_at = clock()

        def fn(conn: Any) -> None:
            now = clock()
            for other, listed in conn.execute("SELECT name, modems FROM nodes WHERE name <> ? "
                                              "AND heartbeat_at >= ?", (name, now - lease)).fetchall():
                shared = sorted(set(json.loads(listed)) & set(modems))
                if shared:
                    raise ModemTaken(f"modem {', '.join(shared)} is already held by node {other} "
                                     "(modem names must be unique among the nodes of one database)")
            conn.execute("INSERT INTO nodes (name, started_at, heartbeat_at, modems, api) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, "
                         "heartbeat_at = excluded.heartbeat_at, modems = excluded.modems, api = excluded.api",
                         (name, now, now, json.dumps(list(modems)), api))
        await self.writer.write(fn)

    async def heartbeat(self) -> list[str]:
        """Beat this node's heartbeat and renew its claims; reconcile the parts of nodes
        whose lease has run out (returns the messages whose parts that changed).

        A node is taken for stopped when its last heartbeat is a lease older than this
        node's own previous one, not than now: after an outage that kept every node from
        the database, the others' heartbeats are as old as this node's, and they are
        alive (their next beats come within a lease)."""
        name, lease, since = self.node_name, self.lease_seconds, self._beaten_at

        def fn(conn: Any) -> list[str]:
            now = clock()
            conn.execute("UPDATE nodes SET heartbeat_at = ? WHERE name = ?", (now, name))
            conn.execute("UPDATE parts SET claim_until = ? WHERE claimed_by = ? AND status = 'queued'",
                         (now + lease, name))
            conn.execute("UPDATE webhook_deliveries SET claim_until = ? WHERE claimed_by = ? "
                         "AND status = 'pending'", (now + lease, name))
            stopped = [r[0] for r in conn.execute(
                "SELECT name FROM nodes WHERE heartbeat_at < ? AND name <> ?", (min(now, since) - lease, name))]
            caught = self._unknown_in_flight(conn, now, stopped, "its node stopped while this part was being sent")
            return sorted({mid for mid, _ in caught})
        beaten_at = clock()
        changed = await self.writer.write(fn, linger=0.05)
        self._beaten_at = beaten_at
        return changed

    async def reconcile_in_flight(self) -> int:
        """At start-up: this node's parts caught in 'sending' become 'unknown' (they may
        have gone out). On SQLite every such part is this node's."""
        def fn(conn: Any) -> int:
            return len(self._unknown_in_flight(conn, clock(), self._own_nodes(),
                                               "the gateway stopped while this part was being sent"))
        return await self.writer.write(fn)

    def _own_nodes(self) -> list[str] | None:
        """Whose parts in `sending` a starting node may call unknown (None: all, one node)."""
        return None

    async def claim_due(self, now: float, limit: int = 100, *, modems: Sequence[str] = (),
                        vias: Sequence[str] | None = None) -> list[DuePart]:
        """Due parts that `modems` (this node's) may send, held by this node until its
        lease ends; with `vias`, of the pinned messages only those pinned to one of these.
        One node has nobody to hold them from: the due parts, as they are."""
        return await self.due_parts(now, limit, vias=vias, modems=modems)

    async def release_claims(self, parts: Sequence[tuple[str, int]] | None = None) -> None:
        """This node no longer holds these queued parts (None: any it holds, as it stops),
        so that other nodes may take them at once rather than when the lease ends. One
        node claims nothing (`claim_due`): nothing to release."""

    async def listen(self, on_change: Callable[[str], None]) -> None:
        """Call `on_change` with what changed (CHANGES) when another node commits a
        change, until cancelled. One SQLite file has one node: nothing to hear."""
        await asyncio.Event().wait()

    def _heard(self, changes: str) -> None:
        """Another node wrote webhook deliveries: this node's sender looks again too."""
        if DELIVERIES in changes:
            self._webhooks_uncommitted += 1
            self.webhooks_written += 1

    async def modems_elsewhere(self) -> set[str]:
        """The modems of the other live nodes: what they received is theirs to apply."""
        rows = await self._fetchall("SELECT modems FROM nodes WHERE name <> ? AND heartbeat_at >= ?",
                                    (self.node_name, clock() - self.lease_seconds))
        return {m for r in rows for m in json.loads(r["modems"])}

    async def list_nodes(self) -> list[dict]:
        """The nodes, their modems, the parts and deliveries they hold, their last heartbeat."""
        rows = await self._fetchall(
            "SELECT n.name, n.started_at, n.heartbeat_at, n.modems, n.api, "
            "(SELECT COUNT(*) FROM parts p WHERE p.claimed_by = n.name AND p.status IN ('queued', 'sending')) "
            "AS parts_held, (SELECT COUNT(*) FROM webhook_deliveries w WHERE w.claimed_by = n.name "
            "AND w.status = 'pending') AS webhooks_held FROM nodes n ORDER BY n.name")
        now = clock()
        return [{**r, "modems": json.loads(r["modems"]),
                 "alive": r["heartbeat_at"] >= now - self.lease_seconds} for r in rows]

    def _unknown_in_flight(self, conn: Any, now: float, nodes: Sequence[str] | None,
                           why: str) -> list[tuple[str, int]]:
        """Parts caught in `sending` (by these nodes; None: by any) become `unknown`: they
        may have gone out. Counted against their modem's day, as a submission."""
        if nodes is not None and not nodes:
            return []
        where = "status = 'sending'" + (
            "" if nodes is None else f" AND claimed_by IN ({', '.join('?' * len(nodes))})")
        params = () if nodes is None else tuple(nodes)
        caught = conn.execute(f"SELECT message_id, seq FROM parts WHERE {where}", params).fetchall()
        for mid, seq in caught:
            conn.execute(_COUNT_SUBMITTED, {"day": day_of(now), "message_id": mid, "seq": seq})
        conn.execute(f"UPDATE parts SET status = 'unknown', submitted_at = ?, error = ? WHERE {where}",
                     (now, why, *params))
        for mid in sorted({mid for mid, _ in caught}):
            self._refresh(conn, mid, now)
        return [(mid, seq) for mid, seq in caught]
