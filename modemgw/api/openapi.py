"""The OpenAPI 3.1 document served at /v1/openapi.json (tests hold it to the app)."""

from __future__ import annotations

from ..core import ErrorCode
from ..core.checks import (MAX_PRIORITY, MAX_RECIPIENTS, MAX_SENDER, MAX_URL, MAX_VALIDITY, MAX_VIA_NAME,
                           MIN_VALIDITY, POLICIES)
from ..dispatch.routing import VIA_KINDS
from .errors import STATUS
from .query import MAX_LIMIT


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **more) -> dict:
    return {"type": [kind, "null"], **more}


def _object(properties: dict, *, optional: tuple[str, ...] = (), **more) -> dict:
    return {"type": "object", "properties": properties,
            "required": [k for k in properties if k not in optional],
            "additionalProperties": False, **more}


TIME = _nullable("string", format="date-time")
NUMBER = {"type": "string", "description": "E.164; or a short code, where [api] allow_short_codes is on",
          "examples": ["+14155550123"]}
ERROR_CODES = [code.value for code in ErrorCode]
STATUS_ENUM = ["queued", "sent", "delivered", "failed", "expired", "cancelled"]
VIA = {"description": "the one carrier that may send the message: a modem, a SIM (its ICCID) or a "
                      "node; it waits for it, however long (docs/api.md, \"Pinning a message\")",
       "oneOf": [_object({kind: {"type": "string", "minLength": 1, "maxLength": MAX_VIA_NAME}})
                 for kind in VIA_KINDS]}

