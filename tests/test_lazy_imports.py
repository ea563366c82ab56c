"""A gateway loads what its configuration uses, and nothing else: a feature that is off
(the console, SMPP, the simulator, a dialect or receiver not enabled, PostgreSQL) costs
no memory, and neither does what is only needed on first use (phonenumbers on the first
number checked, the OpenAPI document on its first request, /metrics).

Each case is `modemgw serve --config FILE` run by the `modemgw` script's `main` in a fresh
interpreter (this one has imported most of these modules for other tests), and looks at
`sys.modules` once the gateway has started. The modem is on a port that does not exist:
its supervisor keeps trying to open it, and nothing else needs it. The names checked are
modules that exist, and the features' own are seen loaded once the feature is on, so that
a module renamed or moved makes the test fail instead of pass for nothing.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from modemgw.cli import COMMANDS, build_parser

PROGRAM = """
import json, os, signal, sys
from modemgw.cli import main                 # what the `modemgw` script runs
from modemgw.cli import serve
loaded = []
async def started(gateway):
    loaded.extend(sys.modules)
    os.kill(os.getpid(), signal.SIGTERM)     # run_gateway stops on it, as `modemgw serve` does
run_gateway = serve.run_gateway
serve.run_gateway = lambda config: run_gateway(config, started)
code = main(["serve", "--config", sys.argv[1]])
print(json.dumps(sorted(loaded)))
sys.exit(code)
"""

BASE = """
[api]
listen = "127.0.0.1:0"
[store]
path = "{db}"
[[modem]]
name = "m1"
port = "{tmp}/no-such-port"
"""

# Off in the default configuration, or loaded only on first use.
NEVER_BY_DEFAULT = (
    "modemgw.console", "jinja2", "markupsafe",               # [console] enabled = false
    "modemgw.smppd", "modemgw.smpp",                         # no [smpp] listen
    "modemgw.simulator",                                     # no [[simulator]]
    "modemgw.store.postgres", "asyncpg", "psycopg",          # the SQLite store
    "modemgw.identity",                                      # no modem named by usb_serial or imei
    "modemgw.api.openapi",                                   # built on GET /v1/openapi.json
    "modemgw.metrics",                                       # rendered on GET /metrics
    "phonenumbers",                                          # on the first number checked
    "yaml",
    # the other commands' code
    "modemgw.cli.client", "modemgw.cli.codec", "modemgw.cli.console", "modemgw.cli.demo", "modemgw.cli.keys",
    "modemgw.cli.probe", "modemgw.cli.send", "modemgw.cli.store", "modemgw.store.copy", "getpass",
)
DIALECTS = ("modemgw.dialects.smsprovider", "modemgw.dialects.cartboss", "modemgw.dialects.voximplant",
            "modemgw.dialects.smspm", "modemgw.dialects.twilio")
RECEIVERS = ("modemgw.receivers",)


def _loaded(tmp_path: Path, extra: str = "") -> set[str]:
    config = tmp_path / "gw.toml"
    config.write_text(BASE.format(db=tmp_path / "gw.db", tmp=tmp_path) + extra)
    out = subprocess.run([sys.executable, "-c", PROGRAM, str(config)], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def _under(loaded: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_the_names_are_modules():
    for name in (*NEVER_BY_DEFAULT, *DIALECTS, *RECEIVERS):
        if name.startswith("modemgw."):
            assert importlib.util.find_spec(name) is not None, name


def test_the_default_configuration_loads_no_feature_that_is_off(tmp_path):
    loaded = _loaded(tmp_path)
    assert _under(loaded, NEVER_BY_DEFAULT) == []
    # What is on by default is there: every dialect, the receivers, the API.
    assert set(DIALECTS) | {"modemgw.receivers.alertmanager", "modemgw.api.app", "modemgw.service"} <= loaded


def test_dialects_and_receivers_that_are_off_are_not_loaded(tmp_path):
    loaded = _loaded(tmp_path, '[dialects]\nenabled = ["voximplant"]\n[integrations]\nenabled = []\n')
    assert _under(loaded, tuple(d for d in DIALECTS if not d.endswith("voximplant"))) == []
    assert _under(loaded, RECEIVERS) == []
    assert _under(loaded, NEVER_BY_DEFAULT) == []
    assert "modemgw.dialects.voximplant" in loaded


def test_the_console_loads_jinja2_on_its_first_page_only(tmp_path):
    loaded = _loaded(tmp_path, '[console]\nenabled = true\n')
    assert "modemgw.console.render" in loaded
    assert _under(loaded, ("jinja2", "markupsafe")) == []


@pytest.mark.parametrize("extra,expected", [
    ('[console]\nenabled = true\n', "modemgw.console"),
    ('[smpp]\nlisten = "127.0.0.1:0"\n', "modemgw.smppd"),
    ('[[simulator]]\nname = "sim-a"\n', "modemgw.simulator"),
    ('[dialects]\nenabled = ["twilio"]\n', "modemgw.dialects.twilio"),
    ('[integrations]\nenabled = ["grafana"]\n', "modemgw.receivers.grafana"),
    ('[integrations.groups]\noncall = ["+15551230001"]\n', "phonenumbers"),   # numbers checked at start
])
def test_a_feature_that_is_on_is_loaded(tmp_path, extra, expected):
    # The other side of the tests above: these names are the features' modules.
    assert expected in _loaded(tmp_path, extra)


def test_each_command_is_parsed_with_its_own_module_alone(capsys):
    # `modemgw COMMAND` registers only COMMANDS[COMMAND]'s group: that group must know it.
    for command in COMMANDS:
        with pytest.raises(SystemExit) as exit_:
            build_parser(command).parse_args([command, "-h"])
        assert exit_.value.code == 0, command
        assert capsys.readouterr().out.startswith(f"usage: modemgw {command} "), command
    # and the full parser (`modemgw -h`) has no command that COMMANDS lacks but `simulate`
    with pytest.raises(SystemExit):
        build_parser().parse_args(["-h"])
    listed = {line.split()[0] for line in capsys.readouterr().out.split("COMMAND\n", 1)[1].split("\n\n")[0]
              .splitlines() if line.startswith("    ") and not line[4].isspace()}
    assert listed == set(COMMANDS) | {"simulate"}
