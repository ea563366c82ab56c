"""Webhooks: signed, retried delivery of the store's outbox."""

from .backoff import Backoff
from .sender import WebhookSender
from .signing import signature, verify

__all__ = ["Backoff", "WebhookSender", "signature", "verify"]