SCHEMAS = {
    "Error": _object({"error": _ref("ErrorBody")}),
    "ErrorBody": _object({
        "code": {"type": "string", "enum": list(STATUS)},
        "message": {"type": "string"},
        "field": {"type": "string", "description": "the body field, query parameter or header at fault"},
    }, optional=("field",)),
    "SendRequest": _object({
        "to": {"oneOf": [NUMBER, {"type": "array", "items": NUMBER, "minItems": 1,
                                  "maxItems": MAX_RECIPIENTS}]},
        "text": {"type": "string", "minLength": 1},
        "from": _nullable("string", minLength=1, maxLength=MAX_SENDER,
                          description="selects the modems whose route lists this sender"),
        "callback_url": _nullable("string", format="uri", maxLength=MAX_URL),
        "scheduled_at": _nullable("string", format="date-time",
                                  description="ISO 8601 with an offset; a past time means now"),
        "validity_period": _nullable("integer", minimum=MIN_VALIDITY, maximum=MAX_VALIDITY),
        "priority": _nullable("integer", minimum=0, maximum=MAX_PRIORITY),
        "delivery_policy": _nullable("string", enum=[*POLICIES, None],
                                     description="a part whose outcome is unknown and never "
                                                 "reported: at_most_once fails the message, "
                                                 "at_least_once sends it once more"),
        "via": VIA,
    }, optional=("from", "callback_url", "scheduled_at", "validity_period", "priority",
                 "delivery_policy", "via")),
    "Part": _object({
        "seq": {"type": "integer", "minimum": 1},
        "status": {"type": "string", "enum": ["queued", "sending", "sent", "unknown", "delivered",
                                              "failed", "expired", "cancelled"]},
        "modem": _nullable("string"),
        "attempts": {"type": "integer", "minimum": 0},
        "submitted_at": TIME,
        "report_status": _nullable("integer", description="TP-ST of the status report"),
        "reported_at": TIME,
        "network_submitted_at": TIME,
        "network_done_at": TIME,
        "error": _nullable("string"),
    }),
    "Message": _object({
        "id": {"type": "string", "pattern": "^msg_[0-9a-z]{26}$"},
        "direction": {"type": "string", "const": "outbound"},
        "status": {"type": "string", "enum": STATUS_ENUM},
        "to": NUMBER,
        "from": _nullable("string"),
        "text": {"type": "string"},
        "encoding": {"type": "string", "enum": ["gsm7", "ucs2"]},
        "segments": {"type": "integer", "minimum": 1},
        "priority": {"type": "integer"},
        "validity_period": _nullable("integer"),
        "callback_url": _nullable("string"),
        "modem": _nullable("string"),
        "via": {"oneOf": [VIA, {"type": "null"}]},
        "created_at": {"type": "string", "format": "date-time"},
        "scheduled_at": TIME,
        "expires_at": TIME,
        "sent_at": TIME,
        "delivered_at": TIME,
        "network_delivered_at": TIME,
        "delivery_policy": {"type": "string", "enum": list(POLICIES)},
        "error": _nullable("string"),
        "error_code": _nullable("string", enum=[*ERROR_CODES, None],
                                description="why the message failed or expired (docs/api.md)"),
        "error_detail": _nullable("integer", description="the +CMS ERROR number (network_rejected, "
                                  "retries_exhausted) or the status report's TP-ST (undelivered, "
                                  "report_expired)"),
        "parts": {"type": "array", "items": _ref("Part"),
                  "description": "only in GET and DELETE /v1/messages/{id}"},
    }, optional=("parts",)),
    "MessageBatch": _object({"data": {"type": "array", "items": _ref("Message")}}),
    "MessagePage": _object({"data": {"type": "array", "items": _ref("Message")},
                            "next_cursor": _nullable("string")}),
    "Inbound": _object({
        "id": {"type": "string", "pattern": "^in_[0-9a-z]{26}$"},
        "direction": {"type": "string", "const": "inbound"},
        "from": {"type": "string"},
        "to": _nullable("string"),
        "text": {"type": "string"},
        "modem": {"type": "string"},
        "parts": {"type": "integer", "minimum": 1},
        "complete": {"type": "boolean", "description": "false: parts never came; text has gaps"},
        "sent_at": TIME,
        "received_at": {"type": "string", "format": "date-time"},
    }),
    "Event": _object({
        "cursor": {"type": "string", "pattern": "^[0-9]+$", "description": "increases with every event"},
        "type": {"type": "string", "description": "message.queued, message.sent, message.delivered, "
                 "message.failed, message.expired, message.cancelled, part.report, message.received"},
        "message_id": _nullable("string"),
        "created_at": TIME,
        "data": {"type": "object"},
    }),
    "EventPage": _object({"data": {"type": "array", "items": _ref("Event")},
                          "next_cursor": {"type": "string", "pattern": "^[0-9]+$",
                                          "description": "pass as `after` to get what follows"}}),
    "InboundPage": _object({"data": {"type": "array", "items": _ref("Inbound")},
                            "next_cursor": _nullable("string")}),
    "PreviewRequest": _object({"text": {"type": "string", "minLength": 1}}),
    "Preview": _object({
        "encoding": {"type": "string", "enum": ["gsm7", "ucs2"]},
        "segments": {"type": "integer", "minimum": 1},
        "remaining": {"type": "integer", "minimum": 0, "description": "units free in the last segment"},
        "per_segment": {"type": "integer"},
        "ucs2_characters": {"type": "array", "items": {"type": "string"}},
    }),
    "ModemList": _object({"data": {"type": "array", "items": {
        "type": "object", "required": ["name", "state"],
        "properties": {"name": {"type": "string"}, "state": {"type": "string"}}}}}),
    "NodeList": _object({"data": {"type": "array", "items": {
        "type": "object", "required": ["name", "modems", "alive", "heartbeat_at"],
        "properties": {"name": {"type": "string"}, "modems": {"type": "array", "items": {"type": "string"}},
                       "alive": {"type": "boolean"}, "started_at": {"type": "string"},
                       "heartbeat_at": {"type": "string"}, "parts_held": {"type": "integer"},
                       "webhooks_held": {"type": "integer"}}}}}),
    "Health": _object({"status": {"type": "string", "const": "ok"}}),
    "Checks": _object({"database": {"type": "boolean"}, "modems_ready": {"type": "integer"}}),
    "Ready": _object({"status": {"type": "string", "const": "ready"}, "checks": _ref("Checks")}),
    "NotReady": _object({"error": _ref("ErrorBody"), "checks": _ref("Checks")}),
}

_RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "requests a minute allowed for this key",
                          "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "requests left now", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "seconds until the allowance is whole again",
                          "schema": {"type": "integer"}},
}
_DESCRIPTIONS = {
    400: "invalid_request: the message and `field` say what is wrong",
    401: "authentication_failed: no key, an unknown key or a revoked key",
    403: "forbidden: the message was sent with another API key",
    404: "not_found",
    429: "rate_limit_exceeded; Retry-After says when to retry",
    500: "server_error (details only in the gateway's log)",
}


def _json(schema: str | dict, description: str, headers: dict | None = None) -> dict:
    if schema == "Metrics":  # the one operation that does not answer JSON
        content = {"text/plain": {"schema": {"type": "string",
                                             "description": "Prometheus text format 0.0.4"}}}
    else:
        content = {"application/json": {"schema": _ref(schema) if isinstance(schema, str) else schema}}
    out = {"description": description, "content": content}
    if headers:
        out["headers"] = headers
    return out


