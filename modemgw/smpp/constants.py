"""SMPP v3.4 numbers: command ids, command statuses, TLV tags and the small vocabularies
of the mandatory fields. Each table follows the section of the SMPP v3.4 specification
(issue 1.2, 1999) it is cited from."""

from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import Final

INTERFACE_VERSION: Final = 0x34          # §5.2.4: SMPP v3.4
HEADER_LENGTH: Final = 16                # §3.2: command_length, command_id, command_status, sequence
MAX_SEQUENCE: Final = 0x7FFFFFFF         # §3.2: 0x00000001 to 0x7FFFFFFF
MAX_SHORT_MESSAGE: Final = 254           # §5.2.21: sm_length 0 to 254


class CommandId(IntEnum):
    """§5.1.2.1. A response's id is its request's with bit 31 set."""
    GENERIC_NACK = 0x80000000
    BIND_RECEIVER = 0x00000001
    BIND_RECEIVER_RESP = 0x80000001
    BIND_TRANSMITTER = 0x00000002
    BIND_TRANSMITTER_RESP = 0x80000002
    QUERY_SM = 0x00000003
    QUERY_SM_RESP = 0x80000003
    SUBMIT_SM = 0x00000004
    SUBMIT_SM_RESP = 0x80000004
    DELIVER_SM = 0x00000005
    DELIVER_SM_RESP = 0x80000005
    UNBIND = 0x00000006
    UNBIND_RESP = 0x80000006
    REPLACE_SM = 0x00000007
    REPLACE_SM_RESP = 0x80000007
    CANCEL_SM = 0x00000008
    CANCEL_SM_RESP = 0x80000008
    BIND_TRANSCEIVER = 0x00000009
    BIND_TRANSCEIVER_RESP = 0x80000009
    OUTBIND = 0x0000000B
    ENQUIRE_LINK = 0x00000015
    ENQUIRE_LINK_RESP = 0x80000015
    SUBMIT_MULTI = 0x00000021
    SUBMIT_MULTI_RESP = 0x80000021
    ALERT_NOTIFICATION = 0x00000102
    DATA_SM = 0x00000103
    DATA_SM_RESP = 0x80000103

    @property
    def is_response(self) -> bool:
        return bool(self & 0x80000000)

    @property
    def response(self) -> CommandId:
        """The response to this request (generic_nack for those that have none)."""
        try:
            return CommandId(self | 0x80000000)
        except ValueError:
            return CommandId.GENERIC_NACK


class CommandStatus(IntEnum):
    """§5.1.3, table 5-2."""
    ESME_ROK = 0x00
    ESME_RINVMSGLEN = 0x01
    ESME_RINVCMDLEN = 0x02
    ESME_RINVCMDID = 0x03
    ESME_RINVBNDSTS = 0x04
    ESME_RALYBND = 0x05
    ESME_RINVPRTFLG = 0x06
    ESME_RINVREGDLVFLG = 0x07
    ESME_RSYSERR = 0x08
    ESME_RINVSRCADR = 0x0A
    ESME_RINVDSTADR = 0x0B
    ESME_RINVMSGID = 0x0C
    ESME_RBINDFAIL = 0x0D
    ESME_RINVPASWD = 0x0E
    ESME_RINVSYSID = 0x0F
    ESME_RCANCELFAIL = 0x11
    ESME_RREPLACEFAIL = 0x13
    ESME_RMSGQFUL = 0x14
    ESME_RINVSERTYP = 0x15
    ESME_RINVNUMDESTS = 0x33
    ESME_RINVDLNAME = 0x34
    ESME_RINVDESTFLAG = 0x40
    ESME_RINVSUBREP = 0x42
    ESME_RINVESMCLASS = 0x43
    ESME_RCNTSUBDL = 0x44
    ESME_RSUBMITFAIL = 0x45
    ESME_RINVSRCTON = 0x48
    ESME_RINVSRCNPI = 0x49
    ESME_RINVDSTTON = 0x50
    ESME_RINVDSTNPI = 0x51
    ESME_RINVSYSTYP = 0x53
    ESME_RINVREPFLAG = 0x54
    ESME_RINVNUMMSGS = 0x55
    ESME_RTHROTTLED = 0x58
    ESME_RINVSCHED = 0x61
    ESME_RINVEXPIRY = 0x62
    ESME_RINVDFTMSGID = 0x63
    ESME_RX_T_APPN = 0x64
    ESME_RX_P_APPN = 0x65
    ESME_RX_R_APPN = 0x66
    ESME_RQUERYFAIL = 0x67
    ESME_RINVOPTPARSTREAM = 0xC0
    ESME_ROPTPARNOTALLWD = 0xC1
    ESME_RINVPARLEN = 0xC2
    ESME_RMISSINGOPTPARAM = 0xC3
    ESME_RINVOPTPARAMVAL = 0xC4
    ESME_RDELIVERYFAILURE = 0xFE
    ESME_RUNKNOWNERR = 0xFF


def status_of(value: int) -> CommandStatus | int:
    """The enum member when the value is one of v3.4's, else the number (vendors add their own)."""
    try:
        return CommandStatus(value)
    except ValueError:
        return value


