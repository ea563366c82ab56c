"""The console's pure parts: the password digest, the modems' history and sparkline, who
counts as local, and the guard that keeps other clients out unless `remote`."""

from __future__ import annotations

from collections import deque
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from modemgw.console import ConsoleSettings, create_app, history, password, views
from modemgw.console.auth import Sessions, Via, is_loopback
from modemgw.core import Core, Forbidden
from modemgw.sms import ConcatReferences


# -- the password ------------------------------------------------------------------------

def test_password_digest_is_salted_scrypt_and_matches_only_its_password():
    one, two = password.digest("correct horse battery"), password.digest("correct horse battery")
    assert one != two and one.startswith("scrypt$16384$8$1$")
    assert "correct" not in one
    assert password.matches("correct horse battery", one) and password.matches("correct horse battery", two)
    assert not password.matches("correct horse batterY", one)


@pytest.mark.parametrize("stored", ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AAAA$AAAA",
                                    "scrypt$16384$8$1$!!$??", "scrypt$16384$8$1$AAAA"])
def test_a_stored_text_that_cannot_be_read_matches_nothing(stored):
    assert not password.matches("anything at all", stored)


# -- sessions ------------------------------------------------------------------------------

def test_sessions_end_after_their_lifetime_and_at_close():
    now = [1000.0]
    sessions = Sessions(lambda: now[0], lifetime=60)
    token = sessions.open(Via.PASSWORD, stored="scrypt$...")
    found = sessions.find(token)
    assert found is not None and found.via is Via.PASSWORD and len(found.csrf) >= 40
    assert sessions.find(token + "x") is None and sessions.find(None) is None
    now[0] += 61
    assert sessions.find(token) is None
    other = sessions.open(Via.KEY, key_id=3)
    sessions.close(other)
    assert sessions.find(other) is None


def test_sessions_are_bounded():
    sessions = Sessions(lambda: 0.0)
    first = sessions.open(Via.KEY, key_id=1)
    for i in range(300):
        sessions.open(Via.KEY, key_id=i)
    assert sessions.find(first) is None and len(sessions._open) == 256


# -- who is local --------------------------------------------------------------------------

@pytest.mark.parametrize("remote, local", [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("192.168.1.20", False), ("10.0.0.1", False), ("::ffff:192.168.1.20", False), ("fe80::1%eth0", False),
    ("2001:db8::1", False), (None, False), ("", False), ("not an address", False)])
def test_loopback_addresses(remote, local):
    assert is_loopback(remote) is local


def _request(app, remote: str):
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (remote, 40000) if name == "peername" else default
    return make_mocked_request("GET", "/console/modems", app=app, transport=transport)


@pytest.mark.parametrize("remote_allowed, address, refused", [
    (False, "192.168.1.20", True), (False, "127.0.0.1", False), (True, "192.168.1.20", False)])
async def test_other_clients_are_refused_unless_remote(tmp_path, remote_allowed, address, refused):
    from modemgw.console import _guard
    core = Core(store=None, references=ConcatReferences())             # type: ignore[arg-type]
    app = create_app(core, ConsoleSettings(remote=remote_allowed))
    request = _request(app, address)
    assert request.remote == address

    async def handler(_request):
        return "served"
    if refused:
        with pytest.raises(Forbidden, match="only on this machine"):
            await _guard(request, handler)
    else:
        assert await _guard(request, handler) == "served"


# -- the modems' history -------------------------------------------------------------------

def _modem(**values):
    return {"name": "m1", "state": "ready", "error": None, "operator": "Op", "registration": 1,
            "signal_dbm": -71, **values}


def test_history_keeps_a_reading_a_minute_and_the_state_changes():
    now = [0.0]
    h = history.History(lambda: now[0])
    assert h.sample([_modem()]) is True                  # the first view is news
    assert h.sample([_modem()]) is False
    now[0] = 30.0
    assert h.sample([_modem(signal_dbm=-75)]) is True    # the page shows the signal: news
    assert [r.dbm for r in h.readings["m1"]] == [-71]    # but a reading a minute is kept
    now[0] = 61.0
    h.sample([_modem(state="recovering", error="a command timed out")])
    assert [r.dbm for r in h.readings["m1"]] == [-71, -71]
    assert [(c.state, c.error) for c in h.changes["m1"]] == [("ready", None),
                                                             ("recovering", "a command timed out")]


