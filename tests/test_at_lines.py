"""Byte framing: line ends, prompts, garbage."""

import pytest

from modemgw.at.lines import MAX_LINE, PROMPT, LineBuffer


def tokens(data: bytes, *, prompt_allowed: bool = False) -> list:
    buffer = LineBuffer()
    buffer.feed(data)
    out = []
    while (token := buffer.next_token(prompt_allowed=prompt_allowed)) is not None:
        out.append(token)
    return out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Echo ends in CR only (gammu #408: 41A|54T|...|3F?|0D |0D |0A |2B+...).
        (b"AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n", ["AT+CPIN?", "+CPIN: READY", "OK"]),
        # Huawei E1752 +CLAC lines end \r\r\n (python-gsmmodem test/fakemodems.py).
        (b"&C\r\r\n&D\r\r\nOK\r\n", ["&C", "&D", "OK"]),
        (b"OK\r", ["OK"]),  # a lone CR
        (b"\x00\x00OK\x00\r\n", ["OK"]),  # NUL padding
        (b"\r\n \r\n\r\n", []),  # blank lines
        (b"caf\xe9 \xff\r\n", ["caf\xe9 \xff"]),  # not UTF-8: kept byte for byte
        (b"0041000B91\x1a\r\n", ["0041000B91"]),  # echoed Ctrl-Z stripped
    ],
)
def test_lines(raw, expected):
    assert tokens(raw) == expected


def test_incomplete_line_waits_for_its_end():
    buffer = LineBuffer()
    buffer.feed(b"+CMTI: \"SM\"")
    assert buffer.next_token(prompt_allowed=False) is None
    buffer.feed(b",3\r\n")
    assert buffer.next_token(prompt_allowed=False) == '+CMTI: "SM",3'


def test_prompt_has_no_line_end():
    # Quectel forum trace: <-- '<CR><LF>> ' https://forums.quectel.com/t/errors-sending-sms-with-eg06-e-with-both-qmi-and-at-commands/4452
    assert tokens(b"\r\n> ", prompt_allowed=True) == [PROMPT]


def test_prompt_followed_by_echoed_pdu():
    # node-pdu #22 log: "> 0041000B..." https://github.com/JulianWowra/node-pdu/issues/22
    assert tokens(b"> 0041000B\r\n", prompt_allowed=True) == [PROMPT, "0041000B"]


def test_prompt_not_recognised_unless_allowed():
    assert tokens(b"> ") == []
    assert tokens(b"> x\r\n") == ["> x"]


def test_lone_angle_bracket_waits():
    buffer = LineBuffer()
    buffer.feed(b">")
    assert buffer.next_token(prompt_allowed=True) is None
    buffer.feed(b"abc\r\n")
    assert buffer.next_token(prompt_allowed=True) == ">abc"


def test_overlong_line_is_cut_not_buffered_forever():
    data = b"A" * (MAX_LINE + 10)
    assert tokens(data) == ["A" * MAX_LINE]
