"""The console in a real browser: Debian's headless Chromium driven by Selenium against a
whole gateway on simulated modems. Log in, send from the form (with its live preview),
watch the message turn delivered without a reload, see an inbound message arrive and an
alert refused by a receiver show on the Alerts page, and take a screenshot of every page
(docs/console.md shows them: set MODEMGW_CONSOLE_SCREENSHOTS=docs/console to write them
there).

Selenium blocks, so each browser call runs in a thread while the gateway serves on the
test's event loop. The browser is started with a fresh profile and everything that would
reach the network switched off; the gateway listens on loopback only.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from modemgw.config import IntegrationsConfig, SimulatorConfig
from modemgw.console.history import READING_EVERY, Reading
from modemgw.console.state import STATE
from test_console_harness import config, delivered, running_gateway, serving_hook, until
from test_receivers_alertmanager import AM, alert, notification

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")
DESKTOP, PHONE = (1280, 900), (390, 844)
PAGES = ("modems", "queue", "messages", "message", "inbox", "outbox", "keys")   # + login, send, alerts: on the way


@pytest.fixture
def chrome(tmp_path):
    assert os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER), \
        "Debian's chromium and chromium-driver are needed (.ci/run installs them)"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    # The driver given by path: Selenium Manager, which would look for one online, is not run.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


class Browser:
    """The driver's calls, each in a thread (they block)."""

    def __init__(self, driver, base: str, shots: Path) -> None:
        self.driver, self.base, self.shots = driver, base, shots

    async def call(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    async def open(self, path: str) -> None:
        await self.call(self.driver.get, self.base + path)

    async def find(self, css: str):
        return await self.call(self.driver.find_element, By.CSS_SELECTOR, css)

    async def type(self, css: str, text: str) -> None:
        element = await self.find(css)
        await self.call(element.clear)
        await self.call(element.send_keys, text)

    async def click(self, css: str) -> None:
        await self.call((await self.find(css)).click)

    async def text(self, css: str) -> str:
        return await self.call(inner_text, self.driver, css)

    async def script(self, source: str, *args):
        return await self.call(self.driver.execute_script, source, *args)

    async def wait(self, predicate, timeout: float = 20.0, what: str = "the page") -> None:
        def run():
            WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(predicate, what)
        await self.call(run)

    async def shot(self, name: str, size: tuple[int, int] = DESKTOP) -> Path:
        await self.call(self.driver.set_window_size, *size)
        path = self.shots / f"{name}.png"
        await self.call(self.driver.save_screenshot, str(path))
        await self.call(self.driver.set_window_size, *DESKTOP)
        return path


def inner_text(driver, css: str) -> str:
    """In one call: a live page may swap the element between finding it and reading it."""
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''",
                                 css)


