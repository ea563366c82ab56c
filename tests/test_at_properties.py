"""Property tests: chunking, URC interleaving, robustness against garbage."""

from hypothesis import given, settings
from hypothesis import strategies as st

from modemgw.at import ATConnection, Prompt, Response, ResponseParseError, Urc
from modemgw.at import responses

# python-gsmmodem #44 https://github.com/faucamp/python-gsmmodem/issues/44
CMGR_PDU = b"0791198904100161240C911979099137640000511090718303220BC8B4421174CFD175D014"
CDS_PDU = b"079119890400202306400C91197909913764511090718384225110907183252200"
SUBMIT_PDU = "0021000C91197909913764000036D3E614242F8FCB697B99AC038964B058AD058BB560"

# (command, expect_prompt, reply cut at its line boundaries). The driver
# answers a Prompt with SUBMIT_PDU as soon as it sees one.
RESPONSES = [
    # gammu #408 (echo on)
    ("AT+CPIN?", False, [b"AT+CPIN?\r", b"\r\n+CPIN: READY\r\n", b"\r\nOK\r\n"]),
    # python-gsmmodem #44
    ("AT+CMGR=7", False, [b"\r\n+CMGR: 0,,29\r\n", CMGR_PDU + b"\r\n", b"\r\nOK\r\n"]),
    # Huawei E1752 +CLAC (fakemodems.py)
    ("AT+CLAC", False, [b"&C\r\r\n", b"&D\r\r\n", b"\r\nOK\r\n"]),
    # gnokii-users 2003-01/msg00271
    ("AT+CMGS=22", True, [b"\r\n+CMS ERROR: 304\r\n"]),
    # gammu #408: only two pairs after selecting SR
    ('AT+CPMS="SR"', False, [b'AT+CPMS="SR"\r', b"\r\n+CPMS: 2,20,3,10\r\n", b"\r\nOK\r\n"]),
    # node-pdu #22 (echo on: echoed PDU, second prompt, error)
    (
        "AT+CMGS=35",
        True,
        [b"AT+CMGS=35\r", b"\r\n> ", SUBMIT_PDU.encode() + b"\x1a\r\n", b"> ", b"\r\n+CMS ERROR: 513\r\n"],
    ),
    # python-gsmmodem #44 (echo off)
    ("AT+CMGS=35", True, [b"\r\n> ", b"\r\n+CMGS: 64\r\n", b"\r\nOK\r\n"]),
]

URCS = [
    b'\r\n+CMTI: "SM",3\r\n',
    b'\r\n+CDSI: "SR",0\r\n',
    b"\r\nRING\r\n",
    b"\r\n^RSSI:25\r\n",
    b"\r\n^BOOT:35323129,0,0,0,26\r\n",
    b"\r\n^MODE:5\r\n",
    b"\r\n+CPIN: READY\r\n",
    b"\r\nSMS Ready\r\n",
    b"\r\nCall Ready\r\n",
    b"\r\nRDY\r\n",
    b"\r\n+QIND: SMS DONE\r\n",
    b"\r\n+CREG: 1\r\n",
    b"\r\n+CMT: ,29\r\n" + CMGR_PDU + b"\r\n",
    b"\r\n+CDS: 25\r\n" + CDS_PDU + b"\r\n",
    b"\r\n+CDS: 06000B910221815716F2709021510121807090215101718000\r\n",
]


def run(command, expect_prompt, segments, cuts=()):
    """Feed `segments` (each optionally cut at `cuts`) the way a driver would."""
    conn = ATConnection()
    conn.send_command(command, expect_prompt=expect_prompt)
    events = []
    for segment in segments:
        points = sorted({c % (len(segment) + 1) for c in cuts})
        for start, end in zip([0, *points], [*points, len(segment)]):
            new = conn.receive_data(segment[start:end])
            events += new
            if any(isinstance(e, Prompt) for e in new):
                conn.send_pdu(SUBMIT_PDU)
    return events


def urc_events(urc: bytes):
    return ATConnection().receive_data(urc)


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(RESPONSES), cuts=st.lists(st.integers(0, 400), max_size=8))
def test_chunk_boundaries_do_not_matter(case, cuts):
    assert run(*case, cuts=cuts) == run(*case)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), case=st.sampled_from(RESPONSES), urc=st.sampled_from(URCS))
