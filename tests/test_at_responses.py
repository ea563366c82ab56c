"""Reply parsers, fed with what real modems printed."""

import pytest

from modemgw.at import ResponseParseError
from modemgw.at.responses import (
    MemoryUsage,
    Operator,
    Registration,
    ServiceCentre,
    SignalQuality,
    SmsService,
    StorageIndication,
    StoredPdu,
    SubmitResult,
    parse_cmgl,
    parse_cmgr,
    parse_cmgs,
    parse_cnmi_test,
    parse_cops,
    parse_cpin,
    parse_cpms,
    parse_cpms_test,
    parse_csca,
    parse_csms,
    parse_csms_test,
    parse_csq,
    parse_registration,
    parse_storage_indication,
)

GAMMU = "https://github.com/gammu/gammu/blob/master/tests/"
PDU_03 = "0791198948004544040C9119894882006200007050307040042206CF35689E9603"
PDU_07 = "0791534850020200040C9153486507895500006090608164138004D4F29C0E"
PDU_38 = "079124602009999006B4098106326906F2212041015554402120410155054000"


@pytest.mark.parametrize(
    ("header", "pdu_line", "expected", "source"),
    [
        ("+CMGR: 1,,25", PDU_03, StoredPdu(None, 1, 25, PDU_03), GAMMU + "at-sms/03.dump"),
        ("+CMGR: 0,23", PDU_07, StoredPdu(None, 0, 23, PDU_07), GAMMU + "at-sms/07.dump"),
        ("+CMGR: 4,1,,151", "0791539111161616640C91", StoredPdu(4, 1, 151, "0791539111161616640C91"), GAMMU + "at-sms/26.dump"),
        ("+CMGR: ,,92", "07914336120011F1", StoredPdu(None, None, 92, "07914336120011F1"), GAMMU + "at-sms/39.dump"),
        ("+CMGR: 24", PDU_38, StoredPdu(None, None, 24, PDU_38), GAMMU + "at-sms/38.dump"),
        ("+CMGR: 1,,156", '07914487200030230406D04F59"', StoredPdu(None, 1, 156, "07914487200030230406D04F59"), GAMMU + "at-sms/04.dump"),
        ('+CMGR: 1,"Bob",25', PDU_03.lower(), StoredPdu(None, 1, 25, PDU_03), "TS 27.005 §3.4.3 with <alpha>"),
    ],
)
def test_cmgr_shapes(header, pdu_line, expected, source):
    assert parse_cmgr([header, pdu_line]) == expected, source


def test_cmgr_empty_slot():
    # Quectel EC200A fw A24 answers bare OK https://forums.quectel.com/t/ec200a-eu-sms-regression-fw-a12-a24/38460
    assert parse_cmgr([]) is None


@pytest.mark.parametrize(
    "lines",
    [
        ["+CMGR: 1,,25"],
        ["+CMGR: 1,,25", "XYZ"],
        ["+CMGR: 1,,25", "123"],  # odd number of digits
        ["+CMGR: a,,25", PDU_03],
        ["+CMGR: 1,,", PDU_03],
        ["+CMGR: 1,2,3,4,5", PDU_03],
        ["+CMGL: 1,,25", PDU_03],
        ['+CMGR: 1,"unterminated,25', PDU_03],
    ],
)
def test_cmgr_malformed(lines):
    with pytest.raises(ResponseParseError):
        parse_cmgr(lines)


def test_cmgl_pairs():
    lines = ["+CMGL: 1,0,,23", PDU_07, "+CMGL: 2,1,24", PDU_38]
    assert parse_cmgl(lines) == [StoredPdu(1, 0, 23, PDU_07), StoredPdu(2, 1, 24, PDU_38)]
    assert parse_cmgl([]) == []
    with pytest.raises(ResponseParseError):
        parse_cmgl(["+CMGL: 1,0,,23"])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("+CMGS: 64", SubmitResult(64, None)),  # python-gsmmodem #44
        ('+CMGS: 12,"07/11/19,09:14:29+08"', SubmitResult(12, "07/11/19,09:14:29+08")),  # Telit UC864 manual form
    ],
)
def test_cmgs(line, expected):
    assert parse_cmgs(line) == expected


@pytest.mark.parametrize("line", ["+CMGS: ", "+CMGS: x", "+CMGR: 64", "OK"])
def test_cmgs_malformed(line):
    with pytest.raises(ResponseParseError):
        parse_cmgs(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('+CMTI: "SM",7', StorageIndication("SM", 7)),  # python-gsmmodem #44
        ('+CDSI: "SR",0', StorageIndication("SR", 0)),  # gammu #408
        ("+CMTI: ME,12", StorageIndication("ME", 12)),
    ],
)
def test_storage_indication(line, expected):
    assert parse_storage_indication(line) == expected


