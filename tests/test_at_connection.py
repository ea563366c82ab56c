"""The command/response state machine against traces real modems printed."""

import pytest

from modemgw.at import (
    ATConnection,
    LocalProtocolError,
    Prompt,
    Response,
    ResultKind,
    State,
    UnexpectedLine,
    Urc,
)

# python-gsmmodem #44 https://github.com/faucamp/python-gsmmodem/issues/44
CMGS_PDU = (
    "0021000C91197909913764000036D3E614242F8FCB697B99AC038964B058AD058BB560"
    "3950ECA69BE17433D80A56D3CD603A1032AD5004DD73741D341501"
)
CDS_PDU = "079119890400202306400C91197909913764511090718384225110907183252200"
CMGR_PDU = "0791198904100161240C911979099137640000511090718303220BC8B4421174CFD175D014"


def command(conn: ATConnection, text: str, reply: bytes, **kwargs) -> list:
    conn.send_command(text, **kwargs)
    return conn.receive_data(reply)


def test_idle_after_construction():
    conn = ATConnection()
    assert conn.state is State.IDLE and conn.pending is None


def test_send_command_appends_cr():
    assert ATConnection().send_command("AT+CPIN?") == b"AT+CPIN?\r"


def test_simple_response_with_echo():
    # gammu #408: 41A|54T|2B+|43C|50P|49I|4EN|3F?|0D |0D |0A |2B+... https://github.com/gammu/gammu/issues/408
    conn = ATConnection()
    events = command(conn, "AT+CPIN?", b"AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n")
    assert events == [Response("AT+CPIN?", ("+CPIN: READY",), events[0].result)]
    assert events[0].ok and events[0].result.kind is ResultKind.OK
    assert conn.state is State.IDLE


def test_urc_before_the_reply_is_not_swallowed():
    # gammu #408: +CDSI: "SR",0 arrives as line 1 of the reply to AT+CPIN?
    conn = ATConnection()
    events = command(conn, "AT+CPIN?", b'\r\n+CDSI: "SR",0\r\nAT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n')
    assert events[0] == Urc("+CDSI", '+CDSI: "SR",0')
    assert events[1].lines == ("+CPIN: READY",)


