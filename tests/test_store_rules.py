"""The store's pure rules (modemgw/store/rules.py): what a change to a message's parts
means, whichever backend writes it."""

from __future__ import annotations

from modemgw.store import ErrorCode
from modemgw.store.records import Why
from modemgw.store.rules import message_change, webhook_urls

QUEUED = {"status": "queued", "created_at": 100.0, "sent_at": None}


def test_a_final_or_unchanged_message_makes_no_change():
    assert message_change({**QUEUED, "status": "delivered"}, ["failed"], 200.0) is None
    assert message_change(QUEUED, ["queued", "sent"], 200.0) is None


def test_times_never_go_backwards_within_a_message():
    change = message_change({**QUEUED, "status": "sent", "sent_at": 150.0}, ["delivered"], 120.0,
                            network_delivered_at=90.0)
    assert change is not None and change.at == 150.0
    assert change.columns == {"status": "delivered", "updated_at": 150.0, "delivered_at": 150.0,
                              "network_delivered_at": 90.0}
    assert (change.event, change.webhook) == ("message.delivered", "message.delivered")


def test_delivered_without_sent_sets_both_times():
    change = message_change(QUEUED, ["delivered"], 200.0)
    assert change is not None and change.columns["sent_at"] == change.columns["delivered_at"] == 200.0


def test_a_reason_is_kept_only_when_the_message_fails_or_expires():
    why = Why("rejected", ErrorCode.NETWORK_REJECTED, 500)
    failed = message_change(QUEUED, ["failed", "queued"], 200.0, why=why)
    assert failed is not None
    assert (failed.columns["error"], failed.columns["error_code"], failed.columns["error_detail"]) == \
        ("rejected", "network_rejected", 500)
    sent = message_change(QUEUED, ["sent"], 200.0, why=why)
    assert sent is not None and "error" not in sent.columns


def test_an_unknown_outcome_counts_as_sent():
    change = message_change(QUEUED, ["unknown", "sent"], 200.0)
    assert change is not None and (change.status, change.webhook) == ("sent", "message.sent")


def test_a_status_without_a_webhook_event_is_logged_not_announced():
    change = message_change({**QUEUED, "status": "sent", "sent_at": 150.0}, ["queued"], 200.0)
    assert change is not None and (change.event, change.webhook) == ("message.queued", None)


def test_the_callback_url_comes_first_and_once():
    message = {"callback_url": "https://a.example/cb"}
    subscriptions = [("https://a.example/cb", ["message.sent"]), ("https://b.example/s", ["message.sent"]),
                     ("https://c.example/s", ["message.failed"])]
    assert webhook_urls("message.sent", message, "https://default.example/", subscriptions) == \
        ["https://a.example/cb", "https://b.example/s"]
    assert webhook_urls("message.sent", {"callback_url": None}, "https://default.example/", []) == \
        ["https://default.example/"]
    assert webhook_urls("message.sent", {"callback_url": None}, None, []) == []
