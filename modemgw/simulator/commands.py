"""General AT commands: V.250 basics, identity, SIM, registration and housekeeping (27.007)."""

from typing import TYPE_CHECKING

from .parser import Command
from .registry import NotSupported, command
from .results import CommandError, cme

if TYPE_CHECKING:
    from .modem import Modem


def _flag(cmd: Command, allowed: range) -> int:
    value = cmd.int_arg(0, 0)
    if value not in allowed:
        raise CommandError()
    return value


# -- V.250 -------------------------------------------------------------------


@command("E")
async def echo(modem: "Modem", cmd: Command) -> list[str]:
    # With the echo-stuck fault this is accepted but has no effect.
    modem.echo = bool(_flag(cmd, range(2)))
    return []


@command("V")
async def verbose(modem: "Modem", cmd: Command) -> list[str]:
    modem.verbose = bool(_flag(cmd, range(2)))
    return []


@command("Q")
async def quiet(modem: "Modem", cmd: Command) -> list[str]:
    modem.quiet = bool(_flag(cmd, range(2)))
    return []


@command("Z", "&F")
async def reset(modem: "Modem", cmd: Command) -> list[str]:
    modem.reset_settings()
    return []


@command("&C", "&D", "&K", "&W", "X", "L", "M")
async def accepted(modem: "Modem", cmd: Command) -> list[str]:
    return []


@command("I")
async def information(modem: "Modem", cmd: Command) -> list[str]:
    p = modem.profile
    return [p.manufacturer, p.model, f"Revision: {p.revision}"]


@command("S")
async def s_register(modem: "Modem", cmd: Command) -> list[str]:
    number = int(cmd.name[1:] or 0)
    if cmd.op == "read":
        return [f"{modem.s_registers.get(number, 0):03d}"]
    if cmd.op == "set":
        modem.s_registers[number] = _flag(cmd, range(256))
    return []


