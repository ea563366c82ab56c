"""Core.send and scheduled times: ISO 8601 text from every edge; epoch seconds only from an
edge whose contract (or its own parser) gives them (`Submission.epoch_times`)."""

from __future__ import annotations

import time

import pytest

from modemgw.core import Core, Invalid, Submission
from modemgw.sms import ConcatReferences
from modemgw.store import Store


@pytest.fixture
async def core(database):
    store = Store(database)
    await store.open()
    yield Core(store, references=ConcatReferences())
    await store.close()


async def test_epoch_seconds_only_where_the_edge_says_so(core):
    key_id, _ = await core.store.create_key("times")
    key = {"id": key_id}
    later = time.time() + 3600
    # An edge whose contract is ISO 8601 (native, SMS Provider) passes the value as given.
    with pytest.raises(Invalid) as refused:
        await core.send(Submission(to=("+15551230001",), text="x", scheduled_at=later,
                                   names={"scheduled_at": "when"}), key=key)
    assert refused.value.field == "when"
    accepted = await core.send(Submission(to=("+15551230001",), text="x", scheduled_at=later,
                                          epoch_times=True), key=key)
    assert accepted.messages[0]["scheduled_at"] == pytest.approx(later)
