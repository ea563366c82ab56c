"""Placeholder: the voximplant dialect is being written."""

from aiohttp import web

from . import Dialect


def create_app(core, config) -> web.Application:
    return web.Application()


DIALECT = Dialect("voximplant", "/compat/voximplant", create_app)
