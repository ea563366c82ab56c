"""The configuration file: TOML, read with tomllib, checked before anything starts.

Every error names the file, the key and the line, e.g.
`/etc/modemgw.toml:12: modem[1].baudrate: expected an integer, got "fast"`.
See docs/configuration.md for every key.
"""

from __future__ import annotations

import importlib.util
import re
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The other providers' APIs modemgw serves (modemgw/dialects/), all on by default. Named
# here, not imported: a dialect that is switched off is never loaded.
DIALECTS: tuple[str, ...] = ("smsprovider", "cartboss", "voximplant", "smspm", "twilio")
# The alert receivers (modemgw/receivers/), all on by default, and what their SMS
# template may name (docs/alerting.md).
RECEIVERS: tuple[str, ...] = ("alertmanager", "grafana", "homeassistant")
TEMPLATE_FIELDS: tuple[str, ...] = ("status", "count", "alertname", "targets", "summary", "severity",
                                    "receiver")


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
    status_reports: bool | None = None  # None: [sending] status_reports


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
class IntegrationsConfig:
    """[integrations]: the alert receivers (docs/alerting.md, docs/home-assistant.md)."""
    enabled: tuple[str, ...] = RECEIVERS
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)   # [integrations.groups]
    segments: int = 2                      # SMS parts a notification may take
    template: str = "[{status}:{count}] {alertname} {targets}"
    resolved: bool = True                  # send resolved notices
    dedup_window: float = 300.0            # s: the same notification again is not sent again
    recipient_limit: int = 10              # SMS per number per recipient_period; the rest held back
    recipient_period: float = 3600.0       # s, then one SMS sums up what was held back
    grafana_secret: str | None = None      # [integrations.grafana]: HMAC signatures required
    grafana_signature_header: str = "X-Grafana-Alerting-Signature"
    grafana_timestamp_header: str = "X-Grafana-Alerting-Signature-Timestamp"
    grafana_max_age: float = 300.0         # s a signed timestamp stays acceptable
    homeassistant_inbound_webhook: str | None = None   # received SMS are POSTed there


@dataclass(frozen=True)
class SmppConfig:
    """[smpp]: the SMPP v3.4 server (docs/smpp.md), off unless listen or tls_listen is set."""
    listen: tuple[str, int] | None = None
    tls_listen: tuple[str, int] | None = None
    certificate: str | None = None        # PEM, for tls_listen
    key: str | None = None
    max_sessions: int = 64
    window: int = 10
    enquire_link: float = 30.0


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
    database: str = "modemgw.db"           # a SQLite path, or a postgresql:// URL ([store] url)
    # [node]: this gateway among several sharing one PostgreSQL database (docs/scale-out.md)
    node_name: str = field(default_factory=socket.gethostname)
    lease_seconds: float = 30.0            # a silent node's claims lapse after this long
    spool: str = "modemgw-spool.db"        # received PDUs kept while PostgreSQL is away
    webhook_url: str | None = None
    webhook_retry_hours: float = 48.0
    webhook_timeout: float = 10.0
    delivery_policy: str = "at_most_once"
    unknown_window: float = 600.0          # s a part in doubt waits for a report before its policy
    report_window: float = 7 * 86400.0     # s a sent part waits for its report before it expires
    status_reports: bool = True            # parts ask the network for a status report (TP-SRR)
    national_languages: tuple[str, ...] = ()
    log_format: str = "text"
    smpp: SmppConfig = field(default_factory=SmppConfig)
    modems: tuple[ModemConfig, ...] = ()
    pins: tuple[Any, ...] = ()             # [[route]]: dispatch.routing.Pin, in the file's order
    simulators: tuple[SimulatorConfig, ...] = field(default_factory=tuple)
    # [dialects]: the other providers' APIs served beside the native one
    dialects: tuple[str, ...] = DIALECTS
    dialect_settings: dict[str, dict[str, Any]] = field(default_factory=dict)   # [dialects.<name>]
    integrations: IntegrationsConfig = field(default_factory=IntegrationsConfig)
    # [console]: the operator's web pages (docs/console.md); off unless enabled
    console_enabled: bool = False
    console_remote: bool = False           # answer clients other than loopback ones
    console_key_login: bool = True         # an API key opens it, as the console password does


_NODE_NAME = re.compile(r"[A-Za-z0-9._-]{1,63}")