def test_urc_at_any_line_boundary_is_kept_apart(data, case, urc):
    command, expect_prompt, segments = case
    (expected_urc,) = urc_events(urc)
    # A URC sharing the command's prefix is that command's answer (+CPIN: READY
    # to AT+CPIN?); that ambiguity is inherent, not tested here.
    if expected_urc.name.upper() == command[2:].split("=")[0].split("?")[0].upper():
        return
    (baseline,) = [e for e in run(command, expect_prompt, segments) if isinstance(e, Response)]
    at = data.draw(st.integers(0, len(segments)))
    cuts = data.draw(st.lists(st.integers(0, 400), max_size=4))
    events = run(command, expect_prompt, [*segments[:at], urc, *segments[at:]], cuts)
    assert [e for e in events if isinstance(e, Response)] == [baseline]
    assert [e for e in events if isinstance(e, Urc)] == [expected_urc]
    urc_first = events.index(expected_urc) < events.index(baseline)
    assert urc_first == (at < len(segments))


PIECES = [
    b"\r", b"\n", b"\r\n", b"> ", b">", b"\x00", b"\x1a", b"\x1b", b"\xff\xfe", b"OK", b"ERROR",
    b"+CMS ERROR: ", b"+CME ERROR: x", b"+CMT: ,29", b"+CDS: 25", b"+CDS: 0600", b"0791AB",
    b'+CMTI: "SM",1', b"AT+CMGS=1", b"RING", b"NO CARRIER", b"9" * 5000,
]
noise = st.lists(st.sampled_from(PIECES) | st.binary(max_size=40), max_size=30).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(["idle", "command", "prompt", "pdu"]), chunks=st.lists(noise, max_size=6))
def test_garbage_never_raises(start, chunks):
    conn = ATConnection()
    if start != "idle":
        conn.send_command("AT+CMGS=1", expect_prompt=start != "command")
    if start == "pdu":
        conn.receive_data(b"> ")
        conn.send_pdu("00")
    for chunk in chunks:
        for event in conn.receive_data(chunk):
            assert isinstance(event, (Response, Prompt, Urc)) or event.line


@settings(max_examples=200, deadline=None)
@given(data=noise, cuts=st.lists(st.integers(0, 6000), max_size=6), expect_prompt=st.booleans())
def test_garbage_chunking_does_not_matter(data, cuts, expect_prompt):
    # send_pdu is never needed: a Prompt with noise afterwards is fine too.
    def feed(parts):
        conn = ATConnection()
        conn.send_command("AT+CMGS=1", expect_prompt=expect_prompt)
        return [e for part in parts for e in conn.receive_data(part)]

    points = sorted({c % (len(data) + 1) for c in cuts})
    parts = [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]
    assert feed(parts) == feed([data])


LINE_PARSERS = [
    ("+CMGS", responses.parse_cmgs),
    ("+CMTI", responses.parse_storage_indication),
    ("+CNMI", responses.parse_cnmi_test),
    ("+CPMS", responses.parse_cpms_test),
    ("+CPMS", responses.parse_cpms),
    ("+CSMS", responses.parse_csms),
    ("+CSMS", responses.parse_csms_test),
    ("+CSCA", responses.parse_csca),
    ("+CSQ", responses.parse_csq),
    ("+CREG", responses.parse_registration),
    ("+CEREG", responses.parse_registration),
    ("+COPS", responses.parse_cops),
    ("+CPIN", responses.parse_cpin),
]
argument_text = st.text(alphabet='0123456789ABCDEFabcdef,()"-+ :xX\x00\xe9', max_size=40)


@settings(max_examples=500, deadline=None)
@given(parser=st.sampled_from(LINE_PARSERS), argument=argument_text | st.text(max_size=20))
def test_parsers_raise_only_their_own_error(parser, argument):
    prefix, parse = parser
    for line in (f"{prefix}: {argument}", argument):
        try:
            parse(line)
        except ResponseParseError:
            pass


header = st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(["+CMGR: ", "+CMGL: "]), argument_text)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(header | argument_text, max_size=4))
def test_message_parsers_raise_only_their_own_error(lines):
    for parse in (responses.parse_cmgr, responses.parse_cmgl):
        try:
            parse(lines)
        except ResponseParseError:
            pass
