"""Logging: one line per event, `key=value` fields (or JSON), secrets masked.

Messages name their subject as `message=<id>` and `modem=<name>`. A filter
masks API keys, webhook secrets, SIM PINs, Authorization headers and
`token`/`hash`/`secret`/`api_key` fields or query parameters, in messages,
tracebacks and stacks, even if a careless line or a library's debug output
would contain one.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

_SECRETS = (
    # The console's login field, its CSRF fields and its session cookies (before mgw_: a cookie's
    # name holds those letters).
    (re.compile(r"""\b((?:credential|csrf|modemgw_console(?:_login)?)['"]?\s*[:=]\s*['"]?)[^\s&'",;}]+""", re.I),
     r"\1***"),
    (re.compile(r"mgw_[A-Za-z0-9_\-]{8,}"), "mgw_***"),
    (re.compile(r"whsec_[A-Za-z0-9_\-]{8,}"), "whsec_***"),
    (re.compile(r'(\+CPIN=)"?[0-9]{4,8}"?(?:,"?[0-9]{4,8}"?)?', re.I), r'\1"****"'),
    # The header, whatever its scheme, as a line, a dict entry or a repr.
    (re.compile(r"""(authorization['"]?\s*[:=]\s*['"]?)[^'"\r\n]+""", re.I), r"\1***"),
    (re.compile(r"(Bearer\s+)\S+", re.I), r"\1***"),
    # Query parameters and fields: ?token=..., key_hash=..., 'webhook_secret': '...',
    # api_key=... (Voximplant's older credential parameter, which takes a modemgw key),
    # password=... (SMPP's bind).
    (re.compile(r"""\b([\w-]*(?:token|hash|secret|api_key|password)['"]?\s*[:=]\s*['"]?)[^\s&'",;}]+""", re.I),
     r"\1***"),
)


# Every secret pattern contains one of these: most lines contain none and skip the regexes.
_MARKERS = ("mgw_", "whsec_", "cpin", "bearer", "authorization", "token", "hash", "secret",
            "api_key", "password", "credential", "csrf", "modemgw_console")


def redact(text: str) -> str:
    lowered = text.lower()
    if not any(marker in lowered for marker in _MARKERS):
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks the message, and the traceback and stack of the record too: an
    exception's text can hold what the request sent."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The message is formatted once: the formatter then finds it made (args None).
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            # What logging.Formatter.format would cache here and print.
            record.exc_text = _PLAIN.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_PLAIN = logging.Formatter()


def guard(*names: str) -> None:
    """Mask secrets in these loggers' own records, whichever handler gets them
    (aiohttp's, for one, log parts of requests they refuse)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                 + f".{int(record.msecs):03d}Z",
                 "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for field in re.finditer(r"(\w+)=(\S+)", entry["msg"]):
            entry.setdefault(field.group(1), field.group(2))
        if record.exc_info:
            entry["exception"] = redact(record.exc_text or self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time level logger message`; the time's text is made once a second, not for every
    line (the API logs one line per request)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self._second: int | None = None
        self._stamp = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second:
            self._stamp = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = second
        return f"{self._stamp},{int(record.msecs):03d}"


def configure(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    # No line shows the caller, the thread or the process: not collecting them takes a
    # third off the cost of a record (the logging HOWTO's "Optimization").
    logging._srcfile = None                 # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
