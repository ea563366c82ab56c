"""The API under test: a real store (SQLite or PostgreSQL), the app on loopback, and every
reply checked against the OpenAPI document the app serves.

The other tests/test_api_*.py import `running_api` from here. The small JSON
Schema checker below covers the keywords the document uses (a test makes sure
it uses no others); its own tests are at the end of this file.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict

from modemgw.api import create_app
from modemgw.api.openapi import DOCUMENT
from modemgw.sms import ConcatReferences
from modemgw.store import Store

# -- a JSON Schema subset --------------------------------------------------------------

ANNOTATIONS = {"description", "examples", "default", "summary"}
CHECKED = {"$ref", "type", "properties", "required", "additionalProperties", "items", "enum",
           "const", "minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength",
           "pattern", "oneOf", "format"}
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _resolve(ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node: object = DOCUMENT
    for step in ref[2:].split("/"):
        node = node[step]  # type: ignore[index]
    return node  # type: ignore[return-value]


def _is(value: object, kind: str) -> bool:
    if kind == "integer":
        return type(value) is int
    if kind == "number":
        return type(value) in (int, float)
    return type(value) is _TYPES[kind]


def errors(value: object, schema: dict, where: str = "$") -> list[str]:
    """What in `value` does not satisfy `schema` (empty when it does)."""
    unknown = set(schema) - CHECKED - ANNOTATIONS
    assert not unknown, f"the checker does not know {unknown} (at {where})"
    if "$ref" in schema:
        return errors(value, _resolve(schema["$ref"]), where)
    out: list[str] = []
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not errors(value, s, where)]
        if len(matching) != 1:
            out.append(f"{where}: matches {len(matching)} of oneOf")
        return out
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            return [f"{where}: {value!r} is not {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        out.append(f"{where}: {value!r} is not {schema['const']!r}")
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                out.append(f"{where}: {name!r} missing")
        props = schema.get("properties", {})
        for name, item in value.items():
            if name in props:
                out += errors(item, props[name], f"{where}.{name}")
            elif schema.get("additionalProperties", True) is False:
                out.append(f"{where}: unexpected {name!r}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            out.append(f"{where}: {len(value)} items")
        for i, item in enumerate(value):
            out += errors(item, schema.get("items", {}), f"{where}[{i}]")
    if isinstance(value, str):
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            out.append(f"{where}: length {len(value)}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and not _is_time(value):
            out.append(f"{where}: {value!r} is not a date-time")
    if type(value) in (int, float) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            out.append(f"{where}: {value} out of range")
    return out


def _is_time(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


# -- the app on loopback ---------------------------------------------------------------

class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Reply:
    status: int
    body: dict | str       # str for the text/plain of /metrics
    headers: CIMultiDict   # case-insensitive, as HTTP headers are

    @property
    def error(self) -> dict:
        return self.body["error"]


def operation_for(method: str, path: str) -> tuple[str, dict] | None:
    """The documented operation a request path falls under, with its template."""
    for template, item in DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            # A literal path wins over a template (/v1/messages/preview vs /v1/messages/{id}).
            literal = DOCUMENT["paths"].get(path, {}).get(method.lower())
            return (path, literal) if literal else (template, item[method.lower()])
    return None


def check_reply(method: str, path: str, reply: Reply) -> None:
    """The reply is one the document describes: a listed status, a body of its schema,
    its headers. Undocumented routes must answer not_found."""
    found = operation_for(method, path)
    if found is None:
        assert reply.status == 404, (method, path, reply)
        assert not errors(reply.body, {"$ref": "#/components/schemas/Error"})
        assert reply.error["code"] == "not_found"
        return
    template, op = found
    documented = op["responses"].get(str(reply.status))
    assert documented is not None, f"{method} {template} answered undocumented {reply.status}: {reply.body}"
    if "text/plain" in documented["content"]:
        assert isinstance(reply.body, str), (method, template, reply.status)
        return
    schema = documented["content"]["application/json"]["schema"]
    problems = errors(reply.body, schema)
    assert not problems, (method, template, reply.status, problems)
    for header in documented.get("headers", {}):
        if header != "Idempotent-Replayed":
            assert header in reply.headers, (method, template, reply.status, header)
    if reply.status >= 400:
        expected = {400: "invalid_request", 401: "authentication_failed", 403: "forbidden",
                    404: "not_found", 429: "rate_limit_exceeded", 500: "server_error",
                    503: "server_error"}[reply.status]
        assert reply.error["code"] == expected


@dataclass
class Api:
    client: TestClient
    store: Store
    db: str
    key: str
    key_id: int
    clock: FakeClock
    modems: list[dict] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)    # on_accepted calls

    async def call(self, method: str, path: str, *, key: str | None = "default", json_body=None,
                   data: bytes | None = None, headers: dict | None = None, params=None) -> Reply:
        sent = dict(headers or {})
        if key == "default":
            key = self.key
        if key is not None:
            sent["Authorization"] = f"Bearer {key}"
        kw: dict = {"headers": sent, "params": params}
        if json_body is not None:
            kw["json"] = json_body
        elif data is not None:
            kw["data"] = data
        async with self.client.request(method, path, **kw) as resp:
            raw = await resp.read()
            if resp.content_type == "text/plain" and resp.status == 200:
                reply = Reply(resp.status, raw.decode(), CIMultiDict(resp.headers))  # /metrics
            else:
                assert resp.content_type == "application/json", (resp.status, raw[:200])
                reply = Reply(resp.status, json.loads(raw), CIMultiDict(resp.headers))
        check_reply(method, resp.url.path, reply)
        return reply

    async def send(self, body: dict, **kw) -> Reply:
        return await self.call("POST", "/v1/messages", json_body=body, **kw)


@contextlib.asynccontextmanager
async def running_api(database: str, **options) -> AsyncIterator[Api]:
    """The API on a store at `database` (the `database` fixture's: SQLite or PostgreSQL)."""
    db = database
    store = Store(db)
    await store.open()
    key_id, key = await store.create_key("tests")
    clock = options.pop("clock", FakeClock())
    modems: list[dict] = options.pop("modem_list", [])
    accepted: list[int] = []
    app = create_app(store, modems=lambda: modems, references=ConcatReferences(), clock=clock,
                     on_accepted=lambda: accepted.append(1), **options)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Api(client, store, db, key, key_id, clock, modems, accepted)
    finally:
        await client.close()
        await store.close()


# -- the checker's own tests -----------------------------------------------------------------

MESSAGE = {"$ref": "#/components/schemas/Message"}


def _message(**changes) -> dict:
    base = {"id": "msg_" + "0" * 26, "direction": "outbound", "status": "queued", "to": "+14155550123",
            "from": None, "text": "hi", "encoding": "gsm7", "segments": 1, "priority": 0,
            "validity_period": None, "callback_url": None, "modem": None, "via": None,
            "created_at": "2030-01-01T00:00:00.000Z", "scheduled_at": None, "expires_at": None,
            "sent_at": None, "delivered_at": None, "network_delivered_at": None,
            "delivery_policy": "at_most_once", "error": None, "error_code": None, "error_detail": None}
    return {**base, **changes}


def test_checker_accepts_a_well_formed_message():
    assert errors(_message(), MESSAGE) == []


@pytest.mark.parametrize("changes", [
    {"status": "lost"}, {"segments": "1"}, {"segments": True}, {"id": "x"}, {"created_at": "yesterday"},
    {"direction": "inbound"}, {"extra": 1}, {"parts": [{"seq": 1}]},
])
def test_checker_rejects_what_the_schema_forbids(changes):
    assert errors(_message(**changes), MESSAGE)


def test_checker_rejects_a_missing_required_field():
    message = _message()
    del message["error"]
    assert errors(message, MESSAGE) == ["$: 'error' missing"]


def test_checker_one_of_needs_exactly_one_match():
    schema = {"oneOf": [{"type": "string"}, {"type": ["string", "null"]}]}
    assert errors("a", schema) and not errors(None, schema)


def _nodes(schema: dict):
    yield schema
    for sub in (*schema.get("properties", {}).values(), *schema.get("oneOf", ())):
        yield from _nodes(sub)
    if isinstance(schema.get("items"), dict):
        yield from _nodes(schema["items"])


def test_the_document_uses_only_keywords_the_checker_knows():
    roots = list(DOCUMENT["components"]["schemas"].values())
    for item in DOCUMENT["paths"].values():
        for op in item.values():
            roots += [c["schema"] for r in op["responses"].values() for c in r["content"].values()]
            roots += [p["schema"] for p in op.get("parameters", ())]
            roots += [h["schema"] for r in op["responses"].values() for h in r.get("headers", {}).values()]
    for root in roots:
        for node in _nodes(root):
            assert set(node) <= CHECKED | ANNOTATIONS, node
