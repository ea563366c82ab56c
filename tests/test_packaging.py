"""The systemd unit and the udev rules: they parse, and they agree with hardware-notes.md."""

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "udev" / "77-modemgw.rules"
UNIT = ROOT / "systemd" / "modemgw.service"
SIMULATOR_DROP_IN = ROOT / "systemd" / "modemgw.service.d" / "simulator.conf"

# udev(7): match keys use == / !=, assignment keys = += -= :=
_MATCH_KEYS = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "ENV", "ATTRS", "ATTR", "DRIVERS"}
_ASSIGN_KEYS = {"SYMLINK", "ENV", "GROUP", "MODE", "OWNER", "GOTO", "LABEL", "IMPORT", "TAG"}
_TOKEN = re.compile(r'\s*([A-Z_]+)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')


def parse_rules(text: str) -> list[list[tuple[str, str | None, str, str]]]:
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tokens, pos = [], 0
        while pos < len(line):
            m = _TOKEN.match(line, pos)
            assert m, f"{RULES.name}:{number}: cannot parse at column {pos + 1}: {line[pos:pos + 30]!r}"
            key, attr, op, value, _ = m.groups()
            if op in ("==", "!="):
                assert key in _MATCH_KEYS, f"line {number}: {key} is not a match key"
            else:
                assert key in _ASSIGN_KEYS, f"line {number}: {key} cannot be assigned"
            tokens.append((key, attr, op, value))
            pos = m.end()
        rules.append(tokens)
    return rules


def notes_table() -> dict[tuple[str, str], int]:
    text = (ROOT / "hardware-notes.md").read_text()
    section = text.split("## AT port by modem", 1)[1].split("\n## ", 1)[0]
    out = {}
    for row in re.finditer(r"^\|[^|]+\|\s*([0-9a-f]{4}):([0-9a-f]{4})\s*\|\s*(\d+)\s*\|", section, re.M):
        out[(row.group(1), row.group(2))] = int(row.group(3))
    return out


def test_rules_parse_and_match_hardware_notes():
    rules = parse_rules(RULES.read_text())
    found = {}
    for tokens in rules:
        env = {attr: value for key, attr, op, value in tokens if key == "ENV" and op == "=="}
        if "ID_VENDOR_ID" not in env:
            continue
        found[(env["ID_VENDOR_ID"], env["ID_MODEL_ID"])] = int(env["ID_USB_INTERFACE_NUM"])
        assigned = {(key, attr): value for key, attr, op, value in tokens if op in ("=", "+=")}
        assert assigned[("ENV", "ID_MM_DEVICE_IGNORE")] == "1"
        assert assigned[("GROUP", None)] == "dialout"
        assert assigned[("SYMLINK", None)].startswith("modemgw/")
    table = notes_table()
    assert len(table) >= 7
    assert found == table


def test_labels_and_gotos_agree():
    rules = parse_rules(RULES.read_text())
    gotos = {v for t in rules for k, _, _, v in t if k == "GOTO"}
    labels = {v for t in rules for k, _, _, v in t if k == "LABEL"}
    assert gotos and gotos <= labels


def _unit_for_here(tmp_path) -> Path:
    # verify checks that ExecStart exists: point it at this checkout's entry point.
    exe = shutil.which("modemgw") or str(Path(sys.executable).parent / "modemgw")
    unit = tmp_path / "modemgw.service"
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/modemgw", exe))
    return unit


def test_systemd_unit_verifies_with_the_simulator_drop_in(tmp_path):
    # verify reads drop-ins from <unit>.d next to the unit and warns about them by path.
    unit = _unit_for_here(tmp_path)
    (tmp_path / "modemgw.service.d").mkdir()
    shutil.copy(SIMULATOR_DROP_IN, tmp_path / "modemgw.service.d")
    result = subprocess.run([shutil.which("systemd-analyze") or "systemd-analyze", "verify", str(unit)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "modemgw.service" not in result.stderr, result.stderr


def test_pseudo_terminals_only_for_the_simulator():
    """Only simulated modems open /dev/ptmx and /dev/pts/N: the production unit denies them."""
    assert "char-pts" not in UNIT.read_text() and "ptmx" not in UNIT.read_text()
    drop_in = SIMULATOR_DROP_IN.read_text()
    assert "DeviceAllow=char-pts rw" in drop_in and "DeviceAllow=/dev/ptmx rw" in drop_in


def test_open_file_limit_has_room_for_the_connections():
    from modemgw.api.server import SPARE_FILES
    from modemgw.config import Config
    limit = re.search(r"^LimitNOFILE=(\d+)$", UNIT.read_text(), re.M)
    assert limit, "the unit sets no LimitNOFILE (systemd's default soft limit is 1024)"
    assert int(limit.group(1)) >= Config().max_connections + SPARE_FILES


def test_systemd_unit_verifies(tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed (Debian package systemd; .ci/run installs it)"
    result = subprocess.run([analyze, "verify", str(_unit_for_here(tmp_path))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "modemgw.service" not in result.stderr, result.stderr


def test_systemd_unit_essentials():
    text = UNIT.read_text()
    for line in ("Type=notify", "Restart=on-failure", "StateDirectory=modemgw", "User=modemgw",
                 "SupplementaryGroups=dialout", "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "ProtectHome=yes", "PrivateTmp=yes", "WatchdogSec="):
        assert line in text, line
    assert re.search(r"^RestrictAddressFamilies=.*AF_INET", text, re.M)


def test_systemd_exposure_is_low(tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze
    result = subprocess.run([analyze, "security", "--offline=yes", str(_unit_for_here(tmp_path))],
                            capture_output=True, text=True)
    score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)
    assert score, result.stdout[-500:] + result.stderr
    assert float(score.group(1)) <= 2.0  # docs/deployment.md reports the figure


def test_the_wheel_ships_the_consoles_templates_and_static_files(tmp_path):
    """Built from a copy of the tree with the installed setuptools (nothing downloaded), as
    `pip install` would build it: every template and static file is in the wheel, where
    `importlib.resources` finds them."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "modemgw", source / "modemgw", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                             "--no-index", "-q", str(source), "-w", str(tmp_path / "dist")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tmp_path / "dist").glob("modemgw-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    console = ROOT / "modemgw" / "console"
    shipped = {f"modemgw/console/{p.relative_to(console).as_posix()}"
               for folder in ("templates", "static") for p in (console / folder).iterdir()}
    assert {n for n in shipped if n.endswith((".html", ".css", ".js"))} >= {
        "modemgw/console/templates/base.html", "modemgw/console/static/console.css",
        "modemgw/console/static/console.js"}
    assert shipped <= names, sorted(shipped - names)
    assert "Requires-Dist: jinja2" in metadata
