"""Pages from the templates shipped in this package, with Jinja2's autoescape on for every
one of them: whatever a page shows (a message's text, a number, a modem's error) is
escaped as text, and no template marks anything safe.

Templates and static files are read through `importlib.resources`, so they work from a
wheel, a zip or a checkout alike; the static files are read once, when the app is made.
"""

from __future__ import annotations

import hashlib
import time
from importlib import resources
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import jinja2

PREFIX = "/console"
FILES = resources.files(__package__)
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml"}


def local(value: object, default: str = PREFIX + "/") -> str:
    """A page of the console to go back to, as a form names it; anything else (another
    site, a scheme-relative `//host`) is `default`: never an open redirect."""
    if isinstance(value, str) and value.startswith(PREFIX + "/") and "//" not in value and "\\" not in value:
        return value
    return default


def _source(name: str) -> str:
    return (FILES / "templates" / name).read_text(encoding="utf-8")


def when(ts: float | None) -> str:
    """UTC, to the second: the API's times are UTC too."""
    if ts is None:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


class Pages:
    def __init__(self) -> None:
        self._env: jinja2.Environment | None = None
        self.static = {}
        for item in (FILES / "static").iterdir():
            suffix = item.name[item.name.rfind("."):]
            if item.is_file() and suffix in STATIC_TYPES:
                body = item.read_bytes()
                self.static[item.name] = (body, STATIC_TYPES[suffix], hashlib.sha256(body).hexdigest()[:16])

    @property
    def env(self) -> jinja2.Environment:
        """Made on the first page rendered: Jinja2 and MarkupSafe (about 1 MB resident) are
        imported then, not when the console is mounted, so a gateway whose console nobody
        has opened since it started does not hold them."""
        if self._env is None:
            import jinja2
            env = jinja2.Environment(loader=jinja2.FunctionLoader(_source), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
            env.filters.update(when=when, age=age)
            env.globals["prefix"] = PREFIX
            # Static URLs carry their content's digest, so that browsers may keep them for a year.
            env.globals["static"] = lambda name: f"{PREFIX}/static/{name}?v={self.static[name][2]}"
            self._env = env
        return self._env

    def page(self, name: str, status: int = 200, **values: object) -> web.Response:
        return web.Response(text=self.env.get_template(name).render(**values), status=status,
                            content_type="text/html", charset="utf-8")

    def file(self, name: str) -> web.Response:
        found = self.static.get(name)
        if found is None:
            raise web.HTTPNotFound()
        body, content_type, _ = found
        return web.Response(body=body, headers={"Content-Type": content_type,
                                                "Cache-Control": "public, max-age=31536000, immutable"})
