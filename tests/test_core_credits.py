"""Core.credits: what the daily caps still allow once the parts waiting to be sent have
gone; a `within_capacity` send that does not fit is NoCapacity and stores nothing."""

from __future__ import annotations

import time

import pytest

from modemgw.core import Core, NoCapacity, Submission
from modemgw.sms import ConcatReferences
from modemgw.store import Store


@pytest.fixture
async def store(database):
    store = Store(database)
    await store.open()
    yield store
    await store.close()


def core_with(store, left):
    return Core(store, references=ConcatReferences(), capacity=lambda: left)


async def test_parts_waiting_to_be_sent_use_up_credits(store):
    core = core_with(store, 3)
    key_id, _ = await store.create_key("credits")
    key = {"id": key_id}
    assert await core.credits() == 3
    await core.send(Submission(to=("+15551230001",), text="x" * 200, within_capacity=True), key=key)
    assert core.capacity() == 3 and await core.credits() == 1       # two parts, not sent yet
    with pytest.raises(NoCapacity):
        await core.send(Submission(to=("+15551230002",), text="x" * 200, within_capacity=True), key=key)
    assert len(await store.list_messages()) == 1
    # Without within_capacity the core does not refuse (the native API queues it for tomorrow).
    await core.send(Submission(to=("+15551230003",), text="x" * 200), key=key)
    assert await core.credits() == 0


async def test_a_message_scheduled_later_does_not_count_yet(store):
    core = core_with(store, 1)
    key_id, _ = await store.create_key("later")
    later = time.time() + 3600
    await core.send(Submission(to=("+15551230004",), text="later", scheduled_at=later,
                                   epoch_times=True), key={"id": key_id})
    assert await core.credits() == 1


async def test_uncapped_is_none(store):
    assert await core_with(store, None).credits() is None
