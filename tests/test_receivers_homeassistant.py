"""Home Assistant against a running gateway: every `rest` notify configuration in
docs/home-assistant.md sends exactly what Home Assistant sends for it (its notify service
and rest platform's code, below, over httpx as Home Assistant uses it), and a received
SMS reaches the webhook with the fields the documented automation reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import tomllib
import yaml

from test_receivers_harness import running

DOC = (Path(__file__).parent.parent / "docs" / "home-assistant.md").read_text()
ATTR_TITLE_DEFAULT = "Home Assistant"      # homeassistant/components/notify/const.py
USER_AGENT = "HomeAssistant/2025.1.0 httpx/0.28.1 Python/3.13"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def platforms(secrets: dict[str, str]) -> list[dict]:
    """The `rest` notify platforms the doc configures, `!secret`s filled in."""
    loader = type("Loader", (yaml.SafeLoader,), {})
    loader.add_constructor("!secret", lambda ld, node: secrets[ld.construct_scalar(node)])
    found = []
    for text in blocks("yaml"):
        # A block may be indented under a list item of the doc's Markdown.
        doc = yaml.load(re.sub(r"^  ", "", text, flags=re.M) if text.startswith("  ") else text, loader)
        if isinstance(doc, dict) and "notify" in doc:
            found += [p for p in doc["notify"] if p["platform"] == "rest"]
    return found


async def notify(platform: dict, service_data: dict, base: str) -> httpx.Response:
    """notify.<name>: legacy.py's _async_notify_message_service (title only when given,
    target as a list: cv.ensure_list) then rest/notify.py's async_send_message."""
    kwargs: dict = {}
    if title := service_data.get("title"):
        kwargs["title"] = title
    if service_data.get("target") is not None:
        target = service_data["target"]
        kwargs["target"] = target if isinstance(target, list) else [target]
    data = {platform.get("message_param_name", "message"): service_data["message"]}
    if platform.get("title_param_name") is not None:
        data[platform["title_param_name"]] = kwargs.get("title", ATTR_TITLE_DEFAULT)
    if platform.get("target_param_name") is not None and "target" in kwargs:
        data[platform["target_param_name"]] = kwargs["target"][0]
    if platform.get("data"):
        data.update(platform["data"])
    resource = platform["resource"].replace("http://modemgw.local:8080", base)
    auth = None
    if platform.get("username") and platform.get("password"):
        auth = (httpx.DigestAuth if platform.get("authentication") == "digest" else httpx.BasicAuth)(
            platform["username"], platform["password"])
    headers, params = platform.get("headers"), platform.get("params")
    method = platform.get("method", "GET").upper()
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}) as client:
        if method == "POST":
            return await client.post(resource, headers=headers, params=params, data=data, timeout=10,
                                     auth=auth or httpx.USE_CLIENT_DEFAULT)
        if method == "POST_JSON":
            return await client.post(resource, headers=headers, params=params, json=data, timeout=10,
                                     auth=auth or httpx.USE_CLIENT_DEFAULT)
        return await client.get(resource, headers=headers, params={**params, **data} if params else data,
                                timeout=10, auth=auth)


def configured(rig) -> dict[str, dict]:
    return {p["name"]: p for p in platforms({"modemgw_key": rig.key, "modemgw_bearer": f"Bearer {rig.key}"})}


ONCALL = ("+447700900101", "+447700900102")


async def test_every_documented_platform(database):
    async with running(database, groups={"oncall": ONCALL}) as rig:
        plats = configured(rig)
        assert sorted(plats) == ["sms", "sms_get", "sms_oncall"]
        resp = await notify(plats["sms"], {"message": "Front door opened at 21:04", "title": "Alarm",
                                           "target": "+447700900123"}, rig.gateway.url)
        assert resp.status_code == 200 and resp.json()["status"] == "queued"
        assert await rig.handset("+447700900123") == ["Alarm: Front door opened at 21:04"]
        resp = await notify(plats["sms_oncall"], {"message": "Water leak", "title": "Cellar"}, rig.gateway.url)
        assert resp.status_code == 200
        resp = await notify(plats["sms_get"], {"message": "Garage open"}, rig.gateway.url)
        assert resp.status_code == 200
        for number in ONCALL:
            assert await rig.handset(number, 2) == ["Cellar: Water leak", "Garage open"]