_SECTIONS: dict[str, dict[str, tuple[type | tuple[type, ...], str]]] = {
    "api": {"listen": (str, "listen"), "default_region": (str, "default_region"),
            "allow_short_codes": (bool, "allow_short_codes"),
            "rate_limit_per_minute": (int, "rate_limit_per_minute"),
            "header_timeout": ((int, float), "header_timeout"), "body_timeout": ((int, float), "body_timeout"),
            "keepalive_timeout": ((int, float), "keepalive_timeout"),
            "max_connections": (int, "max_connections")},
    "store": {"path": (str, "database"), "url": (str, "database_url"),
              "lease_seconds": ((int, float), "lease_seconds")},
    "node": {"name": (str, "node_name"), "spool": (str, "spool")},
    "webhooks": {"default_url": (str, "webhook_url"), "retry_hours": ((int, float), "webhook_retry_hours"),
                 "timeout": ((int, float), "webhook_timeout")},
    "sending": {"delivery_policy": (str, "delivery_policy"), "national_languages": (list, "national_languages"),
                "unknown_window": ((int, float), "unknown_window"),
                "report_window": ((int, float), "report_window"),
                "status_reports": (bool, "status_reports")},
    "log": {"format": (str, "log_format")},
    "console": {"enabled": (bool, "console_enabled"), "remote": (bool, "console_remote"),
                "key_login": (bool, "console_key_login")},
}
_MODEM_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "port": str, "usb_serial": str, "interface": int, "imei": str, "baudrate": int, "pin": str, "smsc": str,
    "per_minute": (int, float), "per_day": int, "routes": list, "senders": list,
    "submit_timeout": (int, float), "status_reports": bool}
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
    integrations: object = {}
    for section, table in data.items():
        if section in ("modem", "simulator", "route"):
            continue
        if section == "smpp":
            values["smpp"] = _smpp(table, fail)
            continue
        if section == "integrations":
            integrations = table           # checked below, once default_region is known
            continue
        if section == "dialects":
            _dialects(table, values, fail)
            continue
        if section not in _SECTIONS:
            fail(None, None, f"unknown section [{section}] (known: {', '.join(sorted(_SECTIONS))}, "
                             "[[modem]], [[simulator]], [[route]])")
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

    url = values.pop("database_url", None)
    if url is not None:
        if "database" in values:
            fail("store", "url", "give [store] path (SQLite) or url (PostgreSQL), not both")
        if not url.startswith(("postgresql://", "postgres://")):
            fail("store", "url", "must be a postgresql:// URL (a SQLite database is a path)")
        if importlib.util.find_spec("psycopg") is None or importlib.util.find_spec("psycopg_pool") is None:
            fail("store", "url", "PostgreSQL needs the postgresql extra: pip install 'modemgw[postgresql]'")
        values["database"] = url
    if "lease_seconds" in values and not values["lease_seconds"] >= 3:
        fail("store", "lease_seconds", "must be at least 3 seconds")
    if "node_name" in values and not _NODE_NAME.fullmatch(values["node_name"]):
        fail("node", "name", "letters, digits, '.', '_' and '-', 1 to 63 of them")
    listen = values.pop("listen", None)
    if listen is not None:
        values["listen_host"], values["listen_port"] = _address(listen, "api", "listen", fail)
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
    values["integrations"] = _integrations(integrations, values.get("default_region"), fail)
    values["simulators"] = tuple(_entries(data, "simulator", _SIM_KEYS, fail, _simulator))
    values["pins"] = _pins(data.get("route", []), fail)
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


_INTEGRATION_KEYS: dict[str, type | tuple[type, ...]] = {
    "enabled": list, "segments": int, "template": str, "resolved": bool,
    "dedup_window": (int, float), "recipient_limit": int, "recipient_period": (int, float)}
_RECEIVER_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "alertmanager": {},
    "grafana": {"secret": str, "signature_header": str, "timestamp_header": str, "max_age": (int, float)},
    "homeassistant": {"inbound_webhook": str}}


def _integrations(table: object, region: str | None, fail) -> IntegrationsConfig:
    """[integrations] with [integrations.groups] and a table per receiver."""
    if not isinstance(table, dict):
        fail(None, "integrations", "must be a table")
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key == "groups":
            out["groups"] = _groups(value, region, fail)
        elif key in _RECEIVER_KEYS:
            keys = _RECEIVER_KEYS[key]
            if not isinstance(value, dict):
                fail("integrations", key, "must be a table")
            for k, v in value.items():
                if k not in keys:
                    fail(f"integrations.{key}", k, f"unknown key (known: {', '.join(sorted(keys)) or 'none'})")
                if not _check(v, keys[k]):
                    fail(f"integrations.{key}", k, f"expected {_TYPE_NAMES[keys[k]]}, got {v!r}")
                out[f"{key}_{k}"] = v
        elif key in _INTEGRATION_KEYS:
            if not _check(value, _INTEGRATION_KEYS[key]):
                fail("integrations", key, f"expected {_TYPE_NAMES[_INTEGRATION_KEYS[key]]}, got {value!r}")
            out[key] = value
        else:
            known = sorted([*_INTEGRATION_KEYS, "groups", *_RECEIVER_KEYS])
            fail("integrations", key, f"unknown key (known: {', '.join(known)})")
    if not all(isinstance(x, str) and x in RECEIVERS for x in out.get("enabled", [])):
        fail("integrations", "enabled", f"a list of receiver names ({', '.join(RECEIVERS)})")
    out["enabled"] = tuple(out.get("enabled", RECEIVERS))
    if not 1 <= out.get("segments", 2) <= 10:
        fail("integrations", "segments", "must be 1 to 10")
    unknown = [f for f in re.findall(r"\{(\w*)\}", out.get("template", "{status}")) if f not in TEMPLATE_FIELDS]
    if unknown or not out.get("template", "x").strip():
        fail("integrations", "template", f"a text with {{field}}s among {', '.join(TEMPLATE_FIELDS)}")
    for key, low in (("dedup_window", 0), ("recipient_limit", 1), ("recipient_period", 1)):
        if out.get(key, low) < low:
            fail("integrations", key, f"must be at least {low}")
    if out.get("grafana_max_age", 1) <= 0:
        fail("integrations.grafana", "max_age", "must be a positive number of seconds")
    if out.get("grafana_secret") == "":
        fail("integrations.grafana", "secret", "must not be empty (leave it out for no signatures)")
    if not re.fullmatch(r"https?://[^\s/]+\S*", out.get("homeassistant_inbound_webhook", "http://x")):
        fail("integrations.homeassistant", "inbound_webhook", "must be an http:// or https:// URL")
    return IntegrationsConfig(**out)


