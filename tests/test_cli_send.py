"""`modemgw send` and the listing commands, through the real CLI against a running gateway."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from datetime import datetime, timedelta, timezone

from aiohttp import web

from modemgw.config import Config, SimulatorConfig
from modemgw.service import Gateway
from test_cli import EXE
from test_gateway_e2e import start_receiver


@contextlib.asynccontextmanager
async def gateway(database, **simulator):
    config = Config(listen_port=0, database=database,
                    simulators=(SimulatorConfig("sim-a", **{"report_delay": 0.1, **simulator}),))
    gw = Gateway(config)
    await gw.start()
    try:
        _, key = await gw.store.create_key("cli")
        yield {"MODEMGW_URL": gw.url, "MODEMGW_KEY": key}
    finally:
        await gw.stop()


async def cli(env: dict, *args: str, stdout=asyncio.subprocess.PIPE) -> tuple[int, str, str]:
    """The `modemgw` command in its own process (the gateway keeps running in this one)."""
    proc = await asyncio.create_subprocess_exec(EXE, *args, env={**os.environ, **env},
                                                stdout=stdout, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(90):
        out, err = await proc.communicate()
    return proc.returncode, (out or b"").decode(), err.decode()


async def test_send_options_are_the_requests_fields(database):
    receiver, runner, hook = await start_receiver()
    at = (datetime.now(timezone.utc) + timedelta(seconds=4)).isoformat(timespec="seconds")
    try:
        async with gateway(database) as env:
            args = ("send", "--to", "+15551230002", "--text", "hi", "--callback-url", hook,
                    "--scheduled-at", at, "--validity", "3600", "--idempotency-key", "order-1", "--via",
                    "modem:sim-a", "--wait")
            code, out, err = await cli(env, *args)
            assert code == 0, err
            sent = json.loads(out)
            assert (sent["callback_url"], sent["validity_period"], sent["via"]) == (hook, 3600, {"modem": "sim-a"})
            assert sent["scheduled_at"].startswith(at[:19])
            assert f"{sent['id']}: delivered" in err
            await receiver.wait(lambda calls: any(b["event"] == "message.delivered" for b, _, _ in calls))
            # The same key again: the first message, nothing new sent.
            code, out, err = await cli(env, *args)
            assert code == 0 and json.loads(out)["id"] == sent["id"]
    finally:
        await runner.cleanup()


async def test_send_wait_says_why_a_message_failed(database):
    async with gateway(database, report_status=0x43) as env:   # TP-ST: SC specific, permanent
        code, out, err = await cli(env, "send", "--to", "+15551230002", "--text", "hi", "--wait")
        message = json.loads(out)
        code2, out2, _ = await cli(env, "messages")
    stored = json.loads(out2)["data"][0]
    assert (code, code2, stored["status"]) == (1, 0, "failed")
    assert f"modemgw: {message['id']}: failed: {stored['error']}" in err and stored["error"]


async def test_send_wait_gives_up_after_its_timeout(database):
    async with gateway(database, report_delay=120) as env:     # no status report for 2 minutes
        started = time.monotonic()
        code, out, err = await cli(env, "send", "--to", "+15551230002", "--text", "hi",
                                   "--wait", "--timeout", "2")
        elapsed = time.monotonic() - started
    assert code == 1 and "Traceback" not in err
    assert f"{json.loads(out)['id']}: still sent after 2 s" in err
    assert elapsed < 30


async def test_a_429_is_waited_out():
    """A gateway stand-in on loopback: the documented 429 with Retry-After, then the answer."""
    posts: list[float] = []

    async def post(request: web.Request) -> web.Response:
        posts.append(time.monotonic())
        if len(posts) == 1:
            return web.json_response({"error": {"code": "rate_limit_exceeded", "message": "slow down"}},
                                     status=429, headers={"Retry-After": "1"})
        return web.json_response({"id": "msg_1", "status": "delivered"})

    app = web.Application()
    app.router.add_post("/v1/messages", post)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        code, out, err = await cli({"MODEMGW_URL": url, "MODEMGW_KEY": "mgw_x"},
                                   "send", "--to", "+15551230002", "--text", "hi", "--wait")
    finally:
        await runner.cleanup()
    assert code == 0, err
    assert json.loads(out)["id"] == "msg_1" and "rate limited: trying again in 1 s" in err
    assert len(posts) == 2 and posts[1] - posts[0] >= 1.0


async def test_listing_into_a_closed_pipe_ends_quietly(database):
    async with gateway(database) as env:
        for _ in range(3):
            assert (await cli(env, "send", "--to", "+15551230002", "--text", "hi"))[0] == 0
        read_end, write_end = os.pipe()
        os.close(read_end)                                  # `modemgw messages | head`, head gone
        try:
            code, _, err = await cli(env, "messages", stdout=write_end)
        finally:
            os.close(write_end)
    assert (code, err) == (141, "")


async def test_bad_input_is_a_clear_error(database):
    async with gateway(database) as env:
        code, _, err = await cli(env, "send", "--to", "12345", "--text", "hi")
        assert code == 1 and err.startswith("modemgw: 400 invalid_request (to): to needs a leading +")
        code, _, err = await cli(env, "send", "--to", "+15551230002", "--text", "hi", "--timeout", "-1")
        assert code == 2 and "--timeout" in err
        code, _, err = await cli(env, "send", "--to", "+15551230002", "--text", "hi", "--via", "sim-a")
        assert code == 2 and "--via: give modem:NAME, sim:ICCID or node:NAME" in err
        code, _, err = await cli(env, "send", "--to", "+15551230002", "--text", "hi", "--via", "modem:sim-z")
        assert code == 1 and err.startswith("modemgw: 400 invalid_request (via.modem)")
        code, _, err = await cli({**env, "MODEMGW_URL": "http://127.0.0.1:9"}, "messages")
        assert code == 3 and err.startswith("modemgw: cannot reach http://127.0.0.1:9")