async def test_targets_as_home_assistant_passes_them(database):
    """A list: only its first item reaches the platform. One comma-separated string: all,
    groups included."""
    async with running(database, groups={"oncall": ONCALL}) as rig:
        sms = configured(rig)["sms"]
        resp = await notify(sms, {"message": "a", "target": ["+447700900201", "+447700900202"]}, rig.gateway.url)
        assert [m["to"] for m in resp.json()["messages"]] == ["+447700900201"]
        resp = await notify(sms, {"message": "b", "target": "+447700900203, oncall"}, rig.gateway.url)
        assert [m["to"] for m in resp.json()["messages"]] == ["+447700900203", *ONCALL]
        assert await rig.handset("+447700900201") == ["Home Assistant: a"]
        assert await rig.handset("+447700900101") == ["Home Assistant: b"]


@pytest.mark.parametrize("method", ["GET", "POST", "POST_JSON"])
async def test_text_survives_each_method(database, method):
    text = "5+3 & 50% off: €9 ✅ ?=#"
    async with running(database) as rig:
        platform = {**configured(rig)["sms"], "method": method}
        resp = await notify(platform, {"message": text, "title": "Shop", "target": "+447700900123"},
                            rig.gateway.url)
        assert resp.status_code == 200
        assert await rig.handset("+447700900123") == [f"Shop: {text}"]


async def test_a_long_message_is_cut_to_the_parts_allowed(database):
    async with running(database, segments=1) as rig:
        platform = {k: v for k, v in configured(rig)["sms"].items() if k != "title_param_name"}
        resp = await notify(platform, {"message": "word " * 100, "target": "+447700900123"}, rig.gateway.url)
        assert [m["segments"] for m in resp.json()["messages"]] == [1]
        [text] = await rig.handset("+447700900123")
        assert text.endswith("word...") and len(text) <= 160


@pytest.mark.parametrize("change, status", [
    ({"password": "mgw_wrong"}, 401),
    ({"authentication": "digest"}, 401),
    ({"message_param_name": "text"}, 400),          # modemgw reads `message`
    ({"target_param_name": None}, 400),             # no recipient anywhere
])
async def test_refused(database, change, status):
    async with running(database) as rig:
        platform = {k: v for k, v in {**configured(rig)["sms"], **change}.items() if v is not None}
        resp = await notify(platform, {"message": "x", "target": "+447700900123"}, rig.gateway.url)
        assert resp.status_code == status and set(resp.json()) == {"error"}


async def test_received_sms_reaches_the_webhook_trigger(database):
    """The fields the documented automation reads, and the documented example's fields."""
    [table] = [tomllib.loads(t)["integrations"]["homeassistant"] for t in blocks("toml")]
    assert httpx.URL(table["inbound_webhook"]).path.startswith("/api/webhook/")
    async with running(database, homeassistant_inbound_webhook=True) as rig:
        rig.sim.inject_sms("+447700900123", "ARM ✅ " * 40)
        await rig.hooks.wait(lambda calls: calls)
        [(body, raw, headers)] = rig.hooks.calls
        assert headers["Content-Type"] == "application/json" and json.loads(raw) == body
        assert (body["event"], body["from"], body["text"], body["complete"]) == (
            "sms_received", "+447700900123", "ARM ✅ " * 40, True)
        assert body["parts"] > 1 and body["id"].startswith("in_")
        read = set(re.findall(r"trigger\.json\.(\w+)", DOC))
        assert read == {"from", "text"} and read <= set(body)
        documented = json.loads(blocks("json")[0])
        assert set(documented) == set(body)