def test_cpin_is_a_urc_at_boot_but_a_reply_to_at_cpin():
    # SIM800L boot: RDY, +CFUN: 1, +CPIN: READY, Call Ready, SMS Ready
    # https://github.com/Seeed-Studio/GPRS_SIM900/issues/39
    conn = ATConnection()
    boot = conn.receive_data(b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n")
    assert [e.name for e in boot] == ["RDY", "+CFUN", "+CPIN", "Call Ready", "SMS Ready"]
    assert all(isinstance(e, Urc) for e in boot)
    reply = command(conn, "AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n")
    assert reply[0].lines == ("+CPIN: READY",)


def test_echo_after_ate0_and_owned_cfun_reply():
    # python-gsmmodem #56: ['ATE0\rATE0\r', 'OK'], ['AT+CFUN?\r', '+CFUN: 1', 'OK']
    # https://github.com/faucamp/python-gsmmodem/issues/56
    conn = ATConnection()
    assert command(conn, "ATE0", b"ATE0\rATE0\r\r\nOK\r\n")[0].lines == ()
    assert command(conn, "AT+CFUN?", b"AT+CFUN?\r\r\n+CFUN: 1\r\n\r\nOK\r\n")[0].lines == ("+CFUN: 1",)


def test_creg_urc_vs_reply():
    # ModemManager test-modem-helpers.c: "+CREG: 1,3" solicited, "\r\n+CREG: 3\r\n" unsolicited
    conn = ATConnection()
    assert conn.receive_data(b"\r\n+CREG: 3\r\n") == [Urc("+CREG", "+CREG: 3")]
    assert command(conn, "AT+CREG?", b"\r\n+CREG: 1,3\r\n\r\nOK\r\n")[0].lines == ("+CREG: 1,3",)


def test_send_sms_flow_then_status_report():
    # python-gsmmodem #44: AT+CMGS=61 -> '> ' -> '+CMGS: 64', 'OK'; then '+CDS: 25' + PDU
    conn = ATConnection()
    assert command(conn, "AT+CMGS=61", b"\r\n> ", expect_prompt=True) == [Prompt("AT+CMGS=61")]
    assert conn.state is State.PROMPTED
    assert conn.send_pdu(CMGS_PDU) == CMGS_PDU.encode() + b"\x1a"
    events = conn.receive_data(b"\r\n+CMGS: 64\r\n\r\nOK\r\n")
    assert [(e.lines, e.ok) for e in events] == [(("+CMGS: 64",), True)]
    assert conn.receive_data(b"\r\n+CDS: 25\r\n" + CDS_PDU.encode() + b"\r\n") == [
        Urc("+CDS", "+CDS: 25", CDS_PDU)
    ]


def test_echo_on_pdu_echo_second_prompt_and_cms_error():
    # node-pdu #22 log: "> 0041000B..." / "> " / "+CMS ERROR: 513"
    # https://github.com/JulianWowra/node-pdu/issues/22
    conn = ATConnection()
    events = command(conn, "AT+CMGS=61", b"AT+CMGS=61\r\r\n> ", expect_prompt=True)
    assert events == [Prompt("AT+CMGS=61")]
    conn.send_pdu(CMGS_PDU)
    events = conn.receive_data(CMGS_PDU.encode() + b"\x1a\r\n> \r\n+CMS ERROR: 513\r\n")
    assert len(events) == 1
    assert events[0].lines == ()
    assert events[0].result.kind is ResultKind.CMS_ERROR and events[0].result.error == 513


def test_urc_between_prompt_and_result():
    conn = ATConnection()
    command(conn, "AT+CMGS=61", b"\r\n> ", expect_prompt=True)
    conn.send_pdu(CMGS_PDU)
    events = conn.receive_data(b'\r\n+CMTI: "SM",7\r\n\r\n+CMGS: 64\r\n\r\nOK\r\n')
    assert events[0] == Urc("+CMTI", '+CMTI: "SM",7')
    assert events[1].lines == ("+CMGS: 64",)


def test_cmgs_line_is_not_a_urc_when_idle():
    assert ATConnection().receive_data(b"\r\n+CMGS: 64\r\n") == [UnexpectedLine("+CMGS: 64")]


def test_error_instead_of_prompt():
    # gnokii-users: wrong <length> gives +CMS ERROR: 304
    # https://lists.libreplanet.org/archive/html/gnokii-users/2003-01/msg00271.html
    conn = ATConnection()
    events = command(conn, "AT+CMGS=22", b"\r\n+CMS ERROR: 304\r\n", expect_prompt=True)
    assert events[0].result.error == 304 and conn.state is State.IDLE


def test_routed_message_glued_onto_another_answer():
    # smstools3 detect_routed_message(): "+CPMS: ... OK ... +CMT: ,59 0791..."
    # https://github.com/andrewjsi/amisms/blob/master/src/smsservertools/modeminit.c
    conn = ATConnection()
    events = command(
        conn,
        "AT+CPMS?",
        b'\r\n+CPMS: "SM",0,20,"SM",0,20,"SM",0,20\r\n\r\nOK\r\n\r\n+CMT: ,29\r\n' + CMGR_PDU.encode() + b"\r\n",
    )
    assert events[0].lines == ('+CPMS: "SM",0,20,"SM",0,20,"SM",0,20',)
    assert events[1] == Urc("+CMT", "+CMT: ,29", CMGR_PDU)


def test_read_message_with_urc_between_header_and_pdu():
    # python-gsmmodem #44: '+CMGR: 0,,29', PDU, 'OK'; Huawei ^RSSI:14 (gammu #138)
    conn = ATConnection()
    events = command(conn, "AT+CMGR=7", b"\r\n+CMGR: 0,,29\r\n\r\n^RSSI:14\r\n" + CMGR_PDU.encode() + b"\r\n\r\nOK\r\n")
    assert events[0] == Urc("^RSSI", "^RSSI:14")
    assert events[1].lines == ("+CMGR: 0,,29", CMGR_PDU)


def test_one_line_cds():
    # http://amro.blogspot.com/2007/09/receiving-sms-status-report-message.html
    line = "+CDS: 06000B910221815716F2709021510121807090215101718000"
    assert ATConnection().receive_data(line.encode() + b"\r\n") == [
        Urc("+CDS", line, "06000B910221815716F2709021510121807090215101718000")
    ]


def test_two_line_header_without_pdu_does_not_eat_the_result():
    conn = ATConnection()
    events = command(conn, "AT", b"\r\n+CMT: ,29\r\nOK\r\n")
    assert events[0] == Urc("+CMT", "+CMT: ,29", None)
    assert events[1].ok


@pytest.mark.parametrize(
    ("reply", "kind", "error"),
    [
        (b"\r\nERROR\r\n", ResultKind.ERROR, None),
        # Huawei E1752, python-gsmmodem test/fakemodems.py
        (b"\r\nCOMMAND NOT SUPPORT\r\n", ResultKind.ERROR, None),
        # ZTE "SIM busy" right after init, python-gsmmodem #11
        (b"\r\n+CME ERROR: 14\r\n", ResultKind.CME_ERROR, 14),
        (b"\r\n+CME ERROR: SIM busy\r\n", ResultKind.CME_ERROR, "SIM busy"),
        # AT+CMEE=2, https://github.com/warthog618/modem/pull/8
        (b"\r\n+CMS ERROR: unknown error\r\n", ResultKind.CMS_ERROR, "unknown error"),
        # Fibocom G510, https://www.easymanua.ls/fibocom/g510/manual?p=118
        (b"\r\n+CMGS ERROR: 500\r\n", ResultKind.CMS_ERROR, 500),
        (b"\r\nNO CARRIER\r\n", ResultKind.CALL, None),
    ],
)
def test_final_results(reply, kind, error):
    (response,) = command(ATConnection(), "AT+WIND?", reply)
    assert response.result.kind is kind and response.result.error == error
    assert not response.ok


def test_no_carrier_when_idle_is_a_urc():
    assert ATConnection().receive_data(b"\r\nNO CARRIER\r\n") == [Urc("NO CARRIER", "NO CARRIER")]


def test_huawei_boot_and_rssi_urcs_when_idle():
    # gammu #138 https://github.com/gammu/gammu/issues/138
    events = ATConnection().receive_data(b"\r\n^BOOT:35323129,0,0,0,26\r\n\r\n^RSSI:14\r\n\r\n^MODE:5\r\n")
    assert [e.name for e in events] == ["^BOOT", "^RSSI", "^MODE"]


def test_unknown_line_when_idle_is_reported():
    assert ATConnection().receive_data(b"\r\nOK\r\n+ZPASR: \"UMTS\"\r\n") == [
        UnexpectedLine("OK"),
        UnexpectedLine('+ZPASR: "UMTS"'),
    ]


def test_extra_urcs():
    conn = ATConnection(extra_urcs=["+ZPASR"])
    assert conn.receive_data(b'+ZPASR: "UMTS"\r\n') == [Urc("+ZPASR", '+ZPASR: "UMTS"')]


def test_vendor_line_without_prefix_is_an_info_line():
    # Huawei E1752 +CLAC without "+CLAC:", lines end \r\r\n (fakemodems.py)
    events = command(ATConnection(), "AT+CLAC", b"&C\r\r\n&D\r\r\n+CMGS\r\r\n\r\nOK\r\n")
    assert events[0].lines == ("&C", "&D", "+CMGS")


def test_abort_without_final_result_keeps_pending_lines():
    # Wavecom answers AT+CPIN? with +CPIN: READY and no OK (fakemodems.py)
    conn = ATConnection()
    assert command(conn, "AT+CPIN?", b"\r\n+CPIN: READY\r\n") == []
    assert conn.pending.lines == ("+CPIN: READY",)
    assert conn.abort() == b""
    assert conn.state is State.IDLE and conn.pending is None
    assert conn.receive_data(b"\r\nOK\r\n") == [UnexpectedLine("OK")]


def test_abort_while_waiting_for_pdu_sends_escape():
    conn = ATConnection()
    command(conn, "AT+CMGS=61", b"\r\n> ", expect_prompt=True)
    assert conn.abort() == b"\x1b"
    assert conn.state is State.IDLE


def test_misuse_raises():
    conn = ATConnection()
    with pytest.raises(LocalProtocolError):
        conn.send_pdu("00")
    with pytest.raises(LocalProtocolError):
        conn.send_command("AT\rAT")
    with pytest.raises(LocalProtocolError):
        conn.send_command("AT+CSCA=\"\u20ac\"")
    conn.send_command("AT")
    with pytest.raises(LocalProtocolError):
        conn.send_command("AT")
    conn.abort()
    command(conn, "AT+CMGS=1", b"\r\n> ", expect_prompt=True)
    with pytest.raises(LocalProtocolError):
        conn.send_pdu("0G")
    with pytest.raises(LocalProtocolError):
        conn.send_pdu("001")