class Tag(IntEnum):
    """§5.3.2, table 5-10: the optional parameters (TLVs)."""
    DEST_ADDR_SUBUNIT = 0x0005
    DEST_NETWORK_TYPE = 0x0006
    DEST_BEARER_TYPE = 0x0007
    DEST_TELEMATICS_ID = 0x0008
    SOURCE_ADDR_SUBUNIT = 0x000D
    SOURCE_NETWORK_TYPE = 0x000E
    SOURCE_BEARER_TYPE = 0x000F
    SOURCE_TELEMATICS_ID = 0x0010
    QOS_TIME_TO_LIVE = 0x0017
    PAYLOAD_TYPE = 0x0019
    ADDITIONAL_STATUS_INFO_TEXT = 0x001D
    RECEIPTED_MESSAGE_ID = 0x001E
    MS_MSG_WAIT_FACILITIES = 0x0030
    PRIVACY_INDICATOR = 0x0201
    SOURCE_SUBADDRESS = 0x0202
    DEST_SUBADDRESS = 0x0203
    USER_MESSAGE_REFERENCE = 0x0204
    USER_RESPONSE_CODE = 0x0205
    SOURCE_PORT = 0x020A
    DESTINATION_PORT = 0x020B
    SAR_MSG_REF_NUM = 0x020C
    LANGUAGE_INDICATOR = 0x020D
    SAR_TOTAL_SEGMENTS = 0x020E
    SAR_SEGMENT_SEQNUM = 0x020F
    SC_INTERFACE_VERSION = 0x0210
    CALLBACK_NUM_PRES_IND = 0x0302
    CALLBACK_NUM_ATAG = 0x0303
    NUMBER_OF_MESSAGES = 0x0304
    CALLBACK_NUM = 0x0381
    DPF_RESULT = 0x0420
    SET_DPF = 0x0421
    MS_AVAILABILITY_STATUS = 0x0422
    NETWORK_ERROR_CODE = 0x0423
    MESSAGE_PAYLOAD = 0x0424
    DELIVERY_FAILURE_REASON = 0x0425
    MORE_MESSAGES_TO_SEND = 0x0426
    MESSAGE_STATE = 0x0427
    USSD_SERVICE_OP = 0x0501
    DISPLAY_TIME = 0x1201
    SMS_SIGNAL = 0x1203
    MS_VALIDITY = 0x1204
    ALERT_ON_MESSAGE_DELIVERY = 0x130C
    ITS_REPLY_TYPE = 0x1380
    ITS_SESSION_INFO = 0x1383


class Ton(IntEnum):
    """§5.2.5 type of number."""
    UNKNOWN = 0
    INTERNATIONAL = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3
    SUBSCRIBER_NUMBER = 4
    ALPHANUMERIC = 5
    ABBREVIATED = 6


class Npi(IntEnum):
    """§5.2.6 numbering plan indicator."""
    UNKNOWN = 0
    ISDN = 1            # E.163/E.164
    DATA = 3
    TELEX = 4
    LAND_MOBILE = 6
    NATIONAL = 8
    PRIVATE = 9
    ERMES = 10
    INTERNET = 14
    WAP = 18


class Esm(IntFlag):
    """§5.2.12 esm_class bits this server reads or sets."""
    DELIVERY_RECEIPT = 0x04             # message type: SMSC delivery receipt (deliver_sm)
    INTERMEDIATE_NOTIFICATION = 0x20
    UDHI = 0x40                         # GSM: the short message starts with a user data header
    REPLY_PATH = 0x80


MESSAGE_TYPE_MASK: Final = 0x3C          # §5.2.12 bits 5-2: the message type


class Coding(IntEnum):
    """§5.2.19 data_coding (the values SMPP gives; 0xF0-0xFF are GSM's own DCS)."""
    DEFAULT = 0x00          # SMSC default alphabet: GSM 03.38 here, one septet per octet
    IA5 = 0x01              # IA5 (CCITT T.50) / ASCII (ANSI X3.4)
    BINARY_A = 0x02         # octet unspecified (8-bit binary)
    LATIN_1 = 0x03
    BINARY = 0x04           # octet unspecified (8-bit binary)
    JIS = 0x05
    CYRILLIC = 0x06
    HEBREW = 0x07
    UCS2 = 0x08


class MessageState(IntEnum):
    """§5.2.28 message_state (query_sm_resp, and the TLV of a delivery receipt)."""
    ENROUTE = 1
    DELIVERED = 2
    EXPIRED = 3
    DELETED = 4
    UNDELIVERABLE = 5
    ACCEPTED = 6
    UNKNOWN = 7
    REJECTED = 8


class RegisteredDelivery(IntEnum):
    """§5.2.17 bits 1-0: which SMSC delivery receipts the ESME asked for."""
    NONE = 0
    FINAL = 1           # on success or failure
    FAILURE = 2         # on failure only


RECEIPT_MASK: Final = 0x03
INTERMEDIATE_MASK: Final = 0x10          # §5.2.17 bit 4: intermediate notification requested


class DestFlag(IntEnum):
    """§5.2.25 submit_multi dest_flag."""
    SME_ADDRESS = 1
    DISTRIBUTION_LIST = 2