@command("+IFC")
async def flow_control(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "read":
        return ["+IFC: 2,2"]
    if cmd.op == "test":
        return ["+IFC: (0-2),(0-2)"]
    return []


@command("+CMEE")
async def error_format(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "read":
        return [f"+CMEE: {modem.cmee}"]
    if cmd.op == "test":
        return ["+CMEE: (0-2)"]
    modem.cmee = _flag(cmd, range(3))
    return []


# -- identity ----------------------------------------------------------------

IDENTITY = {
    "+CGMI": "manufacturer", "+GMI": "manufacturer",
    "+CGMM": "model", "+GMM": "model",
    "+CGMR": "revision", "+GMR": "revision",
    "+CGSN": "imei", "+GSN": "imei",
}


@command(*IDENTITY)
async def identity(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return []
    return [getattr(modem.profile, IDENTITY[cmd.name])]


@command("+CIMI")
async def imsi(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return []
    modem.require_sim()
    return [modem.profile.imsi]


@command("+CCID")
async def iccid(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return []
    modem.require_sim()
    return [f"+CCID: {modem.profile.iccid}"]


@command("+QCCID")
async def quectel_iccid(modem: "Modem", cmd: Command) -> list[str]:
    # 19 digits padded to the SIM's 20 nibbles (hardware-notes.md, "ICCID").
    if not modem.profile.qccid:
        raise NotSupported(cmd.name)
    if cmd.op == "test":
        return []
    modem.require_sim()
    return [f"+QCCID: {modem.profile.iccid}{'F' * (len(modem.profile.iccid) % 2)}"]


@command("+GCAP")
async def capabilities(modem: "Modem", cmd: Command) -> list[str]:
    return ["+GCAP: +CGSM"]


# -- SIM ---------------------------------------------------------------------


@command("+CPIN")
async def pin(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return []
    if cmd.op == "read":
        if modem.sim_state in ("OFF", "BUSY"):
            modem.require_sim()
        return [f"+CPIN: {dict(READY='READY', PIN='SIM PIN', PUK='SIM PUK')[modem.sim_state]}"]
    if cmd.op != "set" or not cmd.args[0]:
        raise CommandError()
    if modem.sim_state == "PIN":
        if cmd.args[0] != modem.settings.pin:
            modem.pin_attempts -= 1
            if modem.pin_attempts == 0:
                modem.sim_state = "PUK"
            raise cme(16)
    elif modem.sim_state == "PUK":
        if cmd.args[0] != modem.settings.puk or len(cmd.args) < 2 or not cmd.args[1]:
            raise cme(16)
        modem.settings.pin = cmd.args[1]
    else:
        # No PIN is being asked for (SIM ready, or still initialising).
        modem.require_sim()
        raise cme(3)
    modem.pin_attempts = 3
    modem.sim_unlocked()
    return []


# Status words of ETSI TS 102 221 §10.2, as AT+CRSM prints them (decimal).
SW_OK, SW_WRONG_LENGTH, SW_FILE_NOT_FOUND, SW_INS_UNKNOWN = (144, 0), (103, 0), (106, 130), (109, 0)
READ_BINARY = 176


@command("+CRSM")
async def restricted_sim_access(modem: "Modem", cmd: Command) -> list[str]:
    """27.007 §8.18 `AT+CRSM=<command>,<fileid>,<P1>,<P2>,<P3>`: READ BINARY only."""
    if not modem.profile.crsm:
        raise NotSupported(cmd.name)
    if cmd.op == "test":
        return []
    if cmd.op != "set":
        raise CommandError()
    modem.require_sim()
    data = modem.sim_file(cmd.int_arg(1, 0))
    if data is None:
        return ["+CRSM: %d,%d" % SW_FILE_NOT_FOUND]
    if cmd.int_arg(0) != READ_BINARY:
        return ["+CRSM: %d,%d" % SW_INS_UNKNOWN]
    offset = cmd.int_arg(2, 0) * 256 + cmd.int_arg(3, 0)
    length = cmd.int_arg(4, 0) or len(data) - offset
    if offset + length > len(data):
        return ["+CRSM: %d,%d" % SW_WRONG_LENGTH]
    return ['+CRSM: %d,%d,"%s"' % (*SW_OK, data[offset:offset + length].hex().upper())]


# -- radio and registration -------------------------------------------------


@command("+CFUN")
async def functionality(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "read":
        return [f"+CFUN: {modem.functionality}"]
    if cmd.op == "test":
        return ["+CFUN: (0,1,4),(0,1)"]
    level = _flag(cmd, range(5))
    if level not in (0, 1, 4) or cmd.int_arg(1, 0) not in (0, 1):
        raise CommandError()
    modem.functionality = level
    if cmd.int_arg(1, 0) == 1:
        # Reboot after the OK has gone out.
        modem.request_reset()
    elif level == 1:
        modem.network.flush()
    return []


@command("+CSQ")
async def signal_quality(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return ["+CSQ: (0-31,99),(0-7,99)"]
    rssi = modem.settings.signal if modem.functionality == 1 else 99
    return [f"+CSQ: {rssi},99"]


def registration_status(modem: "Modem") -> int:
    return modem.settings.registration if modem.functionality == 1 and modem.sim_state == "READY" else 0


def registration_line(modem: "Modem", name: str, prefix_n: bool) -> str:
    """+CREG: [<n>,]<stat>[,<lac>,<ci>] with the location when <n>=2."""
    n = modem.registration_urcs[name]
    fields = [str(n)] if prefix_n else []
    fields.append(str(registration_status(modem)))
    if n == 2:
        fields += ['"1A2B"', '"01C3D4E5"'] if name == "+CEREG" else ['"1A2B"', '"C3D4"']
    return f"{name}: {','.join(fields)}"


@command("+CREG", "+CGREG", "+CEREG")
async def registration(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "read":
        return [registration_line(modem, cmd.name, prefix_n=True)]
    if cmd.op == "test":
        return [f"{cmd.name}: (0-2)"]
    modem.registration_urcs[cmd.name] = _flag(cmd, range(3))
    return []


@command("+COPS")
async def operator(modem: "Modem", cmd: Command) -> list[str]:
    s = modem.settings
    names = (s.operator_long, s.operator_short, s.operator_numeric)
    if cmd.op == "read":
        if registration_status(modem) not in (1, 5):
            return ["+COPS: 0"]
        return [f'+COPS: 0,{modem.cops_format},"{names[modem.cops_format]}",7']
    if cmd.op == "test":
        return [f'+COPS: (2,"{names[0]}","{names[1]}","{names[2]}",7),,(0-4),(0-2)']
    mode = cmd.int_arg(0, 0)
    if mode not in range(5):
        raise CommandError()
    if mode == 3:
        fmt = cmd.int_arg(1, 0)
        if fmt not in range(3):
            raise CommandError()
        modem.cops_format = fmt
    return []


@command("+CGATT")
async def packet_attach(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "read":
        return [f"+CGATT: {1 if registration_status(modem) in (1, 5) else 0}"]
    if cmd.op == "test":
        return ["+CGATT: (0,1)"]
    return []


# -- housekeeping ------------------------------------------------------------


@command("+CSCS")
async def character_set(modem: "Modem", cmd: Command) -> list[str]:
    sets = ("IRA", "GSM", "UCS2", "HEX", "PCCP437", "8859-1")
    if cmd.op == "read":
        return [f'+CSCS: "{modem.charset}"']
    if cmd.op == "test":
        return ["+CSCS: (" + ",".join(f'"{name}"' for name in sets) + ")"]
    if cmd.op != "set" or cmd.args[0].upper() not in sets:
        raise CommandError()
    # String parameters are not transcoded; in PDU mode nothing depends on it.
    modem.charset = cmd.args[0].upper()
    return []


@command("+CUSD")
async def ussd(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "read":
        return [f"+CUSD: {modem.cusd}"]
    if cmd.op == "test":
        return ["+CUSD: (0-2)"]
    modem.cusd = _flag(cmd, range(3))
    return []


@command("+CBC")
async def battery(modem: "Modem", cmd: Command) -> list[str]:
    return [] if cmd.op == "test" else ["+CBC: 0,100,4200"]


@command("+CHUP", "+CLVL", "+CRC")
async def no_op(modem: "Modem", cmd: Command) -> list[str]:
    return []


@command("^CURC")
async def huawei_urc_control(modem: "Modem", cmd: Command) -> list[str]:
    # Only Huawei firmwares, which are the ones with periodic ^RSSI, know it.
    if not modem.profile.periodic_urcs:
        raise NotSupported(cmd.name)
    if cmd.op == "read":
        return [f"^CURC: {modem.curc}"]
    if cmd.op == "test":
        return ["^CURC: (0-1)"]
    modem.curc = _flag(cmd, range(2))
    return []
