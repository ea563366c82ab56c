"""The served OpenAPI document matches the app: the same operations, and every
documented response is one a real call produces (each checked against its schema
by the harness)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from modemgw.api import create_app
from modemgw.api.openapi import DOCUMENT
from modemgw.sms import ConcatReferences
from test_api_harness import running_api

MISSING = "/v1/messages/msg_00000000000000000000000000"


def test_every_route_is_documented_and_every_operation_routed():
    app = create_app(None, references=ConcatReferences())  # type: ignore[arg-type]
    routed = {(r.method.lower(), r.resource.canonical) for r in app.router.routes()}
    documented = {(m, path) for path, item in DOCUMENT["paths"].items() for m in item}
    assert routed == documented


def test_public_operations_are_exactly_those_without_security():
    public = {path for path, item in DOCUMENT["paths"].items() for op in item.values()
              if op.get("security") == []}
    assert public == {"/healthz", "/readyz", "/v1/openapi.json"}


async def test_the_served_document_is_the_module_document(database):
    async with running_api(database) as api:
        reply = await api.call("GET", "/v1/openapi.json", key=None)
    assert reply.body == DOCUMENT and reply.body["openapi"].startswith("3.1")


async def _produce(api, method: str, path: str, code: int, new_key) -> int:
    """Make a real call to `method path` that should answer `code`; return what it answered."""
    concrete = path
    if "{id}" in path:
        mid = (await api.send({"to": "+15551230001", "text": "hi"})).body["id"]
        concrete = path.replace("{id}", mid if code != 404 else MISSING[len("/v1/messages/"):])
    bodies = {("post", "/v1/messages"): {"to": "+15551230001", "text": "hi"},
              ("post", "/v1/messages/preview"): {"text": "hi"}}
    body = bodies.get((method, path))
    kw: dict = {"json_body": body}
    if code == 400:
        kw["params"] = {"unknown": "1"}
    elif code == 401:
        kw["key"] = None
    elif code == 403:
        kw["key"] = await new_key()
    elif code == 429:
        kw["key"] = await new_key()
        await api.call(method, concrete, **kw)          # the bucket holds one request
    elif code == 500:
        async def broken(*_a, **_k):
            raise RuntimeError("boom")
        # Public /readyz fails in its own work; the others while checking the key.
        setattr(api.store, "check" if path == "/readyz" else "key_for_token", broken)
    elif code == 503:
        api.modems.clear()
    if path == "/readyz" and code == 200:
        api.modems.append({"name": "m1", "state": "ready"})
    reply = await api.call(method.upper(), concrete, **kw)
    return reply.status


def _documented() -> list[tuple[str, str, int]]:
    return [(m, path, int(code)) for path, item in DOCUMENT["paths"].items()
            for m, op in item.items() for code in op["responses"]]


@pytest.mark.parametrize("method, path, code", _documented())
async def test_each_documented_response_is_produced_by_a_real_call(database, method, path, code):
    async with running_api(database, rate_limit=1 if code == 429 else 1000) as api:
        async def new_key() -> str:
            return (await api.store.create_key("another"))[1]
        assert await _produce(api, method, path, code, new_key) == code


def test_the_prose_documentation_covers_every_operation():
    from pathlib import Path
    prose = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
    for path, item in DOCUMENT["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in prose, (method, path)


def test_the_document_is_built_on_first_request_only():
    # Most gateways never serve it: importing the app must not build it.
    code = "import sys, modemgw.api; print('modemgw.api.openapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
