"""The configuration file: TOML, read with tomllib, checked before anything starts.

Every error names the file, the key and the line, e.g.
`/etc/modemgw.toml:12: modem[1].baudrate: expected an integer, got "fast"`.
See docs/configuration.md for every key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The other providers' APIs modemgw serves (modemgw/dialects/), all on by default. Named
# here, not imported: a dialect that is switched off is never loaded.
DIALECTS: tuple[str, ...] = ("smsprovider", "cartboss", "voximplant", "smspm", "twilio")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ModemConfig:
    name: str
    port: str | None = None
    usb_serial: str | None = None
    interface: int | None = None       # USB interface number of the AT port, with usb_serial
    imei: str | None = None
    baudrate: int = 115200
    pin: str | None = None
    smsc: str | None = None
    per_minute: float | None = None
    per_day: int | None = None
    routes: tuple[str, ...] = ()
    senders: tuple[str, ...] = ()
    submit_timeout: float = 120.0


@dataclass(frozen=True)
class SimulatorConfig:
    name: str
    profile: str = "generic"
    latency: float = 0.0
    report_delay: float = 0.5
    report_status: int = 0
    per_minute: float | None = None
    per_day: int | None = None


@dataclass(frozen=True)
class Config:
    path: str | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    default_region: str | None = None
    allow_short_codes: bool = False    # national short codes (84424) sent as given
    rate_limit_per_minute: int = 600
    header_timeout: float = 10.0        # s for a request's head (api/server.py)
    body_timeout: float = 30.0          # s for its body, from the end of the head
    keepalive_timeout: float = 75.0     # s an idle connection stays open
    max_connections: int = 512
    database: str = "modemgw.db"
    webhook_url: str | None = None
    webhook_retry_hours: float = 48.0
    webhook_timeout: float = 10.0
    delivery_policy: str = "at_most_once"
    unknown_window: float = 600.0          # s a part in doubt waits for a report before its policy
    report_window: float = 7 * 86400.0     # s a sent part waits for its report before it expires
    national_languages: tuple[str, ...] = ()
    log_format: str = "text"
    modems: tuple[ModemConfig, ...] = ()
    simulators: tuple[SimulatorConfig, ...] = field(default_factory=tuple)
    # [dialects]: the other providers' APIs served beside the native one
    dialects: tuple[str, ...] = DIALECTS
    dialect_settings: dict[str, dict[str, Any]] = field(default_factory=dict)   # [dialects.<name>]


_SECTIONS: dict[str, dict[str, tuple[type | tuple[type, ...], str]]] = {
    "api": {"listen": (str, "listen"), "default_region": (str, "default_region"),
            "allow_short_codes": (bool, "allow_short_codes"),
            "rate_limit_per_minute": (int, "rate_limit_per_minute"),
            "header_timeout": ((int, float), "header_timeout"), "body_timeout": ((int, float), "body_timeout"),
            "keepalive_timeout": ((int, float), "keepalive_timeout"),
            "max_connections": (int, "max_connections")},
    "store": {"path": (str, "database")},
    "webhooks": {"default_url": (str, "webhook_url"), "retry_hours": ((int, float), "webhook_retry_hours"),
                 "timeout": ((int, float), "webhook_timeout")},
    "sending": {"delivery_policy": (str, "delivery_policy"), "national_languages": (list, "national_languages"),
                "unknown_window": ((int, float), "unknown_window"),
                "report_window": ((int, float), "report_window")},
    "log": {"format": (str, "log_format")},
}
_MODEM_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "port": str, "usb_serial": str, "interface": int, "imei": str, "baudrate": int, "pin": str, "smsc": str,
    "per_minute": (int, float), "per_day": int, "routes": list, "senders": list,
    "submit_timeout": (int, float)}
_SIM_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "profile": str, "latency": (int, float), "report_delay": (int, float),
    "report_status": int, "per_minute": (int, float), "per_day": int}
_TYPE_NAMES = {str: "a string", int: "an integer", list: "a list", (int, float): "a number",
               bool: "true or false"}


class _Locator:
    """Finds the line of a key: tomllib reports lines only for syntax errors."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def line(self, section: str | None, key: str | None, index: int | None = None) -> int | None:
        header = None
        if section is not None:
            header = re.compile(r"^\s*\[\[\s*%s\s*\]\]" % re.escape(section) if index is not None
                                else r"^\s*\[\s*%s\s*\]" % re.escape(section))
        seen, inside = -1, section is None
        for number, text in enumerate(self.lines, start=1):
            if header is not None and header.match(text):
                seen += 1
                inside = index is None or seen == index
                if inside and key is None:
                    return number
                continue
            if re.match(r"^\s*\[", text):
                inside = False
                continue
            if inside and key is not None and re.match(r"^\s*%s\s*=" % re.escape(key), text):
                return number
        return None


