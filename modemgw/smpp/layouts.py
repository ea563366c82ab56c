"""The mandatory part of each PDU's body, as data: per command id, the fields in wire
order, each with its kind, its maximum length and the status a bad value is refused
with. `codec.py` reads and writes every PDU from these tables, so a layout is checked
against the specification here and nowhere else.

Lengths are those of SMPP v3.4 §4 (a C-octet string's maximum includes its NUL).
"""

from __future__ import annotations

from enum import Enum
from typing import Final

from .constants import CommandId, CommandStatus as S, Tag


class Kind(Enum):
    INT1 = "int1"
    INT2 = "int2"
    INT4 = "int4"
    CSTRING = "c-octet string"
    SHORT_MESSAGE = "sm_length + short_message"      # §5.2.21-22: a length octet, then the octets
    DESTS = "number_of_dests + dest_address list"    # §4.5.1
    UNSUCCESS = "no_unsuccess + unsuccess_sme list"   # §4.5.2


Field = tuple[str, Kind, int, S]

_SOURCE: Final[tuple[Field, ...]] = (
    ("source_addr_ton", Kind.INT1, 1, S.ESME_RINVSRCTON),
    ("source_addr_npi", Kind.INT1, 1, S.ESME_RINVSRCNPI),
    ("source_addr", Kind.CSTRING, 21, S.ESME_RINVSRCADR),
)
_DEST: Final[tuple[Field, ...]] = (
    ("dest_addr_ton", Kind.INT1, 1, S.ESME_RINVDSTTON),
    ("dest_addr_npi", Kind.INT1, 1, S.ESME_RINVDSTNPI),
    ("destination_addr", Kind.CSTRING, 21, S.ESME_RINVDSTADR),
)
_BIND: Final[tuple[Field, ...]] = (        # §4.1.1, §4.1.3, §4.1.5
    ("system_id", Kind.CSTRING, 16, S.ESME_RINVSYSID),
    ("password", Kind.CSTRING, 9, S.ESME_RINVPASWD),
    ("system_type", Kind.CSTRING, 13, S.ESME_RINVSYSTYP),
    ("interface_version", Kind.INT1, 1, S.ESME_RBINDFAIL),
    ("addr_ton", Kind.INT1, 1, S.ESME_RINVSRCTON),
    ("addr_npi", Kind.INT1, 1, S.ESME_RINVSRCNPI),
    ("address_range", Kind.CSTRING, 41, S.ESME_RBINDFAIL),
)
_BIND_RESP: Final[tuple[Field, ...]] = (("system_id", Kind.CSTRING, 16, S.ESME_RINVSYSID),)
_MESSAGE_ID: Final[tuple[Field, ...]] = (("message_id", Kind.CSTRING, 65, S.ESME_RINVMSGID),)
_SHORT_MESSAGE: Final[tuple[Field, ...]] = (   # §4.4.1 submit_sm = §4.6.1 deliver_sm
    ("service_type", Kind.CSTRING, 6, S.ESME_RINVSERTYP),
    *_SOURCE,
    *_DEST,
    ("esm_class", Kind.INT1, 1, S.ESME_RINVESMCLASS),
    ("protocol_id", Kind.INT1, 1, S.ESME_RSUBMITFAIL),
    ("priority_flag", Kind.INT1, 1, S.ESME_RINVPRTFLG),
    ("schedule_delivery_time", Kind.CSTRING, 17, S.ESME_RINVSCHED),
    ("validity_period", Kind.CSTRING, 17, S.ESME_RINVEXPIRY),
    ("registered_delivery", Kind.INT1, 1, S.ESME_RINVREGDLVFLG),
    ("replace_if_present_flag", Kind.INT1, 1, S.ESME_RINVREPFLAG),
    ("data_coding", Kind.INT1, 1, S.ESME_RSUBMITFAIL),
    ("sm_default_msg_id", Kind.INT1, 1, S.ESME_RINVDFTMSGID),
    ("short_message", Kind.SHORT_MESSAGE, 254, S.ESME_RINVMSGLEN),
)

