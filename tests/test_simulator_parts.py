"""Pieces of the simulated modem that need no pty: command-line parsing, ranges, storage, faults."""

import pytest

from modemgw.simulator.faults import Faults
from modemgw.simulator.parser import Command, ParseError, parse_line
from modemgw.simulator.sms_commands import parse_ranges
from modemgw.simulator.storage import REC_READ, REC_UNREAD, STO_SENT, Memory, StoredMessage


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", []),
        ("E0V1", [Command("E", "set", ("0",)), Command("V", "set", ("1",))]),
        ("&F;E0", [Command("&F", "exec"), Command("E", "set", ("0",))]),
        ("+CMEE=1;+CREG=2", [Command("+CMEE", "set", ("1",)), Command("+CREG", "set", ("2",))]),
        ("+cpms?", [Command("+CPMS", "read")]),
        ("+CNMI=?", [Command("+CNMI", "test")]),
        ('+CPMS="sm","ME";+CSCA="+1;2",145', [
            Command("+CPMS", "set", ("sm", "ME")), Command("+CSCA", "set", ("+1;2", "145"))]),
        ("+CNMI=2,,0", [Command("+CNMI", "set", ("2", "", "0"))]),
        ("S7=60S0?", [Command("S7", "set", ("60",)), Command("S0", "read")]),
        ("^CURC=0", [Command("^CURC", "set", ("0",))]),
    ],
)
def test_parse_line(body, expected):
    parsed = parse_line(body)
    assert [(c.name, c.op, c.args) for c in parsed] == [(c.name, c.op, c.args) for c in expected]


@pytest.mark.parametrize("body", ['+CSCA="unterminated', "+", "E0!"])
def test_parse_errors(body):
    with pytest.raises(ParseError):
        parse_line(body)


def test_parse_ranges():
    assert parse_ranges("(0-3),(0,2),(1),(0-1,3)") == [{0, 1, 2, 3}, {0, 2}, {1}, {0, 1, 3}]


def test_memory_delete_flags():
    memory = Memory("SM", 4, first_index=1)
    for stat in (REC_UNREAD, REC_READ, STO_SENT):
        memory.store(StoredMessage(stat, "00", 1))
    assert memory.read(1).stat == REC_READ  # reading marks it read
    memory.delete(0, flag=1)
    assert list(memory.slots) == [3]
    assert memory.store(StoredMessage(REC_UNREAD, "00", 1)) == 1
    memory.delete(0, flag=4)
    assert memory.used == 0


def test_memory_full():
    memory = Memory("SR", 1, first_index=0)
    assert memory.store(StoredMessage(REC_UNREAD, "00", 1)) == 0
    assert memory.store(StoredMessage(REC_UNREAD, "00", 1)) is None


def test_fault_rate_is_reproducible():
    first, second = Faults(cms_error_rate=0.5, seed=3), Faults(cms_error_rate=0.5, seed=3)
    a = [first.submit_error("+1") for _ in range(50)]
    b = [second.submit_error("+1") for _ in range(50)]
    assert a == b and set(a) == {None, 500} and 10 < a.count(500) < 40
