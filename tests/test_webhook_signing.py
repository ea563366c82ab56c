"""Webhook signatures: what a receiver accepts and what it rejects."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from modemgw.webhooks import signing

SECRET = "whsec_test-secret-0123456789"
BODY = b'{"event":"message.sent","id":"msg_1","status":"sent"}'
NOW = 1_714_557_600


def signed(body: bytes = BODY, ts: int = NOW, secret: str = SECRET) -> dict[str, str]:
    return signing.headers(secret, event_id="7", event="message.sent", body=body, timestamp=ts, attempt=1)


def check(h: dict[str, str], body: bytes = BODY, *, now: float = NOW, secret: str = SECRET) -> bool:
    return signing.verify(secret, body, h.get(signing.TIMESTAMP_HEADER),
                          h.get(signing.SIGNATURE_HEADER), now=now)


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    h = signed()
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert h[signing.SIGNATURE_HEADER] == f"v1={expected}"
    assert h[signing.TIMESTAMP_HEADER] == str(NOW)
    assert h[signing.EVENT_ID_HEADER] == "7"
    assert h[signing.EVENT_HEADER] == "message.sent"
    assert h["Content-Type"] == "application/json"


def test_headers_never_carry_the_secret():
    assert all(SECRET not in v for v in signed().values())


def test_a_fresh_untouched_request_verifies():
    assert check(signed())
    assert check(signed(), now=NOW + signing.TOLERANCE)
    assert check(signed(), now=NOW - signing.TOLERANCE)


def test_a_tampered_body_is_rejected():
    assert not check(signed(), BODY.replace(b"sent", b"fail"))
    assert not check(signed(), BODY + b" ")


def test_an_old_or_future_timestamp_is_rejected():
    assert not check(signed(), now=NOW + signing.TOLERANCE + 1)
    assert not check(signed(), now=NOW - signing.TOLERANCE - 1)


def test_a_replayed_signature_with_a_new_timestamp_is_rejected():
    h = signed()
    h[signing.TIMESTAMP_HEADER] = str(NOW + 60)
    assert not check(h, now=NOW + 60)


def test_another_secret_is_rejected():
    assert not check(signed(secret="whsec_someone-else"))


def test_malformed_headers_are_rejected():
    good = signed()
    sig = good[signing.SIGNATURE_HEADER]
    for ts, value in ((None, sig), ("", sig), ("12a", sig), ("²", sig), (str(NOW), None),
                      (str(NOW), ""), (str(NOW), sig.removeprefix("v1=")), (str(NOW), "v0=" + sig[3:]),
                      (str(NOW), "v1=zz"), (str(NOW), "v1=é")):
        assert not signing.verify(SECRET, BODY, ts, value, now=NOW), (ts, value)


def test_any_one_of_several_signatures_may_match():
    good = signed()[signing.SIGNATURE_HEADER]
    other = signed(secret="whsec_old")[signing.SIGNATURE_HEADER]
    for value in (f"{other},{good}", f"{good}, {other}", f"{other} {good}"):
        assert signing.verify(SECRET, BODY, str(NOW), value, now=NOW)
    assert not signing.verify(SECRET, BODY, str(NOW), f"{other},{other}", now=NOW)


@given(st.binary(max_size=200), st.binary(min_size=1, max_size=200))
def test_any_change_to_the_body_is_detected(body, change):
    h = signed(body)
    assert check(h, body)
    assert not check(h, body + change)
    assert not check(h, change + body)


def doc_verify():
    """The standard-library `verify` shown in docs/webhooks.md."""
    text = (Path(__file__).parent.parent / "docs" / "webhooks.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify" in b)
    namespace: dict = {}
    exec(compile(block, "docs/webhooks.md", "exec"), namespace)
    return namespace["verify"]


def test_the_documented_snippet_accepts_what_the_gateway_signs():
    verify = doc_verify()
    ts = int(time.time())
    h = signed(ts=ts)
    assert verify(SECRET, BODY, h[signing.TIMESTAMP_HEADER], h[signing.SIGNATURE_HEADER])
    other = signed(ts=ts, secret="whsec_old")[signing.SIGNATURE_HEADER]
    assert verify(SECRET, BODY, str(ts), f"{other}, {h[signing.SIGNATURE_HEADER]}")


def test_the_documented_snippet_rejects_tampering_and_old_timestamps():
    verify = doc_verify()
    ts = int(time.time())
    h = signed(ts=ts)
    assert not verify(SECRET, BODY + b"x", h[signing.TIMESTAMP_HEADER], h[signing.SIGNATURE_HEADER])
    assert not verify("whsec_other", BODY, h[signing.TIMESTAMP_HEADER], h[signing.SIGNATURE_HEADER])
    old = signed(ts=ts - 301)
    assert not verify(SECRET, BODY, old[signing.TIMESTAMP_HEADER], old[signing.SIGNATURE_HEADER])
    assert not verify(SECRET, BODY, "", h[signing.SIGNATURE_HEADER])
    assert not verify(SECRET, BODY, h[signing.TIMESTAMP_HEADER], "v1=é")