LAYOUTS: Final[dict[CommandId, tuple[Field, ...]]] = {
    CommandId.GENERIC_NACK: (),
    CommandId.BIND_TRANSMITTER: _BIND,
    CommandId.BIND_RECEIVER: _BIND,
    CommandId.BIND_TRANSCEIVER: _BIND,
    CommandId.BIND_TRANSMITTER_RESP: _BIND_RESP,
    CommandId.BIND_RECEIVER_RESP: _BIND_RESP,
    CommandId.BIND_TRANSCEIVER_RESP: _BIND_RESP,
    CommandId.OUTBIND: (("system_id", Kind.CSTRING, 16, S.ESME_RINVSYSID),
                        ("password", Kind.CSTRING, 9, S.ESME_RINVPASWD)),     # §4.1.7
    CommandId.UNBIND: (),
    CommandId.UNBIND_RESP: (),
    CommandId.ENQUIRE_LINK: (),
    CommandId.ENQUIRE_LINK_RESP: (),
    CommandId.SUBMIT_SM: _SHORT_MESSAGE,
    CommandId.SUBMIT_SM_RESP: _MESSAGE_ID,
    CommandId.DELIVER_SM: _SHORT_MESSAGE,
    CommandId.DELIVER_SM_RESP: _MESSAGE_ID,
    CommandId.SUBMIT_MULTI: (          # §4.5.1
        ("service_type", Kind.CSTRING, 6, S.ESME_RINVSERTYP),
        *_SOURCE,
        ("dest_addresses", Kind.DESTS, 255, S.ESME_RINVNUMDESTS),
        *_SHORT_MESSAGE[7:],
    ),
    CommandId.SUBMIT_MULTI_RESP: (*_MESSAGE_ID,
                                  ("unsuccess_smes", Kind.UNSUCCESS, 255, S.ESME_RINVNUMDESTS)),
    CommandId.DATA_SM: (                # §4.7.1: addresses of up to 65 octets here
        ("service_type", Kind.CSTRING, 6, S.ESME_RINVSERTYP),
        ("source_addr_ton", Kind.INT1, 1, S.ESME_RINVSRCTON),
        ("source_addr_npi", Kind.INT1, 1, S.ESME_RINVSRCNPI),
        ("source_addr", Kind.CSTRING, 65, S.ESME_RINVSRCADR),
        ("dest_addr_ton", Kind.INT1, 1, S.ESME_RINVDSTTON),
        ("dest_addr_npi", Kind.INT1, 1, S.ESME_RINVDSTNPI),
        ("destination_addr", Kind.CSTRING, 65, S.ESME_RINVDSTADR),
        ("esm_class", Kind.INT1, 1, S.ESME_RINVESMCLASS),
        ("registered_delivery", Kind.INT1, 1, S.ESME_RINVREGDLVFLG),
        ("data_coding", Kind.INT1, 1, S.ESME_RSUBMITFAIL),
    ),
    CommandId.DATA_SM_RESP: _MESSAGE_ID,
    CommandId.QUERY_SM: (*_MESSAGE_ID, *_SOURCE),                       # §4.8.1
    CommandId.QUERY_SM_RESP: (*_MESSAGE_ID,                             # §4.8.2
                              ("final_date", Kind.CSTRING, 17, S.ESME_RQUERYFAIL),
                              ("message_state", Kind.INT1, 1, S.ESME_RQUERYFAIL),
                              ("error_code", Kind.INT1, 1, S.ESME_RQUERYFAIL)),
    CommandId.CANCEL_SM: (("service_type", Kind.CSTRING, 6, S.ESME_RINVSERTYP),   # §4.9.1
                          *_MESSAGE_ID, *_SOURCE, *_DEST),
    CommandId.CANCEL_SM_RESP: (),
    CommandId.REPLACE_SM: (*_MESSAGE_ID, *_SOURCE,                      # §4.10.1
                           ("schedule_delivery_time", Kind.CSTRING, 17, S.ESME_RINVSCHED),
                           ("validity_period", Kind.CSTRING, 17, S.ESME_RINVEXPIRY),
                           ("registered_delivery", Kind.INT1, 1, S.ESME_RINVREGDLVFLG),
                           ("sm_default_msg_id", Kind.INT1, 1, S.ESME_RINVDFTMSGID),
                           ("short_message", Kind.SHORT_MESSAGE, 254, S.ESME_RINVMSGLEN)),
    CommandId.REPLACE_SM_RESP: (),
    CommandId.ALERT_NOTIFICATION: (                                      # §4.12.1
        ("source_addr_ton", Kind.INT1, 1, S.ESME_RINVSRCTON),
        ("source_addr_npi", Kind.INT1, 1, S.ESME_RINVSRCNPI),
        ("source_addr", Kind.CSTRING, 65, S.ESME_RINVSRCADR),
        ("esme_addr_ton", Kind.INT1, 1, S.ESME_RINVDSTTON),
        ("esme_addr_npi", Kind.INT1, 1, S.ESME_RINVDSTNPI),
        ("esme_addr", Kind.CSTRING, 65, S.ESME_RINVDSTADR),
    ),
}