@pytest.mark.parametrize("line", ['+CMTI: "SM"', '+CMTI: "SM",x', '+CREG: "SM",1', '+CMTI: "S M",1'])
def test_storage_indication_malformed(line):
    with pytest.raises(ResponseParseError):
        parse_storage_indication(line)


@pytest.mark.parametrize(
    ("line", "expected", "source"),
    [
        ("+CNMI: (0-2),(0,1,3),(0),(0,1),(0,1)", ({0, 1, 2}, {0, 1, 3}, {0}, {0, 1}, {0, 1}), GAMMU + "at-cnmi/02.dump"),
        ("+CNMI: (2),(0-1,3),(0,2),(0-1),(0)", ({2}, {0, 1, 3}, {0, 2}, {0, 1}, {0}), GAMMU + "at-cnmi/01.dump"),
        ("+CNMI:(0-3),(0-3),(0-3),(0,1),(0,1)", ({0, 1, 2, 3},) * 3 + ({0, 1},) * 2, GAMMU + "at-cnmi/03.dump"),
        # SIM800L, https://github.com/faucamp/python-gsmmodem/issues/60
        ("+CNMI: (0-3),(0-3),(0,2),(0,1),(0,1)", ({0, 1, 2, 3},) * 2 + ({0, 2}, {0, 1}, {0, 1}), "python-gsmmodem #60"),
        # Cinterion MC75i: <bfr> only 1, https://github.com/gammu/gammu/pull/1207
        ("+CNMI: (0-2),(0-3),(0,2),(0-2),(1)", ({0, 1, 2}, {0, 1, 2, 3}, {0, 2}, {0, 1, 2}, {1}), "gammu #1207"),
    ],
)
def test_cnmi_test(line, expected, source):
    assert parse_cnmi_test(line) == tuple(frozenset(s) for s in expected), source


@pytest.mark.parametrize("line", ["+CNMI: ", "+CNMI: (0-x)", "+CNMI: (3-1)", "+CNMI: (0,1", "+CPMS: (0)"])
def test_cnmi_test_malformed(line):
    with pytest.raises(ResponseParseError):
        parse_cnmi_test(line)


ALL4 = frozenset({"ME", "MT", "SM", "SR"})


@pytest.mark.parametrize(
    ("line", "expected", "source"),
    [
        ('+CPMS: ("ME","MT","SM","SR"),("ME","MT","SM","SR"),("ME","MT","SM","SR")', (ALL4,) * 3, "fakemodems.py K3715"),
        ('+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")', (frozenset({"SM", "ME"}),) * 3, GAMMU + "at-cpms/brovi-e3372-325.dump"),
        ('+CPMS: (ME", "SR"), ("ME", "SR"), ("ME")', (frozenset({"ME", "SR"}),) * 2 + (frozenset({"ME"}),), GAMMU + "at-cpms-sr/generic.dump"),
        ('+CPMS: (("SM","BM","SR"),("SM"))', (frozenset({"SM", "BM", "SR"}), frozenset({"SM"})), "fakemodems.py Wavecom"),
        ("+CPMS: (),(),()", (frozenset(),) * 3, "fakemodems.py Nokia N79"),
        ("+CPMS: ", (), GAMMU + "at-cpms/samsung-j700.dump"),
        (
            '+CPMS: ("SM", "ME", "SM_P", "ME_P", "MT"), ("SM", "ME", "SM_P", "ME_P", "MT"), ("SM", "ME", "SM_P", "ME_P", "MT")',
            (frozenset({"SM", "ME", "SM_P", "ME_P", "MT"}),) * 3,
            GAMMU + "at-cpms/alcatel-s320.dump",
        ),
    ],
)
def test_cpms_test(line, expected, source):
    assert parse_cpms_test(line) == expected, source


@pytest.mark.parametrize("line", ['+CPMS: "SM","ME"', "+CPMS: (SM),junk", "+CPMS: (S M)", "+CMGL: (SM)"])
def test_cpms_test_malformed(line):
    with pytest.raises(ResponseParseError):
        parse_cpms_test(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # smstools3 modeminit.c comment / AT+CPMS? form
        ('+CPMS: "SM",0,20,"SM",0,20,"SM",0,20', (MemoryUsage("SM", 0, 20),) * 3),
        # python-gsmmodem #9: reply to AT+CPMS="ME","ME","ME"
        ("+CPMS: 7,100,7,100,7,100", (MemoryUsage(None, 7, 100),) * 3),
        # gammu #408: only two pairs after selecting SR
        ("+CPMS: 2,20,3,10", (MemoryUsage(None, 2, 20), MemoryUsage(None, 3, 10))),
    ],
)
def test_cpms(line, expected):
    assert parse_cpms(line) == expected


