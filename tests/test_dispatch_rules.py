"""The dispatcher's pure rules: report matching, limits, routes, retries, status aggregation."""

import pytest

from modemgw.dispatch.limits import ModemLimits, Throttle
from modemgw.dispatch.matching import choose, same_number
from modemgw.dispatch.retry import RetryPolicy
from modemgw.dispatch.routing import Route, eligible
from modemgw.store.status import aggregate


@pytest.mark.parametrize("a,b,same", [
    ("+447911123456", "+447911123456", True),
    ("+447911123456", "07911123456", True),     # national in the report (oFono sr_pdu3)
    ("+447911123456", "447911123456", True),    # type unknown, same digits
    ("+447911123456", "+447911123457", False),
    ("+447911123456", "123456", True),           # six trailing digits are enough
    ("+447911123456", "23456", False),
    ("+15551230002", "", False),
])
def test_same_number(a, b, same):
    assert same_number(a, b) is same


def test_choose_most_recent_open_part_with_wrapped_mr():
    # MR 7 was used twice: 256 submissions apart. The newer one is the match.
    old = {"message_id": "a", "seq": 1, "to_number": "+4479", "submitted_at": 100.0, "status": "sent",
           "mr": 7}
    new = {"message_id": "b", "seq": 1, "to_number": "+447911123456", "submitted_at": 5000.0,
           "status": "sent", "mr": 7}
    older_same = {"message_id": "c", "seq": 1, "to_number": "+447911123456", "submitted_at": 200.0,
                  "status": "sent", "mr": 7}
    assert choose([old, older_same, new], "07911123456", reported_at=5010.0)["message_id"] == "b"
    # A report timestamped before the newer submission belongs to the older one.
    assert choose([older_same, new], "+447911123456", reported_at=300.0)["message_id"] == "c"
    # Parts already final are only chosen when nothing open fits.
    done = dict(new, status="delivered")
    assert choose([done, older_same], "+447911123456", reported_at=6000.0)["message_id"] == "c"
    assert choose([old], "+15550001", reported_at=None) is None


def test_choose_prefers_the_part_with_this_mr_over_one_with_unknown_mr():
    # Both to the same number; the newer one's +CMGS answer was lost (mr unknown).
    known = {"message_id": "a", "seq": 1, "to_number": "+4479", "submitted_at": 100.0,
             "status": "sent", "mr": 4}
    guess = {"message_id": "b", "seq": 1, "to_number": "+4479", "submitted_at": 200.0,
             "status": "unknown", "mr": None}
    assert choose([known, guess], "+4479", reported_at=300.0)["message_id"] == "a"
    assert choose([guess], "+4479", reported_at=300.0)["message_id"] == "b"


def test_two_guesses_to_one_number_are_not_told_apart():
    # Two parts to one number, each in doubt after a kill during its AT+CMGS (one of
    # them may never have gone out): the report names neither delivered.
    first = {"message_id": "a", "seq": 1, "to_number": "+4479", "submitted_at": 291.0,
             "status": "unknown", "mr": None}
    second = dict(first, message_id="b", submitted_at=297.0)
    assert choose([first, second], "+4479", reported_at=290.0) is None
    other_number = dict(second, to_number="+4478")
    assert choose([first, other_number], "+4479", reported_at=290.0)["message_id"] == "a"


def test_throttle_per_minute_and_daily_cap():
    t = Throttle(ModemLimits(per_minute=30, per_day=3))
    now = 1_000_000.0
    assert t.wait(now) == 0
    t.record(now)
    assert t.wait(now) == pytest.approx(2.0)
    assert t.wait(now + 1.5) == pytest.approx(0.5)
    t.record(now + 2)
    t.record(now + 4)
    assert t.capped(now + 5)
    assert not t.capped(now + 86400 * 2)  # a new day


def test_routes_prefer_matching_modems_and_never_strand():
    routes = [Route("uk", prefixes=("+44",)), Route("brand", senders=("ACME",))]
    modems = ["uk", "brand", "spare"]
    assert eligible(modems, routes, "+447911", None) == ["uk"]
    assert eligible(modems, routes, "+1555", "ACME") == ["brand"]
    assert eligible(modems, routes, "+1555", None) == modems
    assert eligible(["spare"], routes, "+447911", None) == ["spare"]  # uk modem not ready


def test_retry_backoff():
    r = RetryPolicy(first=10, factor=2, maximum=100, attempts=4)
    assert [r.delay(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]
    assert not r.exhausted(3) and r.exhausted(4)


@pytest.mark.parametrize("parts,status", [
    (["queued", "queued"], "queued"),
    (["sent", "queued"], "queued"),
    (["sent", "unknown"], "sent"),
    (["delivered", "sent"], "sent"),
    (["delivered", "delivered"], "delivered"),
    (["delivered", "failed"], "failed"),
    (["expired", "queued"], "expired"),
    ([], "queued"),
])
def test_aggregate(parts, status):
    assert aggregate(parts) == status