def test_history_is_bounded():
    now = [0.0]
    h = history.History(lambda: now[0])
    for i in range(500):
        now[0] = i * history.READING_EVERY
        h.sample([_modem(state="ready" if i % 2 else "offline")])
    assert len(h.readings["m1"]) == history.READINGS and len(h.changes["m1"]) == history.CHANGES


@pytest.mark.parametrize("dbms, points", [
    ((), ""),
    ((-80,), ""),
    ((None, None), ""),
    ((-113, -51), "0.0,24.0 120.0,0.0"),                 # weakest at the bottom, strongest at the top
    ((-120, -40, -82), "0.0,24.0 60.0,0.0 120.0,12.0"),  # clamped to the range AT+CSQ can report
    ((-82, None, -82), "0.0,12.0 120.0,12.0"),           # a missing reading leaves a gap in x
])
def test_sparkline_points(dbms, points):
    readings = deque(history.Reading(float(i), d) for i, d in enumerate(dbms))
    assert history.sparkline(readings) == points


# -- nothing of a login in the log ---------------------------------------------------------

@pytest.mark.parametrize("line, secret", [
    ("credential=correct-horse-battery&next=/console/", "correct-horse-battery"),
    ("{'credential': 'correct horse', 'csrf': 'Zx81abc'}", "Zx81abc"),
    ("Cookie: modemgw_console=Qw3rTy-uI0p; modemgw_console_login=AsDfGh", "Qw3rTy-uI0p"),
    ("Cookie: modemgw_console=Qw3rTy-uI0p; modemgw_console_login=AsDfGh", "AsDfGh"),
    ("X-CSRF-Token: Zx81abc", "Zx81abc"),
])
def test_the_consoles_secrets_are_masked_in_logs(line, secret):
    from modemgw.logs import redact
    assert secret not in redact(line)


def test_a_console_log_line_keeps_its_fields():
    from modemgw.logs import redact
    line = "console login remote=127.0.0.1 via=key key=3"
    assert redact(line) == line


# -- [console] in the configuration file ----------------------------------------------------

def test_console_section_of_the_config():
    from modemgw.config import Config, parse
    assert (Config().console_enabled, Config().console_remote, Config().console_key_login) == (False, False, True)
    c = parse("[console]\nenabled = true\nremote = true\nkey_login = false\n")
    assert (c.console_enabled, c.console_remote, c.console_key_login) == (True, True, False)


@pytest.mark.parametrize("text, message", [
    ("[console]\nenabled = 1\n", "<config>:2: console.enabled: expected true or false, got 1"),
    ("[console]\nport = 8081\n", "<config>:2: console.port: unknown key (known: enabled, key_login, remote)"),
])
def test_console_section_errors_name_the_key(text, message):
    from modemgw.config import ConfigError, parse
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert str(caught.value) == message


# -- a status report's TP-ST in words ------------------------------------------------------

@pytest.mark.parametrize("tp_st, words", [
    (0x00, "delivered (short message received by the SME)"),
    (0x30, "still trying (SC-specific status 0x30)"),
    (0x46, "failed (SM validity period expired)"),
    (0x62, "failed, SC stopped trying (no response from SME)"),
    # Reserved: the dispatcher counts it as "service rejected" (TS 23.040 section 9.2.3.15),
    # so the page must not call it delivered because it is below 0x20.
    (0x05, "failed, SC stopped trying (reserved status 0x05, treated as service rejected)"),
    (0x80, "failed, SC stopped trying (reserved status 0x80, treated as service rejected)"),
])
def test_report_kind_reads_tp_st_as_the_dispatcher_does(tp_st, words):
    assert views.report_kind(tp_st) == words