# Optional parameters whose length v3.4 fixes (§5.3.2): (least, most) octets. A known
# tag with another length is refused with ESME_RINVPARLEN; unknown tags are kept as
# they came (§3.2.4.1: a receiver ignores optional parameters it does not support).
TLV_LENGTHS: Final[dict[Tag, tuple[int, int]]] = {
    Tag.DEST_ADDR_SUBUNIT: (1, 1), Tag.DEST_NETWORK_TYPE: (1, 1), Tag.DEST_BEARER_TYPE: (1, 1),
    Tag.DEST_TELEMATICS_ID: (2, 2), Tag.SOURCE_ADDR_SUBUNIT: (1, 1),
    Tag.SOURCE_NETWORK_TYPE: (1, 1), Tag.SOURCE_BEARER_TYPE: (1, 1),
    Tag.SOURCE_TELEMATICS_ID: (1, 1), Tag.QOS_TIME_TO_LIVE: (4, 4), Tag.PAYLOAD_TYPE: (1, 1),
    Tag.ADDITIONAL_STATUS_INFO_TEXT: (1, 256), Tag.RECEIPTED_MESSAGE_ID: (1, 65),
    Tag.MS_MSG_WAIT_FACILITIES: (1, 1), Tag.PRIVACY_INDICATOR: (1, 1),
    Tag.SOURCE_SUBADDRESS: (2, 23), Tag.DEST_SUBADDRESS: (2, 23),
    Tag.USER_MESSAGE_REFERENCE: (2, 2), Tag.USER_RESPONSE_CODE: (1, 1),
    Tag.SOURCE_PORT: (2, 2), Tag.DESTINATION_PORT: (2, 2), Tag.SAR_MSG_REF_NUM: (2, 2),
    Tag.LANGUAGE_INDICATOR: (1, 1), Tag.SAR_TOTAL_SEGMENTS: (1, 1),
    Tag.SAR_SEGMENT_SEQNUM: (1, 1), Tag.SC_INTERFACE_VERSION: (1, 1),
    Tag.CALLBACK_NUM_PRES_IND: (1, 1), Tag.CALLBACK_NUM_ATAG: (0, 65),
    Tag.NUMBER_OF_MESSAGES: (1, 1), Tag.CALLBACK_NUM: (4, 19), Tag.DPF_RESULT: (1, 1),
    Tag.SET_DPF: (1, 1), Tag.MS_AVAILABILITY_STATUS: (1, 1), Tag.NETWORK_ERROR_CODE: (3, 3),
    Tag.MESSAGE_PAYLOAD: (0, 65535), Tag.DELIVERY_FAILURE_REASON: (1, 1),
    Tag.MORE_MESSAGES_TO_SEND: (1, 1), Tag.MESSAGE_STATE: (1, 1), Tag.USSD_SERVICE_OP: (1, 1),
    Tag.DISPLAY_TIME: (1, 1), Tag.SMS_SIGNAL: (2, 2), Tag.MS_VALIDITY: (1, 1),
    Tag.ALERT_ON_MESSAGE_DELIVERY: (0, 0), Tag.ITS_REPLY_TYPE: (1, 1), Tag.ITS_SESSION_INFO: (2, 2),
}
