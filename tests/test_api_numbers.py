"""Recipients: possible numbers only, local-only numbers refused, short codes only when allowed."""

from __future__ import annotations

import aiohttp
import pytest

from modemgw.config import Config, ConfigError, SimulatorConfig, parse
from modemgw.service import Gateway
from test_api_harness import running_api

LIBPHONENUMBER = "libphonenumber metadata"

# (default_region, allow_short_codes, to, expected `to` or the error's words, source)
CASES = [
    ("GB", False, "07700 900123", "+447700900123", "Ofcom drama range, national form"),
    ("GB", False, "12345", "can only be a short code in GB", LIBPHONENUMBER + ": GB local-only length"),
    ("GB", False, "077009001234", "not a possible number in GB", LIBPHONENUMBER + ": GB 10 digits at most"),
    ("GB", False, "+4412345", "not a possible number for country code +44", LIBPHONENUMBER),
    ("GB", False, "84424", "can only be a short code in GB", LIBPHONENUMBER + ": GB short 3-6 digits"),
    ("GB", True, "84424", "84424", "a short code is sent as given, not as +4484424"),
    ("GB", True, "84 424", "84424", "separators dropped, like in full numbers"),
    ("GB", True, "12345", "12345", LIBPHONENUMBER + ": possible (not necessarily allocated) short"),
    ("GB", True, "07700 900123", "+447700900123", "a full number stays E.164 with short codes on"),
    ("GB", True, "+4484424", "not a possible number for country code +44", "a + means E.164"),
    ("GB", True, "0770090012345", "not a possible number in GB", LIBPHONENUMBER + ": too long for either"),
    ("GB", True, "999", "emergency number", LIBPHONENUMBER + ": GB emergency 112, 999"),
    ("GB", False, "112", "emergency number", LIBPHONENUMBER + ": GB emergency 112, 999"),
    ("GB", True, "99912", "99912", LIBPHONENUMBER + ": a short code that starts like 999"),
    ("US", True, "911", "emergency number", LIBPHONENUMBER + ": US emergency 911"),
    ("US", False, "5551234", "not a possible number in US", LIBPHONENUMBER + ": US 7-digit local-only"),
    ("US", False, "+1 415 555 0123", "+14155550123", "E.164 with separators"),
]

@pytest.mark.parametrize("region, short_codes, to, expected, source", CASES)
async def test_recipient(database, region, short_codes, to, expected, source):
    async with running_api(database, default_region=region, allow_short_codes=short_codes) as api:
        reply = await api.send({"to": to, "text": "hi"})
        if expected.startswith("+") or expected.isdigit():
            assert (reply.status, reply.body["to"]) == (200, expected), source
        else:
            assert (reply.status, reply.error["field"]) == (400, "to"), source
            assert expected in reply.error["message"], reply.error["message"]

async def test_short_code_in_an_array_and_in_the_listing_filter(database):
    async with running_api(database, default_region="GB", allow_short_codes=True) as api:
        reply = await api.send({"to": ["84424", "84 424"], "text": "hi"})
        assert (reply.status, reply.error["field"]) == (400, "to[1]")  # the same short code twice
        assert (await api.send({"to": ["84424", "07700900123"], "text": "hi"})).status == 200
        listing = await api.call("GET", "/v1/messages?to=84424")
        assert [m["to"] for m in listing.body["data"]] == ["84424"]

def test_short_codes_need_a_region():
    assert parse('[api]\ndefault_region = "GB"\nallow_short_codes = true\n').allow_short_codes
    with pytest.raises(ConfigError, match=r"gw.toml:2: api.allow_short_codes: needs \[api\] default_region"):
        parse('[api]\nallow_short_codes = true\n', "gw.toml")
    with pytest.raises(ConfigError, match="api.allow_short_codes: expected true or false"):
        parse('[api]\ndefault_region = "GB"\nallow_short_codes = "yes"\n', "gw.toml")

async def test_a_short_code_reaches_the_network_as_given(database):
    config = Config(listen_port=0, database=database, default_region="GB",
                    allow_short_codes=True, simulators=(SimulatorConfig("sim-a", report_delay=0.1),))
    gateway = Gateway(config)
    await gateway.start()
    try:
        _, key = await gateway.store.create_key("numbers")
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            async with http.post("/v1/messages", json={"to": "84424", "text": "STOP"}) as resp:
                assert resp.status == 200, await resp.text()
        sim = gateway.simulators["sim-a"]
        # The handset the simulated network addressed is 84424 itself (TON unknown), not +4484424.
        assert await sim.wait_for(lambda: sim.handset("84424"), timeout=30) == ["STOP"]
        assert sim.handset("+4484424") == []
    finally:
        await gateway.stop()
