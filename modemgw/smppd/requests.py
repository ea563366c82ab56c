"""A session's submits, queries, cancels and replaces, answered through the core.

`answer(connection, pdu)` returns the responses to send. A long message is sent once its
last segment is in, under an id chosen at its first segment: every segment but the last
(by number) is answered at once with `<id>.<n>`, so that a client which waits for each
answer before it sends the next segment (jsmpp's submitShortMessage, php-smpp, smpplib
driven one request at a time) is not stalled; the last is answered only once the whole
message is committed (or refused). An ESME that has every segment answered ESME_ROK thus
has its message committed; a set whose last segment never comes is dropped after the
segment timeout, its last segment (if it came) answered ESME_RSUBMITFAIL. The segments of
a submit_multi, whose answers list the refused numbers, are all answered at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core import CoreError, ids
from ..smpp import (CancelSm, CancelSmResp, CommandStatus as S, DataSm, DistributionList, Pdu, PduDecodeError,
                    QuerySm, QuerySmResp, ReplaceSm, SubmitMulti, SubmitSm, Unsuccess)
from ..smpp.concat import Full
from ..smpp.pdus import PDU_TYPES
from ..smpp.text import decode_text
from . import adapter

if TYPE_CHECKING:
    from .session import Connection

SUBMITS = (SubmitSm, DataSm, SubmitMulti)


async def answer(conn: Connection, pdu: Pdu) -> list[Pdu]:
    if isinstance(pdu, SUBMITS):
        return await _submit(conn, pdu)
    if isinstance(pdu, QuerySm):
        base, _ = adapter.split_id(pdu.message_id)
        row = await conn.core.get(base, key=conn.key)
        return [QuerySmResp(sequence=pdu.sequence, message_id=pdu.message_id, **adapter.query_fields(row))]
    if isinstance(pdu, CancelSm):
        if not pdu.message_id:
            raise PduDecodeError("cancel_sm without a message_id is not supported", S.ESME_RCANCELFAIL)
        try:
            await conn.core.cancel(adapter.split_id(pdu.message_id)[0], key=conn.key)
        except CoreError as exc:
            raise PduDecodeError(exc.message, adapter.status(exc, S.ESME_RCANCELFAIL)) from None
        return [CancelSmResp(sequence=pdu.sequence)]
    if isinstance(pdu, ReplaceSm):
        await conn.core.get(adapter.split_id(pdu.message_id)[0], key=conn.key)
        raise PduDecodeError("a message cannot be replaced once accepted", S.ESME_RREPLACEFAIL)
    raise PduDecodeError(f"{type(pdu).__name__} is not served", S.ESME_RINVCMDID)


@dataclass(frozen=True, slots=True)
class Piece:
    """A submitted segment of a long message, held until the message is whole."""
    pdu: Pdu
    number: int                 # its place in the message (1 to total)
    message_id: str             # the message's, chosen when the set's first segment came
    answered: bool              # answered at once (every segment but the last)


async def _submit(conn: Connection, pdu: SubmitSm | DataSm | SubmitMulti) -> list[Pdu]:
    content = adapter.content(pdu)
    adapter.receipt_request(pdu)
    if content.segment is None:
        return await _accept(conn, (Piece(pdu, 0, "", False),), content.octets, content.data_coding)
    seg = content.segment
    multi = isinstance(pdu, SubmitMulti)
    dests = pdu.dest_addresses if multi else (pdu.destination_addr,)
    key = (pdu.source_addr, dests, seg.reference, seg.total, content.data_coding)
    early = not multi and seg.sequence < seg.total
    if early:       # answered before the rest comes: what can be checked now is
        conn.core.number(adapter.number(pdu.destination_addr, pdu.dest_addr_ton), adapter.NAMES["to"])
    first = conn.segments.first(key)
    piece = Piece(pdu, seg.sequence, first.message_id if first else ids.new_id("msg"), early)
    try:
        whole = conn.segments.add(key, seg.total, seg.sequence, content.octets, piece, conn.clock())
    except Full:
        raise PduDecodeError("too many segments of long messages are waiting for the rest",
                             S.ESME_RMSGQFUL) from None
    if whole is None:
        return [_ok(pdu, f"{piece.message_id}.{seg.sequence}")] if early else []
    return await _accept(conn, whole.tags, whole.data, content.data_coding, message_id=piece.message_id,
                         current=pdu)


async def _accept(conn: Connection, pieces: tuple[Piece, ...], octets: bytes, coding: int, *,
                  message_id: str | None = None, current: Pdu | None = None) -> list[Pdu]:
    """Send one message (per destination) made of these submitted PDUs; answer those not
    answered yet (and `current`, the one that completed the message)."""
    waiting = [p for p in pieces if not p.answered or p.pdu is current]
    first = min(pieces, key=lambda p: p.number).pdu
    try:
        flags = 0
        for p in pieces:
            flags |= adapter.receipt_request(p.pdu)
        body = decode_text(octets, coding)
        to, unsuccess, addresses = _destinations(first)
        multi = isinstance(first, SubmitMulti)
        accepted = await conn.core.send(adapter.submission(first, body, to, conn.core.wall_clock(), multi=multi,
                                                           message_id=message_id), key=conn.key)
    except (PduDecodeError, CoreError) as exc:
        status = exc.status if isinstance(exc, PduDecodeError) else adapter.status(exc)
        return [error(p.pdu, status) for p in waiting]
    for r in accepted.rejected:
        a = addresses[r.index]
        unsuccess.append(Unsuccess(a.address, adapter.status(r.error, S.ESME_RINVDSTADR), a.ton, a.npi))
    if not accepted.messages:
        return [error(p.pdu, unsuccess[0].error if unsuccess else S.ESME_RSUBMITFAIL) for p in waiting]
    mid = accepted.messages[0]["id"]
    if flags:
        segments = max(p.number for p in pieces) or 1
        await conn.core.store.request_smpp_receipts(
            [(m["id"], flags, mid, segments) for m in accepted.messages])
    fields = {"unsuccess_smes": tuple(unsuccess)} if multi else {}
    return [_ok(p.pdu, f"{mid}.{p.number}" if p.number else mid, **fields) for p in waiting]


def _ok(pdu: Pdu, message_id: str, **fields: object) -> Pdu:
    return PDU_TYPES[type(pdu).command_id.response](sequence=pdu.sequence, message_id=message_id, **fields)


def error(pdu: Pdu, status: int) -> Pdu:
    return PDU_TYPES[type(pdu).command_id.response](sequence=pdu.sequence, status=status)


def _destinations(pdu: Pdu) -> tuple[tuple[str, ...], list[Unsuccess], list]:
    """The numbers to send to; distribution lists (which the gateway does not keep) refused."""
    if not isinstance(pdu, SubmitMulti):
        return (adapter.number(pdu.destination_addr, pdu.dest_addr_ton),), [], [pdu]
    unsuccess = [Unsuccess(d.name, S.ESME_RINVDLNAME) for d in pdu.dest_addresses
                 if isinstance(d, DistributionList)]
    addresses = [d for d in pdu.dest_addresses if not isinstance(d, DistributionList)]
    if not addresses:
        raise PduDecodeError("submit_multi names only distribution lists", S.ESME_RCNTSUBDL)
    return tuple(adapter.number(a.address, a.ton) for a in addresses), unsuccess, addresses
