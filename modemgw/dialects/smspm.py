"""Placeholder: the smspm dialect is being written."""

from aiohttp import web

from . import Dialect


def create_app(core, config) -> web.Application:
    return web.Application()


DIALECT = Dialect("smspm", "/compat/smspm", create_app)