def _groups(table: object, region: str | None, fail) -> dict[str, tuple[str, ...]]:
    # Numbers are checked as the API checks a recipient, so that a typo stops the start
    # rather than every alert to the group.
    from .core.numbers import recipient
    from .core.errors import Invalid
    if not isinstance(table, dict):
        fail("integrations", "groups", "must be a table: name = [\"+44...\", ...]")
    for name, numbers in table.items():
        if not re.fullmatch(r"[A-Za-z][\w-]*", name) or not isinstance(numbers, list) or not numbers \
                or not all(isinstance(n, str) for n in numbers):
            fail("integrations.groups", name, "a group is a name (a letter first) and a non-empty list of "
                                              "phone numbers as strings")
        for n in numbers:
            try:
                recipient(n, name, region)
            except Invalid as exc:
                fail("integrations.groups", name, exc.message)
    return {name: tuple(numbers) for name, numbers in table.items()}


def _address(value: str, section: str, key: str, fail) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:  # 0: any free port
        fail(section, key, f"expected HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


_SMPP_KEYS: dict[str, type | tuple[type, ...]] = {
    "listen": str, "tls_listen": str, "certificate": str, "key": str, "max_sessions": int, "window": int,
    "enquire_link": (int, float)}


def _smpp(table: object, fail) -> SmppConfig:
    if not isinstance(table, dict):
        fail(None, "smpp", "must be a table")
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _SMPP_KEYS:
            fail("smpp", key, f"unknown key (known: {', '.join(sorted(_SMPP_KEYS))})")
        if not _check(value, _SMPP_KEYS[key]):
            fail("smpp", key, f"expected {_TYPE_NAMES[_SMPP_KEYS[key]]}, got {value!r}")
        out[key] = _address(value, "smpp", key, fail) if key in ("listen", "tls_listen") else value
    if "tls_listen" in out and not ("certificate" in out and "key" in out):
        fail("smpp", "tls_listen", "needs certificate and key (PEM files)")
    for key in ("max_sessions", "window", "enquire_link"):
        if key in out and not out[key] > 0:
            fail("smpp", key, "must be positive")
    return SmppConfig(**out)


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


_ROUTE_MATCH = {"to": "prefixes", "from": "senders", "keys": "keys"}


def _pins(entries: object, fail) -> tuple[Any, ...]:
    """[[route]]: conditions (`to`, `from`, `keys`, lists of strings) and exactly one
    carrier (`modem`, `sim` or `node`) that matching messages are bound to."""
    from .dispatch.routing import ICCID, VIA_KINDS, Pin, via
    if not isinstance(entries, list):
        fail(None, "route", "use [[route]] for each entry")
    out = []
    for index, entry in enumerate(entries):
        match: dict[str, tuple[str, ...]] = {}
        for key, value in entry.items():
            if key in _ROUTE_MATCH:
                if not isinstance(value, list) or not value or not all(isinstance(x, str) and x for x in value):
                    fail("route", key, "must be a non-empty list of strings", index)
                match[_ROUTE_MATCH[key]] = tuple(value)
            elif key not in VIA_KINDS:
                fail("route", key, f"unknown key (known: {', '.join([*_ROUTE_MATCH, *VIA_KINDS])})", index)
            elif not isinstance(value, str):
                fail("route", key, f"expected a string, got {value!r}", index)
        kinds = [k for k in VIA_KINDS if k in entry]
        if len(kinds) != 1:
            fail("route", None, "give exactly one of modem, sim or node: where matching messages go", index)
        kind = kinds[0]
        name = entry[kind]
        if kind == "sim" and not ICCID.fullmatch(name):
            fail("route", "sim", "an ICCID: 18 to 22 digits, as GET /v1/modems shows it", index)
        if kind == "node" and not _NODE_NAME.fullmatch(name):
            fail("route", kind, "a node's name: letters, digits, '.', '_' and '-', 1 to 63 of them", index)
        if kind == "modem" and not (name and name.isprintable()):
            fail("route", kind, "a modem's name, as in its [[modem]] entry", index)
        out.append(Pin(via(kind, name), **match))
    return tuple(out)


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