def _operation(summary: str, ok: str | dict, errors: tuple[int, ...], *, public: bool = False,
               parameters: list | None = None, body: str | None = None,
               ok_headers: dict | None = None) -> dict:
    rate = None if public else _RATE_HEADERS
    responses = {"200": _json(ok, "OK", {**(rate or {}), **(ok_headers or {})} or None)}
    for code in (*errors, *(() if public else (401, 429, 500))):
        # No key yet (401), or a failure possibly before the key was checked (500).
        headers = dict(rate or {}) if code not in (401, 500) else {}
        if code == 429:
            headers["Retry-After"] = {"description": "seconds", "schema": {"type": "integer"}}
        responses[str(code)] = _json("Error", _DESCRIPTIONS[code], headers or None)
    responses = dict(sorted(responses.items()))
    out: dict = {"summary": summary, "responses": responses}
    if public:
        out["security"] = []
    if parameters:
        out["parameters"] = parameters
    if body:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    return out


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_LIMIT = _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50},
                "page size")
_CURSOR = _query("cursor", {"type": "string"}, "next_cursor of the previous page (same filters)")
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}

PATHS = {
    "/healthz": {"get": _operation("The process is alive", "Health", (), public=True)},
    "/readyz": {"get": {
        "summary": "The database answers and at least one modem is ready", "security": [],
        "responses": {"200": _json("Ready", "ready"),
                      "500": _json("Error", _DESCRIPTIONS[500] + "; only if asking the modems fails"),
                      "503": _json("NotReady", "not ready; code server_error")}}},
    "/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {
        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/v1/messages": {
        "post": _operation(
            "Send a text to one number or up to 100 numbers",
            {"oneOf": [_ref("Message"), _ref("MessageBatch")],
             "description": "a Message when `to` is a string, a MessageBatch when it is an array"},
            (400,), body="SendRequest",
            ok_headers={"Idempotent-Replayed": {"description": "true when an Idempotency-Key "
                                                "returned the original messages",
                                                "schema": {"type": "string", "const": "true"}}},
            parameters=[{"name": "Idempotency-Key", "in": "header", "required": False,
                         "schema": {"type": "string", "minLength": 1, "maxLength": 255}}]),
        "get": _operation("List messages sent with this key, newest first", "MessagePage", (400,),
                          parameters=[
                              _query("status", {"type": "string", "enum": STATUS_ENUM}, "only this status"),
                              _query("to", {"type": "string"}, "only to this number"),
                              _query("direction", {"type": "string", "const": "outbound"},
                                     "outbound only; received messages are at /v1/inbound"),
                              _query("created_since", {"type": "string", "format": "date-time"}, "inclusive"),
                              _query("created_until", {"type": "string", "format": "date-time"}, "exclusive"),
                              _LIMIT, _CURSOR]),
    },
    "/v1/messages/preview": {"post": _operation(
        "Encoding and segment count of a text, without sending", "Preview", (400,),
        body="PreviewRequest")},
    "/v1/messages/{id}": {
        "get": _operation("A message with its parts", "Message", (400, 403, 404), parameters=[_ID]),
        "delete": _operation("Cancel a message none of whose parts has gone to a modem", "Message",
                             (400, 403, 404), parameters=[_ID]),
    },
    "/v1/inbound": {"get": _operation(
        "Received messages, newest first", "InboundPage", (400,),
        parameters=[_query("received_since", {"type": "string", "format": "date-time"}, "inclusive"),
                    _LIMIT, _CURSOR])},
    "/v1/modems": {"get": _operation("The modems and their state", "ModemList", (400,))},
    "/v1/nodes": {"get": _operation("The gateway nodes sharing the database, their modems and heartbeats",
                                    "NodeList", (400,))},
    "/v1/events": {"get": _operation(
        "The event log after a cursor, oldest first (catching up after being offline)", "EventPage",
        (400,), parameters=[_query("after", {"type": "string", "pattern": "^[0-9]+$", "default": "0"},
                                   "next_cursor of the previous call; 0 or absent for the start"),
                            _LIMIT])},
    "/metrics": {"get": _operation(
        "Prometheus metrics: queue depth, parts per modem, AT+CMGS latency, signal, webhook backlog",
        "Metrics", (400,))},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "modemgw", "version": "1",
             "description": "SMS gateway for USB GSM/LTE modems. Decisions and examples: docs/api.md."},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "an API key from `modemgw keys create`"}},
    },
}
