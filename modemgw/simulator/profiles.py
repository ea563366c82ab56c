"""Vendor profiles: what distinguishes one simulated modem model from another.

Each profile is plain data; the AT engine reads it and never tests the
profile's name. Values are the modems' own answers as reported by their
users (bug reports, logs).
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    name: str
    manufacturer: str
    model: str
    revision: str
    imei: str | None = None          # None: derived from the simulator's name (imei.py)
    imsi: str = "001010123456789"
    iccid: str | None = None         # None: derived from the simulator's name (imei.py)
    # AT+QCCID (Quectel) answers the ICCID with the SIM's F padding nibble still on.
    qccid: bool = False
    # AT+CNMI=? exactly as printed; values outside it are rejected.
    cnmi_range: str = "(0-3),(0-3),(0,2),(0-2),(0,1)"
    cnmi_default: tuple[int, ...] = (0, 0, 0, 0, 0)
    # AT+CPMS=? choices for <mem1>, <mem2>, <mem3>.
    cpms_options: tuple[tuple[str, ...], ...] = (("SM", "ME", "SR"), ("SM", "ME"), ("SM", "ME"))
    memory_sizes: tuple[tuple[str, int], ...] = (("SM", 30), ("ME", 50), ("SR", 30))
    first_index: int = 1
    # Where <ds>=2 stores status reports; None: the receive memory <mem3>.
    report_memory: str | None = "SR"
    # Memory named in +CDSI; None: the memory actually used (EC25 says "SM").
    cdsi_announces: str | None = None
    # Unsolicited lines after power-up, by phase: "power", "sim" (SIM ready), "sms" (SMS ready).
    boot_urcs: tuple[tuple[str, str], ...] = ()
    # (interval in s, line) repeated while powered; "{rssi}" is the signal level.
    periodic_urcs: tuple[tuple[float, str], ...] = ()
    # Final result for unknown commands.
    unknown_command_reply: str = "ERROR"
    # <ds> values AT+CNMI=? offers but a set refuses with ERROR (only stored reports
    # then), as the SIMCom A7670X refused 2,2,0,1,0 (morgverd/sms-server#12).
    refused_ds: tuple[int, ...] = ()
    # True: the TP-MR counter is EF_SMSS on the SIM, updated on every submit as TS
    # 23.040 §9.2.3.6 asks (so it survives a reboot). False: RAM only, from 0 after
    # each boot, EF_SMSS never written. Which real modems do which: hardware-notes.md.
    mr_on_sim: bool = True
    # AT+CRSM (restricted SIM access, 27.007 §8.18) exists; False: an unknown command.
    crsm: bool = True


GENERIC = Profile(
    name="generic",
    manufacturer="modemgw",
    model="Simulated GSM Modem",
    revision="modemgw-sim 1.0",
)

SIM800 = Profile(
    name="sim800",
    manufacturer="SIMCOM_Ltd",
    model="SIMCOM_SIM800L",
    revision="Revision:1418B05SIM800L24",
    cnmi_range="(0-3),(0-3),(0,2),(0,1),(0,1)",
    cpms_options=(("SM", "ME", "SM_P", "ME_P", "MT"),) * 3,
    memory_sizes=(("SM", 30), ("ME", 50), ("SM_P", 30), ("ME_P", 50), ("MT", 80)),
    report_memory=None,
    boot_urcs=(
        ("power", "RDY"),
        ("power", "+CFUN: 1"),
        ("sim", "+CPIN: READY"),
        ("sms", "Call Ready"),
        ("sms", "SMS Ready"),
    ),
)

EC25 = Profile(
    name="ec25",
    manufacturer="Quectel",
    model="EC25",
    revision="EC25EFAR06A10M4G",
    cnmi_range="(0-2),(0-2),(0,2),(0-2),(0,1)",
    cpms_options=(("SM", "ME", "SR"),) * 3,
    first_index=0,
    cdsi_announces="SM",
    qccid=True,
    boot_urcs=(
        ("power", "RDY"),
        ("sim", "+CPIN: READY"),
        ("sms", "+QIND: SMS DONE"),
        ("sms", "+QIND: PB DONE"),
    ),
)

HUAWEI_E3372 = Profile(
    name="huawei_e3372",
    manufacturer="huawei",
    model="E3372",
    revision="21.286.03.01.209",
    cnmi_range="(0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)",
    cpms_options=(("SM", "ME"),) * 3,
    memory_sizes=(("SM", 30), ("ME", 500)),
    report_memory=None,
    periodic_urcs=((10.0, "^RSSI:{rssi}"),),
    unknown_command_reply="COMMAND NOT SUPPORT",
)

# Variants of the generic modem, one quirk each.
MR_IN_RAM = replace(GENERIC, name="mr_in_ram", mr_on_sim=False)
NO_CRSM = replace(GENERIC, name="no_crsm", crsm=False)
# Routed reports refused: +CDSI, naming the memory the report is in ...
STORED_REPORTS = replace(GENERIC, name="stored_reports", refused_ds=(1,))
# ... or another one: "SM" for a report kept in "SR" (EC25, above), or the reverse.
STORED_REPORTS_NAMED_SM = replace(STORED_REPORTS, name="stored_reports_named_sm", cdsi_announces="SM")
STORED_REPORTS_NAMED_SR = replace(STORED_REPORTS, name="stored_reports_named_sr", report_memory=None,
                                  cdsi_announces="SR")

PROFILES: dict[str, Profile] = {p.name: p for p in (
    GENERIC, SIM800, EC25, HUAWEI_E3372, MR_IN_RAM, NO_CRSM, STORED_REPORTS, STORED_REPORTS_NAMED_SM,
    STORED_REPORTS_NAMED_SR)}
