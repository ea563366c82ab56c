"""The SMPP session (SMSC side): bind states, refusals, windows, and garbage on the stream."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from modemgw.smpp import (Bind, BindTransceiver, BindTransceiverResp, BindTransmitter, BindTransmitterResp,
                          CommandId, CommandStatus, DeliverSm, DeliverSmResp, EnquireLink, EnquireLinkResp,
                          GenericNack, LocalProtocolError, Refused, SmppSession, SubmitSm, SubmitSmResp, Unbind,
                          UnbindResp, decode, encode)
from modemgw.smpp.session import RECEIVE, SEND


def bound(window: int = 3, bind=BindTransceiver, resp=BindTransceiverResp) -> SmppSession:
    s = SmppSession(window=window)
    [event] = s.receive_data(encode(bind(sequence=1, system_id="esme", password="pw")))
    assert isinstance(event, bind)
    s.send(resp(sequence=1, system_id="modemgw"))
    return s


def reply(event: Refused):
    return decode(event.reply)


def test_bind_then_submit_then_unbind():
    s = bound()
    assert s.state is Bind.TRX
    [submit] = s.receive_data(encode(SubmitSm(sequence=2, destination_addr="447700900123", short_message=b"hi")))
    assert isinstance(submit, SubmitSm) and s.unanswered == {2: submit.command_id}
    assert decode(s.send(SubmitSmResp(sequence=2, message_id="msg_1"))).message_id == "msg_1"
    [unbind] = s.receive_data(encode(Unbind(sequence=3)))
    assert isinstance(unbind, Unbind) and s.state is Bind.TRX
    s.send(UnbindResp(sequence=3))
    assert s.state is Bind.CLOSED


def test_a_refused_bind_leaves_the_session_open():
    s = SmppSession()
    s.receive_data(encode(BindTransmitter(sequence=1)))
    s.send(BindTransmitterResp(sequence=1, status=CommandStatus.ESME_RINVPASWD))
    assert s.state is Bind.OPEN


@pytest.mark.parametrize("pdu,status", [
    (SubmitSm(sequence=5), CommandStatus.ESME_RINVBNDSTS),     # not bound yet
    (Unbind(sequence=5), CommandStatus.ESME_RINVBNDSTS),
])
def test_requests_before_the_bind_are_refused(pdu, status):
    s = SmppSession()
    [event] = s.receive_data(encode(pdu))
    assert isinstance(event, Refused) and reply(event).status == status
    assert reply(event).sequence == 5 and type(reply(event)).command_id == type(pdu).command_id.response
    assert s.state is Bind.OPEN and not event.close


def test_a_second_bind_is_already_bound():
    s = bound()
    [event] = s.receive_data(encode(BindTransceiver(sequence=9)))
    assert reply(event).status == CommandStatus.ESME_RALYBND and s.state is Bind.TRX


def test_a_transmitter_gets_no_deliver_sm_and_a_receiver_may_not_submit():
    tx = bound(bind=BindTransmitter, resp=BindTransmitterResp)
    with pytest.raises(LocalProtocolError):
        tx.request(DeliverSm, short_message=b"x")
    from modemgw.smpp import BindReceiver, BindReceiverResp
    rx = bound(bind=BindReceiver, resp=BindReceiverResp)
    [event] = rx.receive_data(encode(SubmitSm(sequence=4)))
    assert reply(event).status == CommandStatus.ESME_RINVBNDSTS


def test_window_and_responses_to_our_requests():
    s = bound(window=2)
    first, _ = s.request(DeliverSm, short_message=b"1")
    second, _ = s.request(DeliverSm, short_message=b"2")
    assert not s.can_request
    with pytest.raises(LocalProtocolError):
        s.request(DeliverSm, short_message=b"3")
    [resp] = s.receive_data(encode(DeliverSmResp(sequence=second.sequence)))
    assert isinstance(resp, DeliverSmResp) and s.can_request and list(s.outstanding) == [first.sequence]
    [stray] = s.receive_data(encode(DeliverSmResp(sequence=999)))
    assert isinstance(stray, Refused) and stray.reply == b""


def test_enquire_link_both_ways():
    s = bound()
    [ping] = s.receive_data(encode(EnquireLink(sequence=40)))
    s.send(EnquireLinkResp(sequence=40))
    ours, _ = s.request(EnquireLink)
    [pong] = s.receive_data(encode(EnquireLinkResp(sequence=ours.sequence)))
    assert isinstance(pong, EnquireLinkResp) and not s.outstanding


def test_our_unbind_closes_on_its_response():
    s = bound()
    ours, _ = s.request(Unbind)
    assert s.state is Bind.UNBINDING
    [submit] = s.receive_data(encode(SubmitSm(sequence=8)))
    assert isinstance(submit, Refused)          # no new work while unbinding
    s.receive_data(encode(UnbindResp(sequence=ours.sequence)))
    assert s.state is Bind.CLOSED


def test_misuse_is_a_local_error():
    s = bound()
    with pytest.raises(LocalProtocolError):
        s.send(SubmitSmResp(sequence=77))        # nobody asked
    with pytest.raises(LocalProtocolError):
        SmppSession(window=0)


def test_unknown_command_is_nacked_and_the_session_goes_on():
    s = bound()
    junk = (16).to_bytes(4, "big") + bytes.fromhex("0000ffff") + bytes(4) + (3).to_bytes(4, "big")
    events = s.receive_data(junk + encode(EnquireLink(sequence=4)))
    assert isinstance(events[0], Refused) and isinstance(reply(events[0]), GenericNack)
    assert reply(events[0]).status == CommandStatus.ESME_RINVCMDID and reply(events[0]).sequence == 3
    assert isinstance(events[1], EnquireLink)


def test_a_bad_field_is_answered_with_the_requests_own_response():
    s = bound()
    body = bytes.fromhex("00" "0000" + "41" * 30 + "00")
    frame = (16 + len(body)).to_bytes(4, "big") + (4).to_bytes(4, "big") + bytes(4) + (6).to_bytes(4, "big") + body
    [event] = s.receive_data(frame)
    answer = reply(event)
    assert isinstance(answer, SubmitSmResp) and answer.status == CommandStatus.ESME_RINVSRCADR


def test_an_impossible_length_closes_the_session():
    s = bound()
    [event] = s.receive_data(bytes.fromhex("7fffffff00000004000000000000002a"))
    assert event.close and reply(event).status == CommandStatus.ESME_RINVCMDLEN
    assert s.state is Bind.CLOSED and s.receive_data(encode(EnquireLink(sequence=1))) == []


def test_the_tables_name_only_states_and_commands():
    for (state, command), after in [*RECEIVE.items(), *SEND.items()]:
        assert isinstance(state, Bind) and isinstance(command, CommandId) and isinstance(after, Bind)


@given(st.binary(max_size=400), st.lists(st.integers(1, 50), max_size=10))
def test_garbage_yields_only_pdus_and_refusals(data, cuts):
    s = bound()
    events = []
    start = 0
    for size in [*cuts, len(data)]:
        events += s.receive_data(data[start:start + size])
        start += size
    assert events == bound().receive_data(data)     # however the bytes were chunked
    for event in events:
        if isinstance(event, Refused) and event.reply:
            decode(event.reply)                  # every answer is a well-formed PDU
