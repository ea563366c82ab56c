"""SMS commands of 3GPP TS 27.005, PDU mode."""

import asyncio
import re
from typing import TYPE_CHECKING

from modemgw.sms import PduError, Submit, decode_pdu

from .parser import Command
from .registry import command
from .results import CommandError, cms
from .storage import ALL, Memory

if TYPE_CHECKING:
    from .modem import Modem

MAX_TPDU = 164  # 140 octets of user data plus the longest SMS-SUBMIT header


def parse_ranges(text: str) -> list[set[int]]:
    """'(0-3),(0,2),(1)' -> [{0,1,2,3}, {0,2}, {1}]: the values AT+CNMI=? allows."""
    allowed = []
    for group in re.findall(r"\(([^)]*)\)", text):
        values: set[int] = set()
        for item in filter(None, (part.strip() for part in group.split(","))):
            low, _, high = item.partition("-")
            values.update(range(int(low), int(high or low) + 1))
        allowed.append(values)
    return allowed


@command("+CMGF")
async def message_format(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return ["+CMGF: (0)"]
    if cmd.op == "read":
        return ["+CMGF: 0"]
    modem.require_sim("cms")
    if not modem.sms_ready:
        # SIM800 & co. refuse until "SMS Ready" has been printed.
        raise CommandError()
    if cmd.int_arg(0, 0) != 0:
        raise cms(303)  # text mode is not simulated
    return []


@command("+CSCA")
async def service_centre(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return []
    modem.require_sim()
    if cmd.op == "read":
        smsc = modem.settings.smsc
        return [f'+CSCA: "{smsc}",{145 if smsc.startswith("+") else 129}']
    if cmd.op != "set":
        raise CommandError()
    modem.settings.smsc = cmd.args[0]
    return []


@command("+CSMS")
async def message_service(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return ["+CSMS: (0,1)"]
    if cmd.op == "read":
        return [f"+CSMS: {modem.csms},1,1,1"]
    service = cmd.int_arg(0, 0) if cmd.op == "set" else -1
    if service not in (0, 1):
        raise CommandError()
    modem.csms = service
    return ["+CSMS: 1,1,1"]


@command("+CNMI")
async def new_message_indications(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return [f"+CNMI: {modem.profile.cnmi_range}"]
    if cmd.op == "read":
        return ["+CNMI: " + ",".join(map(str, modem.cnmi))]
    if cmd.op != "set" or len(cmd.args) > 5:
        raise CommandError()
    allowed = parse_ranges(modem.profile.cnmi_range)
    values = list(modem.cnmi)
    for i, arg in enumerate(cmd.args):
        if arg == "":
            continue
        value = cmd.int_arg(i)
        if i >= len(allowed) or value not in allowed[i]:
            raise cms(303)
        if i == 3 and value in modem.profile.refused_ds:
            raise CommandError()
        values[i] = value
    modem.cnmi = values
    return []


def _usage(memory: Memory) -> str:
    return f"{memory.used},{memory.capacity}"


@command("+CPMS")
async def preferred_memories(modem: "Modem", cmd: Command) -> list[str]:
    options = modem.profile.cpms_options
    if cmd.op == "test":
        return ["+CPMS: " + ",".join("(" + ",".join(f'"{m}"' for m in o) + ")" for o in options)]
    modem.require_sms()
    if cmd.op == "read":
        fields = [f'"{name}",{_usage(modem.memories[name])}' for name in modem.cpms]
        return ["+CPMS: " + ",".join(fields)]
    if cmd.op != "set" or not 1 <= len(cmd.args) <= len(options):
        raise CommandError()
    chosen = [name.upper() for name in cmd.args]
    for name, allowed in zip(chosen, options):
        if name not in allowed:
            raise cms(302)
    modem.cpms[: len(chosen)] = chosen
    return ["+CPMS: " + ",".join(_usage(modem.memories[name]) for name in modem.cpms)]


@command("+CMMS")
async def more_messages(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return ["+CMMS: (0-2)"]
    if cmd.op == "read":
        return [f"+CMMS: {modem.cmms}"]
    value = cmd.int_arg(0, 0)
    if value not in range(3):
        raise CommandError()
    modem.cmms = value
    return []


@command("+CMGS")
async def send_message(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return []
    if cmd.op != "set":
        raise CommandError()
    modem.require_sms()
    length = cmd.int_arg(0)
    if not 1 <= length <= MAX_TPDU:
        raise cms(304)
    modem.prompt()
    body = await modem.read_sms_editor()
    if body is None:
        return []  # ESC: nothing sent
    submit = _decode_submit("".join(body.split()), length)
    if modem.functionality != 1 or modem.settings.registration not in (1, 5):
        raise cms(331)
    await asyncio.sleep(modem.settings.latency)
    reference = modem.take_reference()
    error = modem.faults.submit_error(submit.destination.number)
    if error is not None:
        modem.counters["submit_errors"] += 1
        raise cms(error)
    modem.network.submit(submit, reference)
    return [f"+CMGS: {reference}"]


def _decode_submit(text: str, length: int) -> Submit:
    """The SMS-SUBMIT typed after the prompt; +CMS ERROR: 304 if it is not one."""
    try:
        octets = bytes.fromhex(text)
    except ValueError:
        raise cms(304) from None
    # <length> counts the TPDU only; the SMSC address (length octet first) is extra.
    if not octets or len(octets) - 1 - octets[0] != length:
        raise cms(304)
    try:
        pdu = decode_pdu(text, length)
    except PduError:
        raise cms(304) from None
    if not isinstance(pdu, Submit):
        raise cms(304)
    return pdu


def _reading_memory(modem: "Modem") -> Memory:
    modem.require_sms()
    return modem.memories[modem.cpms[0]]


@command("+CMGR")
async def read_message(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return []
    if cmd.op != "set":
        raise CommandError()
    memory = _reading_memory(modem)
    index = cmd.int_arg(0)
    if index not in memory.indices:
        raise cms(321)
    message = memory.slots.get(index)
    if message is None:
        return []  # an empty slot reads as a bare OK
    line = f"+CMGR: {message.stat},,{message.tpdu_length}\r\n{message.hex}"
    memory.read(index)
    return [line]


@command("+CMGL")
async def list_messages(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return ["+CMGL: (0-4)"]
    memory = _reading_memory(modem)
    stat = cmd.int_arg(0, 0) if cmd.op == "set" else 0
    if stat not in range(ALL + 1):
        raise cms(302)
    lines = []
    for index, message in memory.listing(stat):
        lines.append(f"+CMGL: {index},{message.stat},,{message.tpdu_length}\r\n{message.hex}")
        memory.read(index)
    return lines


@command("+CMGD")
async def delete_message(modem: "Modem", cmd: Command) -> list[str]:
    memory = _reading_memory(modem)
    if cmd.op == "test":
        used = ",".join(str(i) for i in sorted(memory.slots))
        return [f"+CMGD: ({used}),(0-4)"]
    if cmd.op != "set":
        raise CommandError()
    index, flag = cmd.int_arg(0, memory.first_index), cmd.int_arg(1, 0)
    if flag not in range(5) or (flag == 0 and index not in memory.indices):
        raise cms(321)
    memory.delete(index, flag)
    return []


@command("+CNMA")
async def acknowledge(modem: "Modem", cmd: Command) -> list[str]:
    if cmd.op == "test":
        return ["+CNMA: (0-2)"]
    reply = cmd.int_arg(0, 0) if cmd.op == "set" else 0
    if reply not in range(3):
        raise CommandError()
    modem.acknowledge(positive=reply != 2)
    return []
