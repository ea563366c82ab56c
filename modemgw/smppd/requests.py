"""A session's submits, queries, cancels and replaces, answered through the core.

`answer(connection, pdu)` returns the responses to send: none while a long message's
other segments are awaited, one for every segment once the whole message is committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import CoreError
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

async def _submit(conn: Connection, pdu: SubmitSm | DataSm | SubmitMulti) -> list[Pdu]:
    content = adapter.content(pdu)
    adapter.receipt_request(pdu)
    if content.segment is None:
        return await _accept(conn, ((pdu, 0),), content.octets, content.data_coding)
    seg = content.segment
    dests = pdu.dest_addresses if isinstance(pdu, SubmitMulti) else (pdu.destination_addr,)
    key = (pdu.source_addr, dests, seg.reference, seg.total, content.data_coding)
    try:
        whole = conn.segments.add(key, seg.total, seg.sequence, content.octets, (pdu, seg.sequence),
                                   conn.clock())
    except Full:
        raise PduDecodeError("too many segments of long messages are waiting for the rest",
                             S.ESME_RMSGQFUL) from None
    if whole is None:
        return []
    return await _accept(conn, whole.tags, whole.data, content.data_coding)

async def _accept(conn: Connection, tags: tuple[tuple[Pdu, int], ...], octets: bytes, coding: int) -> list[Pdu]:
    """Send one message (per destination) made of these submitted PDUs; answer each of them."""
    first = min(tags, key=lambda t: t[1])[0]
    try:
        flags = 0
        for p, _ in tags:
            flags |= adapter.receipt_request(p)
        body = decode_text(octets, coding)
        to, unsuccess, addresses = _destinations(first)
        multi = isinstance(first, SubmitMulti)
        accepted = await conn.core.send(adapter.submission(first, body, to, conn.core.wall_clock(),
                                                           multi=multi), key=conn.key)
    except (PduDecodeError, CoreError) as exc:
        status = exc.status if isinstance(exc, PduDecodeError) else adapter.status(exc)
        return [error(p, status) for p, _ in tags]
    for r in accepted.rejected:
        a = addresses[r.index]
        unsuccess.append(Unsuccess(a.address, adapter.status(r.error, S.ESME_RINVDSTADR), a.ton, a.npi))
    if not accepted.messages:
        return [error(p, unsuccess[0].error if unsuccess else S.ESME_RSUBMITFAIL) for p, _ in tags]
    mid = accepted.messages[0]["id"]
    if flags:
        segments = max(k for _, k in tags) or 1
        await conn.core.store.request_smpp_receipts(
            [(m["id"], flags, mid, segments) for m in accepted.messages])
    out: list[Pdu] = []
    for p, k in tags:
        ident = f"{mid}.{k}" if k else mid
        fields = {"unsuccess_smes": tuple(unsuccess)} if multi else {}
        out.append(PDU_TYPES[type(p).command_id.response](sequence=p.sequence, message_id=ident, **fields))
    return out


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
