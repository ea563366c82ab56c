"""Quectel modules (EC25, EG25-G, EP06, EC200).

- With `<ds>=2` the EC25 stores the report in "SR" but announces `+CDSI: "SM",<n>`;
  reading SM finds nothing or another message. Routed reports (`<ds>=1`) work
  (https://github.com/IchthysMaranatha/asterisk-chan-quectel/pull/75).
- EP06-A / EM06-A answer `AT+CMGL=4` in PDU mode with `+CMS ERROR: 303`
  (https://forums.quectel.com/t/ep06-a-em06-a-sms-pdu-mode-and-at-cmgl/7820).
- The ICCID is read with `AT+QCCID`.
"""

from .profile import VendorProfile

PROFILE = VendorProfile(
    name="quectel",
    manufacturers=("quectel",),
    iccid_commands=("AT+QCCID", "AT+CCID"),
    ds_preference=(1,),
    cmgl=False,
)
