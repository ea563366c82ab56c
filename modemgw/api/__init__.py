"""The REST API (aiohttp): /v1/messages, /v1/inbound, /v1/modems, health, OpenAPI.

Contract and decisions: docs/api.md. The document served at
/v1/openapi.json is `openapi.DOCUMENT`.
"""

from .app import create_app

__all__ = ["create_app"]
