"""Behaviour knobs of the simulated modem and network, changeable at runtime."""

from dataclasses import dataclass

REPORT_MODES = ("auto", "cds", "cdsi", "stored")


@dataclass
class Settings:
    # Seconds between the PDU's Ctrl-Z and the +CMGS answer (the network round trip).
    latency: float = 0.0
    # How status reports reach the host: "auto" follows AT+CNMI <ds>;
    # "cds" routes, "cdsi" stores and announces, "stored" stores silently.
    report_mode: str = "auto"
    report_delay: float = 0.5
    report_status: int = 0
    # TP-ST of an extra report sent first (e.g. 0x30), or None.
    intermediate_status: int | None = None
    # Service centre in AT+CSCA? and in the PDUs the network produces; "" for none.
    smsc: str = "+15550000000"
    # SIM PIN; None means the SIM asks for none.
    pin: str | None = None
    puk: str = "12345678"
    sim_ready_delay: float = 0.0
    sms_ready_delay: float = 0.0
    signal: int = 20
    # 27.007 <stat> of AT+CREG/+CGREG/+CEREG: 1 home, 5 roaming, 2 searching.
    registration: int = 1
    operator_long: str = "Simulated Network"
    operator_short: str = "SimNet"
    operator_numeric: str = "00101"
    # With AT+CSMS=1: how long a routed +CMT/+CDS waits for AT+CNMA, and
    # when the network tries again after the missing acknowledgement.
    ack_timeout: float = 5.0
    redeliver_delay: float = 2.0
    first_message_reference: int = 0

    def __post_init__(self) -> None:
        if self.report_mode not in REPORT_MODES:
            raise ValueError(f"report_mode must be one of {REPORT_MODES}")
