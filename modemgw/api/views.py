"""Store rows as the API shows them: the public names, ISO 8601 times."""

from __future__ import annotations

import json

from ..dispatch.routing import shown
from ..store import iso


def message(row: dict, *, parts: list[dict] | None = None) -> dict:
    out = {
        "id": row["id"],
        "direction": "outbound",
        "status": row["status"],
        "to": row["to_number"],
        "from": row["sender"],
        "text": row["text"],
        "encoding": row["encoding"],
        "segments": row["segments"],
        "priority": row["priority"],
        "validity_period": row["validity"],
        "callback_url": row["callback_url"],
        "modem": row["modem"],
        # The carrier it is pinned to ({"modem": ...}, {"sim": ...} or {"node": ...}), or null.
        "via": shown(row.get("via")),
        "created_at": iso(row["created_at"]),
        "scheduled_at": iso(row["scheduled_at"]),
        "expires_at": iso(row["expires_at"]),
        "sent_at": iso(row["sent_at"]),
        "delivered_at": iso(row["delivered_at"]),
        # The network's own time of delivery, from the status report (its clock, which
        # may differ from ours: delivered_at above is never before sent_at, this may be).
        "network_delivered_at": iso(row["network_delivered_at"]),
        "delivery_policy": row["policy"],
        "error": row["error"],
        # Why it failed or expired, from the list in docs/api.md, and the number behind
        # that (the +CMS ERROR, or the status report's TP-ST), where there is one.
        "error_code": row["error_code"],
        "error_detail": row["error_detail"],
    }
    if parts is not None:
        out["parts"] = [part(p) for p in parts]
    return out


def part(row: dict) -> dict:
    return {
        "seq": row["seq"],
        "status": row["status"],
        "modem": row["modem"],
        "attempts": row["attempts"],
        "submitted_at": iso(row["submitted_at"]),
        "report_status": row["report_status"],   # TP-ST of the status report, when one came
        "reported_at": iso(row["report_at"]),
        "network_submitted_at": iso(row["network_submitted_at"]),   # the report's own times
        "network_done_at": iso(row["network_done_at"]),
        "error": row["error"],
    }


def inbound(row: dict) -> dict:
    return {
        "id": row["id"],
        "direction": "inbound",
        "from": row["from_number"],
        "to": row["to_number"],
        "text": row["text"],
        "modem": row["modem"],
        "parts": row["parts"],
        "complete": bool(row["complete"]),
        "sent_at": iso(row["sent_at"]),
        "received_at": iso(row["received_at"]),
    }


def event(row: dict) -> dict:
    return {
        "cursor": str(row["cursor"]),
        "type": row["type"],
        "message_id": row["message_id"],
        "created_at": iso(row["at"]),
        "data": json.loads(row["data"]),
    }


def node(row: dict) -> dict:
    """A gateway node sharing the database (docs/scale-out.md)."""
    return {"name": row["name"], "modems": row["modems"], "alive": row["alive"],
            "started_at": iso(row["started_at"]), "heartbeat_at": iso(row["heartbeat_at"]),
            "parts_held": row["parts_held"], "webhooks_held": row["webhooks_held"]}