def _shots(tmp_path: Path) -> Path:
    target = os.environ.get("MODEMGW_CONSOLE_SCREENSHOTS")
    path = Path(target) if target else tmp_path / "shots"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def _refuse(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(status=503)


def _console_state(gateway):
    for resource in gateway.runner.app.router.resources():
        app = resource.get_info().get("app")
        if app is not None and STATE in app:
            return app[STATE]
    raise AssertionError("no console mounted")


async def test_log_in_send_watch_it_delivered_and_see_an_inbound_message(chrome, tmp_path):
    shots = _shots(tmp_path)
    async with serving_hook(_refuse) as hook:
        # Slow enough to watch: the page is up long before the status report comes.
        cfg = config(str(tmp_path / "gw.db"), webhook_url=hook, integrations=IntegrationsConfig(recipient_limit=3),
                     simulators=(SimulatorConfig("sim-a", latency=0.5, report_delay=3.0),
                                 SimulatorConfig("sim-b", profile="sim800", report_delay=0.2)))
        async with running_gateway(cfg) as gateway:
            b = Browser(chrome, gateway.url, shots)
            _, key = await gateway.store.create_key("operator")

            # -- log in ------------------------------------------------------------------------
            await b.open("/console/send")
            assert "/console/login" in chrome.current_url
            await b.shot("login")
            await b.type("#credential", key)
            await b.click("form.login button")
            await b.wait(lambda d: d.current_url.endswith("/console/send"), what="the send page")
            cookies = {c["name"]: c for c in chrome.get_cookies()}
            assert cookies["modemgw_console"]["httpOnly"] and cookies["modemgw_console"]["sameSite"] == "Strict"
            assert await b.script("return document.cookie") == ""       # HttpOnly: no script sees it

            # -- the form's live preview, then send -----------------------------------------------
            await b.type("#to", "+15551230001")
            await b.type("#text", "Olá! Ваш код: 4711")
            await b.wait(lambda d: "UCS-2" in inner_text(d, "#preview"), what="the preview")
            preview = await b.text("#preview")
            assert "1 segment" in preview and "á" in preview and "Ш" not in preview and "ш" in preview
            await b.shot("send")
            await b.click("form.send button[type=submit]")
            await b.wait(lambda d: "/console/messages/msg_" in d.current_url, what="the message page")
            message_id = chrome.current_url.rsplit("/", 1)[1]
            assert await b.text("#status") in ("queued", "sent")
            await b.script("window.sameDocument = true")

            # -- delivered, without a reload -------------------------------------------------------
            await b.wait(lambda d: inner_text(d, "#status") == "delivered", timeout=30,
                         what="the status turning delivered")
            assert await b.script("return window.sameDocument") is True
            assert int(await b.script("return document.body.dataset.refreshed")) >= 1
            assert (await gateway.store.get_message(message_id))["status"] == "delivered"
            assert "live-state on" in await b.script("return document.getElementById('live-state').className")

            # -- an inbound message, on the inbox page as it comes ---------------------------------
            await b.open("/console/inbox")
            await b.script("window.sameDocument = true")
            gateway.simulators["sim-b"].inject_sms("+4479000001", "Reply: yes, see you at 6 (Grüße)")
            await b.wait(lambda d: "+4479000001" in inner_text(d, "#live"), timeout=30,
                         what="the inbound message")
            assert "Reply: yes, see you at 6 (Grüße)" in await b.text("#live")
            assert await b.script("return window.sameDocument") is True

            # -- a notification refused by a receiver: no event in the log, yet the page shows it ---
            await b.open("/console/alerts")
            await b.script("window.sameDocument = true")
            async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
                async with http.post(AM + "?to=+447700900101", data=b'{"status": "firing"}') as r:
                    assert r.status == 400
            await b.wait(lambda d: "alerts must be a non-empty list" in inner_text(d, "#live"), timeout=30,
                         what="the refused notification on the Alerts page")
            assert await b.script("return window.sameDocument") is True

            # -- a phone's screen: nothing wider than the screen ----------------------------------
            await b.call(chrome.set_window_size, *PHONE)
            for page in ("modems", "messages", "inbox", "alerts", f"messages/{message_id}"):
                await b.open(f"/console/{page}")
                wide = await b.script("return document.documentElement.scrollWidth - window.innerWidth")
                assert wide <= 0, f"/console/{page} is {wide} px wider than a phone's screen"
            await b.call(chrome.set_window_size, *DESKTOP)

            # -- every page, for docs/console.md ---------------------------------------------------
            await _populate(gateway, b)
            for page in PAGES:
                path = f"/console/messages/{message_id}" if page == "message" else f"/console/{page}"
                await b.open(path)
                shot = await b.shot(page)
                assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            await _storm(gateway, key)            # after the queue's shot, which it would fill
            await b.open("/console/alerts")
            await b.shot("alerts")
            await b.open("/console/modems")
            await b.shot("modems-phone", PHONE)
            logs = [e for e in await b.call(chrome.get_log, "browser") if e["level"] == "SEVERE"]
            assert logs == [], logs            # no script error, nothing the CSP refused


async def _storm(gateway, key: str) -> None:
    """Five alerts to two numbers allowed three SMS each, one sent again, and a number that is none."""
    async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
        for i, name in enumerate(("HighLoad", "DiskFull", "HighLoad", "ProbeFailure", "HighLoad", "HighLoad")):
            body = notification([alert(min(i, 4), name)], group=name)
            async with http.post(AM + "?to=+447700900101,+447700900102", data=body) as r:
                assert r.status == 200, await r.text()
        async with http.post(AM + "?to=+447700900103,01234", data=notification([alert(9, "ModemDown")])) as r:
            assert r.status == 200, await r.text()


async def _populate(gateway, b: Browser) -> None:
    """A failed, an expired, a long and a scheduled message; a failing webhook; and the modems'
    history filled in (simulated modems report one signal, and a reading is kept a minute)."""
    for sim in gateway.simulators.values():       # whichever modem sends them
        sim.network.report_status["+15551230404"] = 0x43
        sim.network.report_status["+15551230410"] = 0x46
    _, key = await gateway.store.create_key("shop")
    async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 86400))
        ids = []
        for body in ({"to": "+15551230404", "text": "Your parcel is on its way"},
                     {"to": "+15551230410", "text": "Table for two at 8 pm: confirmed"},
                     {"to": "+15551230002", "text": "Weekly report: " + "all systems normal. " * 12},
                     {"to": "+15551230003", "text": "Reminder: maintenance tomorrow", "scheduled_at": later}):
            async with http.post("/v1/messages", json=body) as r:
                assert r.status == 200, await r.text()
                ids.append((await r.json())["id"])
    await delivered(gateway, ids[0], "failed")
    await delivered(gateway, ids[1], "expired")

    async def failing():
        return await gateway.store.webhook_deliveries(failing=True)
    await until(failing, what="a failing webhook delivery")
    state = _console_state(gateway)
    now = time.time()
    for name, base in (("sim-a", -71), ("sim-b", -83)):
        wave = (0, 2, 3, 1, -2, -4, -3, 0, 2, 4, 3, 1, -1, -6, -9, -5, -2, 0, 1, 2)
        state.history.readings[name].clear()
        state.history.readings[name].extend(
            Reading(now - (len(wave) - i) * READING_EVERY, base + w) for i, w in enumerate(wave))