def _check(value: Any, expected: type | tuple[type, ...]) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == (int, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, expected)  # type: ignore[arg-type]


def load(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return parse(text, str(path))


def parse(text: str, name: str = "<config>") -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    except ValueError as exc:
        # tomllib converts integers with int(): one of over 4,300 digits fails there.
        raise ConfigError(f"{name}: {exc}") from None
    where = _Locator(text)

    def fail(section: str | None, key: str | None, message: str, index: int | None = None) -> None:
        line = where.line(section, key, index)
        label = key if section is None else (
            f"{section}[{index}].{key}" if index is not None and key else
            f"{section}[{index}]" if index is not None else f"{section}.{key}")
        raise ConfigError(f"{name}:{line or '?'}: {label}: {message}")

    values: dict[str, Any] = {"path": name}
    for section, table in data.items():
        if section in ("modem", "simulator"):
            continue
        if section == "dialects":
            _dialects(table, values, fail)
            continue
        if section not in _SECTIONS:
            fail(None, None, f"unknown section [{section}] (known: {', '.join(sorted(_SECTIONS))}, "
                             "[[modem]], [[simulator]])")
        if not isinstance(table, dict):
            fail(None, section, "must be a table")
        for key, value in table.items():
            spec = _SECTIONS[section].get(key)
            if spec is None:
                fail(section, key, f"unknown key (known: {', '.join(sorted(_SECTIONS[section]))})")
            expected, target = spec
            if not _check(value, expected):
                fail(section, key, f"expected {_TYPE_NAMES[expected]}, got {value!r}")
            values[target] = value

    listen = values.pop("listen", None)
    if listen is not None:
        host, sep, port = listen.rpartition(":")
        if not sep or not port.isdigit() or not 0 <= int(port) < 65536:  # 0: any free port
            fail("api", "listen", f"expected HOST:PORT, got {listen!r}")
        values["listen_host"], values["listen_port"] = host.strip("[]") or "127.0.0.1", int(port)
    for key in ("header_timeout", "body_timeout", "keepalive_timeout", "max_connections"):
        if key in values and not values[key] > 0:
            fail("api", key, "must be positive")
    if values.get("delivery_policy", "at_most_once") not in ("at_most_once", "at_least_once"):
        fail("sending", "delivery_policy", "must be at_most_once or at_least_once")
    for key in ("unknown_window", "report_window"):
        if key in values and not values[key] > 0:
            fail("sending", key, "must be a positive number of seconds")
    if values.get("unknown_window", 600.0) > values.get("report_window", 7 * 86400.0):
        fail("sending", "unknown_window", "must not be longer than report_window")
    if "national_languages" in values:
        langs = values["national_languages"]
        if not all(isinstance(x, str) and x in ("tr", "es", "pt") for x in langs):
            fail("sending", "national_languages", f"supported: tr, es, pt; got {langs!r}")
        values["national_languages"] = tuple(langs)
    if values.get("allow_short_codes") and values.get("default_region") is None:
        # A short code is national: only the region says which lengths are possible.
        fail("api", "allow_short_codes", "needs [api] default_region (short codes are national)")
    if values.get("log_format", "text") not in ("text", "json"):
        fail("log", "format", "must be text or json")

    values["modems"] = tuple(_entries(data, "modem", _MODEM_KEYS, fail, _modem))
    values["simulators"] = tuple(_entries(data, "simulator", _SIM_KEYS, fail, _simulator))
    names = [m.name for m in values["modems"]] + [s.name for s in values["simulators"]]
    for i, n in enumerate(names):
        if n in names[:i]:
            section = "modem" if i < len(values["modems"]) else "simulator"
            index = i if section == "modem" else i - len(values["modems"])
            fail(section, "name", f"duplicate modem name {n!r}", index)
    return Config(**values)


def _dialects(table: object, values: dict, fail) -> None:
    """[dialects] enabled = [...]; [dialects.<name>] with its own keys (strings)."""
    if not isinstance(table, dict):
        fail(None, "dialects", "must be a table")
    for key, value in table.items():
        if key == "enabled":
            if not isinstance(value, list) or not all(isinstance(x, str) and x in DIALECTS for x in value):
                fail("dialects", "enabled", f"a list of dialect names ({', '.join(DIALECTS)})")
            values["dialects"] = tuple(value)
        elif key in DIALECTS:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                fail("dialects", key, "must be a table of strings, e.g. inbound_url = \"https://...\"")
            values.setdefault("dialect_settings", {})[key] = dict(value)
        else:
            fail("dialects", key, f"unknown key (known: enabled, {', '.join(DIALECTS)})")


def _entries(data, section, keys, fail, build):
    entries = data.get(section, [])
    if not isinstance(entries, list):
        fail(None, section, f"use [[{section}]] for each entry")
    out = []
    for index, entry in enumerate(entries):
        for key, value in entry.items():
            if key not in keys:
                fail(section, key, f"unknown key (known: {', '.join(sorted(keys))})", index)
            if not _check(value, keys[key]):
                fail(section, key, f"expected {_TYPE_NAMES[keys[key]]}, got {value!r}", index)
        if "name" not in entry:
            fail(section, None, "missing key 'name'", index)
        out.append(build(entry, index, fail))
    return out


def _modem(entry: dict, index: int, fail) -> ModemConfig:
    where = [k for k in ("port", "usb_serial", "imei") if k in entry]
    if len(where) != 1:
        fail("modem", None, "give exactly one of port, usb_serial or imei", index)
    for key in ("routes", "senders"):
        if not all(isinstance(x, str) for x in entry.get(key, [])):
            fail("modem", key, "must be a list of strings", index)
    if "pin" in entry and not re.fullmatch(r"\d{4,8}", entry["pin"]):
        fail("modem", "pin", "a SIM PIN is 4 to 8 digits", index)
    for key in ("per_minute", "baudrate", "submit_timeout"):
        if key in entry and entry[key] <= 0:
            fail("modem", key, "must be positive", index)
    if entry.get("per_day", 0) < 0:  # 0: a SIM kept for receiving only
        fail("modem", "per_day", "must be 0 or more", index)
    return ModemConfig(**{**entry, "routes": tuple(entry.get("routes", ())),
                          "senders": tuple(entry.get("senders", ()))})


def _simulator(entry: dict, index: int, fail) -> SimulatorConfig:
    from .simulator import PROFILES
    if entry.get("profile", "generic") not in PROFILES:
        fail("simulator", "profile", f"known profiles: {', '.join(sorted(PROFILES))}", index)
    return SimulatorConfig(**entry)


def default_demo() -> Config:
    """No configuration file and no hardware: two simulated modems."""
    return Config(path=None, database="modemgw-demo.db",
                  simulators=(SimulatorConfig("sim-a", latency=0.3, report_delay=1.0),
                              SimulatorConfig("sim-b", profile="sim800", latency=0.5, report_delay=1.5)))
