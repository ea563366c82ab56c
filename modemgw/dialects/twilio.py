"""Placeholder: the twilio dialect is being written."""

from aiohttp import web

from . import Dialect


def create_app(core, config) -> web.Application:
    return web.Application()


DIALECT = Dialect("twilio", "/compat/twilio", create_app)
