"""The HTTP server under the API (modemgw/api/server.py), driven with raw sockets on
loopback: requests aiohttp's parser refuses, secrets in the log, and connections
held open by slow or idle clients.

Timeouts are configured small and the tests wait on what a client can observe (the
answer, the server closing the socket), never on a sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import resource
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from modemgw.api import create_app
from modemgw.api.server import Limits, serve
from modemgw.config import ConfigError, parse
from modemgw.logs import RedactingFilter
from modemgw.sms import ConcatReferences
from modemgw.store import Store

SLOW = 60.0                 # a limit the test does not reach
WAIT = 10.0                 # how long a test waits for something that must happen soon


@dataclass
class Running:
    port: int
    key: str
    entered: asyncio.Queue   # one item per /metrics request that has reached its handler
    release: asyncio.Event   # lets the /metrics handlers answer


@contextlib.asynccontextmanager
async def gateway(database: str, *, header=SLOW, body=SLOW, keepalive=SLOW,
                  connections=100) -> AsyncIterator[Running]:
    store = Store(database)
    await store.open()
    _, key = await store.create_key("tests")
    entered: asyncio.Queue = asyncio.Queue()
    release = asyncio.Event()

    async def metrics() -> str:     # a handler the test holds busy
        entered.put_nowait(1)
        await release.wait()
        return ""

    app = create_app(store, references=ConcatReferences(), metrics=metrics)
    runner = await serve(app, "127.0.0.1", 0, Limits(header_timeout=header, body_timeout=body,
                                                     keepalive_timeout=keepalive,
                                                     max_connections=connections))
    try:
        yield Running(runner.addresses[0][1], key, entered, release)
    finally:
        release.set()
        await runner.cleanup()
        await store.close()


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    async with asyncio.timeout(WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers, body


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """Waits for the server to close the connection (reading and dropping any answer)."""
    try:
        async with asyncio.timeout(WAIT):
            while await reader.read(65536):
                pass
    except ConnectionResetError:
        pass
    return True


def request(path: str, key: str | None = None, *, method: str = "GET", extra: str = "") -> bytes:
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    return f"{method} {path} HTTP/1.1\r\nHost: gateway\r\n{auth}{extra}\r\n".encode()


# -- requests the parser refuses ------------------------------------------------------------


@pytest.mark.parametrize("where", ["header", "request line"])
async def test_an_over_long_line_is_answered_in_json_and_its_secret_goes_nowhere(database, caplog, where):
    caplog.set_level(logging.DEBUG)
    async with gateway(database) as gw:
        secret = gw.key.removeprefix("mgw_")
        padding = "x" * (9000 if where == "header" else 33000)
        if where == "header":
            raw = (f"GET /v1/messages HTTP/1.1\r\nHost: gateway\r\n"
                   f"Authorization: Bearer {gw.key}{padding}\r\n\r\n")
        else:
            raw = f"GET /v1/messages?token={secret}{padding} HTTP/1.1\r\nHost: gateway\r\n\r\n"
        reader, writer = await connect(gw.port)
        writer.write(raw.encode())
        status, headers, body = await read_answer(reader)
        assert await closed_by_server(reader)
        writer.close()
    assert status == 400 and headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_request" and set(error) == {"code", "message"}
    assert ("8190 bytes" if where == "header" else "32768 bytes") in error["message"]
    assert headers.get("x-request-id")
    assert secret[:12] not in body.decode() and "xxxx" not in body.decode()
    assert secret[:12] not in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_garbage_instead_of_http_gets_the_json_error(database, caplog):
    caplog.set_level(logging.DEBUG)
    async with gateway(database) as gw:
        reader, writer = await connect(gw.port)
        writer.write(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n")  # a TLS hello
        status, _, body = await read_answer(reader)
        writer.close()
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_request"
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("line, secret, source", [
    ("Error handling request: b'Bearer mgw_SECRET1234567'", "SECRET1234567", "aiohttp LineTooLong text"),
    ("headers: {'Authorization': 'Basic dXNlcjpwYXNzd29yZA=='}", "dXNlcjpwYXNz", "a repr of headers"),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNz", "an HTTP header line"),
    ("GET /v1/messages?limit=5&token=SECRET1234567 HTTP/1.1", "SECRET1234567", "an access-log line"),
    ("row {'id': 1, 'hash': 'a94a8fe5ccb19ba6', 'name': 'x'}", "a94a8fe5ccb19ba6", "a key row"),
    ("webhook_secret=abcdef0123456789", "abcdef0123456789", "a key=value field"),
])
def test_secrets_are_masked_in_messages_and_tracebacks(caplog, line, secret, source):
    logger = logging.getLogger("modemgw.test.redaction")
    logger.addFilter(RedactingFilter())
    caplog.set_level(logging.INFO)
    logger.info("%s", line)
    try:
        raise ValueError(line)
    except ValueError:
        logger.exception("failed")
    assert secret not in caplog.text, source
    assert "failed" in caplog.text and "ValueError" in caplog.text


# -- time limits ------------------------------------------------------------------------------


async def test_a_connection_that_sends_nothing_is_closed_after_header_timeout(database):
    async with gateway(database, header=0.3) as gw:
        reader, writer = await connect(gw.port)
        assert await closed_by_server(reader)
        writer.close()


async def test_a_head_sent_byte_by_byte_is_cut_off_at_header_timeout(database):
    async with gateway(database, header=0.5) as gw:
        reader, writer = await connect(gw.port)
        head = request("/healthz") * 1000     # far more than the time allows

        async def dribble() -> None:
            with contextlib.suppress(ConnectionError):
                for byte in head:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(0.02)  # the slow client's pace, not a synchronisation

        sending = asyncio.create_task(dribble())
        started = asyncio.get_running_loop().time()
        assert await closed_by_server(reader)
        assert asyncio.get_running_loop().time() - started < 5   # not after 1000 heads' time
        sending.cancel()
        writer.close()


async def test_an_idle_keep_alive_connection_is_closed_after_keepalive_timeout(database):
    async with gateway(database, keepalive=0.3) as gw:
        reader, writer = await connect(gw.port)
        writer.write(request("/healthz"))
        status, headers, _ = await read_answer(reader)
        assert status == 200 and headers.get("connection", "").lower() != "close"
        assert await closed_by_server(reader)
        writer.close()


async def test_a_body_that_does_not_arrive_in_time_is_answered_and_closed(database):
    async with gateway(database, body=0.3) as gw:
        reader, writer = await connect(gw.port)
        writer.write(request("/v1/messages", gw.key, method="POST", extra="Content-Length: 100\r\n")
                     + b'{"to": "+1')
        status, _, body = await read_answer(reader)
        assert await closed_by_server(reader)
        writer.close()
    assert status == 400 and json.loads(body)["error"]["field"] == "body"


async def test_a_client_leaving_mid_body_logs_no_traceback(database, caplog):
    caplog.set_level(logging.INFO)
    logged = asyncio.Event()

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "path=/v1/messages" in record.getMessage() and "status=" in record.getMessage():
                logged.set()

    seen = Seen()
    logging.getLogger("modemgw.api").addHandler(seen)
    try:
        async with gateway(database) as gw:
            reader, writer = await connect(gw.port)
            writer.write(request("/v1/messages", gw.key, method="POST", extra="Content-Length: 100\r\n")
                         + b'{"to": ')
            await writer.drain()
            writer.close()
            async with asyncio.timeout(WAIT):
                await logged.wait()
    finally:
        logging.getLogger("modemgw.api").removeHandler(seen)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


# -- the connection cap --------------------------------------------------------------------


async def test_slow_and_idle_clients_past_the_cap_do_not_starve_a_client(database):
    cap = 8
    async with gateway(database, connections=cap) as gw:
        idle = [await connect(gw.port) for _ in range(cap)]
        slow = [await connect(gw.port) for _ in range(4)]
        for _, writer in slow:
            writer.write(b"GET /v1/messages HT")          # a head never finished
            await writer.drain()
        started = asyncio.get_running_loop().time()
        reader, writer = await connect(gw.port)
        writer.write(request("/v1/messages", gw.key))
        status, _, body = await read_answer(reader)
        answered = asyncio.get_running_loop().time() - started
        assert status == 200 and json.loads(body)["data"] == []
        assert answered < 2.0
        # The server made room by closing the connections that had waited longest.
        for reader_, _ in idle[:5]:
            assert await closed_by_server(reader_)
        for _, w in idle + slow + [(reader, writer)]:
            w.close()


async def test_past_the_cap_with_every_connection_handling_a_request_answers_503(database):
    async with gateway(database, connections=2) as gw:
        busy = []
        for _ in range(2):
            r, w = await connect(gw.port)
            w.write(request("/metrics", gw.key))
            busy.append((r, w))
            async with asyncio.timeout(WAIT):
                await gw.entered.get()        # its handler is running
        reader, writer = await connect(gw.port)
        writer.write(request("/v1/messages", gw.key))
        status, headers, body = await read_answer(reader)
        assert await closed_by_server(reader)
        assert status == 503 and headers["retry-after"] == "1"
        assert json.loads(body)["error"]["code"] == "server_error" and headers.get("x-request-id")
        gw.release.set()
        for r, w in busy:
            assert (await read_answer(r))[0] == 200
            w.close()
        writer.close()


async def test_a_cap_above_the_open_file_limit_is_reported(database, caplog):
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 2**20
    caplog.set_level(logging.WARNING)
    async with gateway(database, connections=soft):
        pass
    assert "open-file limit" in caplog.text


def test_the_limits_are_api_config_keys():
    config = parse("[api]\nheader_timeout = 5\nbody_timeout = 20.5\nkeepalive_timeout = 30\n"
                   "max_connections = 64\n")
    assert (config.header_timeout, config.body_timeout, config.keepalive_timeout,
            config.max_connections) == (5, 20.5, 30, 64)
    with pytest.raises(ConfigError, match=r"api.max_connections: must be positive"):
        parse("[api]\nmax_connections = 0\n")
    with pytest.raises(ConfigError, match=r"api.header_timeout: must be positive"):
        parse("[api]\nheader_timeout = -1\n")
