"""The SMS codec: GSM 03.38 / UCS-2 text, segmentation and TS 23.040 PDUs.

Pure functions and small immutable classes, no I/O. Decoders raise only
`PduError`.

    >>> from modemgw.sms import encode_submit, decode_pdu, preview
    >>> preview("Hello €").segments
    1
    >>> [part] = encode_submit("+14155550123", "Hello")
    >>> decode_pdu(part.hex, part.tpdu_length).text
    'Hello'
"""

from .address import Address
from .dcs import DataCoding, MessageWaiting
from .deliver import Deliver, decode_deliver, encode_deliver
from .encoded import EncodedPdu
from .errors import PduError
from .gsm7 import is_gsm7
from .pdu import decode_pdu, decode_tpdu
from .reassembly import Duplicate, InboundMessage, Reassembler
from .references import ConcatReferences
from .segmentation import Preview, Segmentation, preview, segment
from .status_report import Outcome, StatusReport, decode_status_report, encode_status_report, interpret_status
from .submit import Submit, decode_submit, encode_submit
from .udh import Concat, InformationElement, UserDataHeader

__all__ = [
    "Address", "Concat", "ConcatReferences", "DataCoding", "Deliver", "EncodedPdu",
    "InboundMessage", "InformationElement", "MessageWaiting", "Outcome", "PduError", "Preview",
    "Duplicate", "Reassembler", "Segmentation", "StatusReport", "Submit", "UserDataHeader",
    "decode_deliver", "decode_pdu", "decode_status_report", "decode_submit", "decode_tpdu",
    "encode_deliver", "encode_status_report", "encode_submit", "interpret_status", "is_gsm7",
    "preview", "segment",
]
