"""[smpp] in the config file, the TLS listener, and a gateway without SMPP loading none of it."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys

import pytest

from modemgw.config import ConfigError, SmppConfig, parse
from modemgw.smpp import EnquireLink, EnquireLinkResp
from test_smpp_server import Raw, credentials, gateway_config, started

# A self-signed certificate for 127.0.0.1 and localhost (P-256, valid until 2126), made with
# openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
# -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost": for tests only.
CERTIFICATE = """-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUGsZ2Zyxr+lVIN0fDMkXCuSQFnfIwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNzE1MTkyOVoYDzIxMjYxMTEz
MTUxOTI5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATv7y9odGvivaEiEK6BY0L6JLziXS7XSz5OonvUpV72UwOU0tnXVxoG
LlO3rveGVPKTI7pPSPgzDEu2H61q8DoBo28wbTAdBgNVHQ4EFgQUSUZi4+7TaIl9
xF61y+XFq37n8eIwHwYDVR0jBBgwFoAUSUZi4+7TaIl9xF61y+XFq37n8eIwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIhAKalY/XVeCKE+leZj38xXT6QS0FBxbpP/PUWalsXHG7+AiAt
oWEEfbRF+2Edg5DkuhYlK0VKFiraH/a+TijH2qShSw==
-----END CERTIFICATE-----
"""
KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9vxMEwv5SLXHHwmZ
2n6/ThTbN37giXu/1GczPiqfEA+hRANCAATv7y9odGvivaEiEK6BY0L6JLziXS7X
Sz5OonvUpV72UwOU0tnXVxoGLlO3rveGVPKTI7pPSPgzDEu2H61q8DoB
-----END PRIVATE KEY-----
"""


def test_smpp_is_off_by_default_and_read_from_its_table():
    assert parse("").smpp == SmppConfig() and SmppConfig().listen is None
    c = parse('[smpp]\nlisten = "127.0.0.1:2775"\ntls_listen = "[::]:3550"\ncertificate = "c.pem"\n'
              'key = "k.pem"\nmax_sessions = 8\nwindow = 20\nenquire_link = 15\n').smpp
    assert (c.listen, c.tls_listen, c.max_sessions, c.window, c.enquire_link) == \
        (("127.0.0.1", 2775), ("::", 3550), 8, 20, 15)


@pytest.mark.parametrize("text,expected", [
    ('[smpp]\nlisten = "2775"\n', "<config>:2: smpp.listen: expected HOST:PORT"),
    ('[smpp]\ntls_listen = "0.0.0.0:3550"\n', "<config>:2: smpp.tls_listen: needs certificate and key"),
    ('[smpp]\nwindow = 0\n', "<config>:2: smpp.window: must be positive"),
    ('[smpp]\nport = 2775\n', "<config>:2: smpp.port: unknown key"),
    ('[smpp]\nenquire_link = "often"\n', "<config>:2: smpp.enquire_link: expected a number"),
])
def test_smpp_config_errors_name_the_key(text, expected):
    with pytest.raises(ConfigError) as err:
        parse(text)
    assert str(err.value).startswith(expected)


def test_the_service_does_not_import_the_smpp_server():
    out = subprocess.run([sys.executable, "-c", "import sys, modemgw.service, modemgw.config; "
                                               "print([m for m in sys.modules if m.startswith('modemgw.smpp')])"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_tls_listener(tmp_path, database):
    (tmp_path / "c.pem").write_text(CERTIFICATE)
    (tmp_path / "k.pem").write_text(KEY)
    config = gateway_config(database)
    config = type(config)(**{**config.__dict__, "smpp": SmppConfig(
        tls_listen=("127.0.0.1", 0), certificate=str(tmp_path / "c.pem"), key=str(tmp_path / "k.pem"))})
    gateway = await started(config)
    try:
        assert len(gateway.smpp.addresses) == 1
        context = ssl.create_default_context(cadata=CERTIFICATE)
        raw = Raw(*await asyncio.open_connection("127.0.0.1", gateway.smpp.addresses[0][1], ssl=context))
        assert (await raw.bind(await credentials(gateway))).status == 0
        await raw.send(EnquireLink(sequence=2))
        assert isinstance(await raw.recv(), EnquireLinkResp)
        raw.writer.close()
    finally:
        await gateway.stop()


async def test_no_smpp_server_without_its_table(database):
    config = gateway_config(database)
    gateway = await started(type(config)(**{**config.__dict__, "smpp": SmppConfig()}))
    try:
        assert gateway.smpp is None
    finally:
        await gateway.stop()