@pytest.mark.parametrize("line", ["+CPMS: ", "+CPMS: 1,2,3", '+CPMS: "SM",0', '+CPMS: "SM",x,20'])
def test_cpms_malformed(line):
    with pytest.raises(ResponseParseError):
        parse_cpms(line)


def test_csms():
    assert parse_csms("+CSMS: 0,1,1,1") == SmsService(0, 1, 1, 1)
    assert parse_csms("+CSMS: 1,1,1") == SmsService(None, 1, 1, 1)
    assert parse_csms_test("+CSMS: (0,1)") == frozenset({0, 1})
    assert parse_csms_test("+CSMS: (0-1)") == frozenset({0, 1})
    for bad in ("+CSMS: 1", "+CSMS: a,1,1", "+CSMS: (0),(1)"):
        with pytest.raises(ResponseParseError):
            parse_csms_test(bad) if "(" in bad else parse_csms(bad)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('+CSCA: "+353857000000",145', ServiceCentre("+353857000000", 145)),  # python-gsmmodem #9
        ('+CSCA: "+447958879879",145', ServiceCentre("+447958879879", 145)),
        ('+CSCA: "",129', None),
        ("+CSCA: ", None),
    ],
)
def test_csca(line, expected):
    assert parse_csca(line) == expected


@pytest.mark.parametrize("line", ['+CSCA: "+44abc",145', '+CSCA: "+44",x', '+CSCA: "+44'])
def test_csca_malformed(line):
    with pytest.raises(ResponseParseError):
        parse_csca(line)


def test_csq():
    assert parse_csq("+CSQ: 18,0") == SignalQuality(18, 0)
    assert parse_csq("+CSQ: 18,0").dbm == -77
    assert parse_csq("+CSQ: 99,99").dbm is None
    for bad in ("+CSQ: 18", "+CSQ: ,", "+CSQ: a,b"):
        with pytest.raises(ResponseParseError):
            parse_csq(bad)


MM_HELPERS = "https://github.com/linux-mobile-broadband/ModemManager/blob/main/src/tests/test-modem-helpers.c"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("+CREG: 1,3", Registration(1, 3, None, None, None)),
        ("+CREG: 3", Registration(None, 3, None, None, None)),
        ("+CREG: 0,1,84CD,00D30173", Registration(0, 1, 0x84CD, 0xD30173, None)),  # Sierra Mercury
        ("+CREG: 1,84CD,00D30156", Registration(None, 1, 0x84CD, 0xD30156, None)),
        ("+CREG: 2,1,000B,2816, B, C2816", Registration(2, 1, 0x000B, 0x2816, None)),  # Samsung Wave S8500
        ('+CEREG: 2,1,"002F","0012BEEF",7', Registration(2, 1, 0x2F, 0x12BEEF, 7)),
        ('+CEREG: 1,"F2F5","0140589A",7', Registration(None, 1, 0xF2F5, 0x140589A, 7)),
    ],
)
def test_registration(line, expected):
    assert parse_registration(line) == expected, MM_HELPERS


def test_registration_forced_form():
    assert parse_registration("+CREG: 1,2", solicited=False) == Registration(None, 1, 2, None, None)


@pytest.mark.parametrize("line", ["+CREG: ", "+CREG: x", "+CREG: 1,2,ZZZZ,1", "+CSQ: 1,2"])
def test_registration_malformed(line):
    with pytest.raises(ResponseParseError):
        parse_registration(line)


def test_cops():
    # gammu #242 https://github.com/gammu/gammu/issues/242
    assert parse_cops('+COPS: 0,0,"Indosat Ooredoo"') == Operator(0, 0, "Indosat Ooredoo", None)
    assert parse_cops('+COPS: 0,2,"24203",7') == Operator(0, 2, "24203", 7)
    assert parse_cops("+COPS: 0") == Operator(0, None, None, None)
    with pytest.raises(ResponseParseError):
        parse_cops("+COPS: x")


def test_cpin():
    assert parse_cpin("+CPIN: READY") == "READY"
    assert parse_cpin("+CPIN: SIM PIN") == "SIM PIN"
    with pytest.raises(ResponseParseError):
        parse_cpin("+CPIN: ")
