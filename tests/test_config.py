"""The configuration file: documented keys, defaults, and errors naming file, key and line."""

import pytest

from modemgw.config import ConfigError, load, parse

GOOD = """\
[api]
listen = "0.0.0.0:9090"
default_region = "GB"

[store]
path = "/var/lib/modemgw/modemgw.db"

[webhooks]
default_url = "https://example.org/hooks/sms"

[[modem]]
name = "ec25"
port = "/dev/modemgw/ec25-0123"
pin = "1234"
per_minute = 20
per_day = 2000
routes = ["+44"]

[[modem]]
name = "sim800"
usb_serial = "A50285BI"
interface = 0
baudrate = 115200

[[simulator]]
name = "sim-a"
latency = 0.2
"""


def test_good_config():
    c = parse(GOOD, "gw.toml")
    assert (c.listen_host, c.listen_port, c.default_region) == ("0.0.0.0", 9090, "GB")
    assert c.database == "/var/lib/modemgw/modemgw.db"
    assert c.webhook_url == "https://example.org/hooks/sms"
    assert [m.name for m in c.modems] == ["ec25", "sim800"]
    assert c.modems[0].routes == ("+44",) and c.modems[0].per_minute == 20
    assert c.modems[1].usb_serial == "A50285BI" and c.modems[1].interface == 0
    assert c.simulators[0].latency == 0.2


def test_defaults():
    c = parse("", "empty.toml")
    assert (c.listen_host, c.listen_port) == ("127.0.0.1", 8080)
    assert c.modems == () and c.delivery_policy == "at_most_once" and c.webhook_retry_hours == 48


@pytest.mark.parametrize("text,expected", [
    ('[api]\nlisten = "nope"\n', "gw.toml:2: api.listen: expected HOST:PORT"),
    ('[api]\nlisten = 8080\n', "gw.toml:2: api.listen: expected a string"),
    ('[api]\nport = 1\n', "gw.toml:2: api.port: unknown key"),
    ('[apy]\n', "unknown section [apy]"),
    ('[[modem]]\nname = "a"\nport = "/dev/x"\nbaudrate = "fast"\n',
     'gw.toml:4: modem[0].baudrate: expected an integer, got \'fast\''),
    ('[[modem]]\nname = "a"\n', "gw.toml:1: modem[0]: give exactly one of port, usb_serial or imei"),
    ('[[modem]]\nname = "a"\nport = "/dev/x"\n\n[[modem]]\nname = "b"\nport = "/dev/y"\npin = "12"\n',
     "gw.toml:8: modem[1].pin: a SIM PIN is 4 to 8 digits"),
    ('[[modem]]\nname = "a"\nport = "/dev/x"\n[[simulator]]\nname = "a"\n',
     "gw.toml:5: simulator[0].name: duplicate modem name 'a'"),
    ('[[simulator]]\nname = "s"\nprofile = "nokia"\n', "gw.toml:3: simulator[0].profile: known profiles"),
    ('[api\n', "gw.toml: "),                                   # TOML syntax: tomllib gives line/col
    ('[sending]\ndelivery_policy = "maybe"\n', "gw.toml:2: sending.delivery_policy"),
])
def test_errors_name_file_key_and_line(text, expected):
    with pytest.raises(ConfigError) as info:
        parse(text, "gw.toml")
    assert expected in str(info.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load(tmp_path / "missing.toml")


def test_an_integer_too_long_to_convert_is_a_config_error():
    with pytest.raises(ConfigError, match="4300"):
        parse("[api]\nrate_limit_per_minute = " + "9" * 5000 + "\n")
