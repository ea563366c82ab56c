"""Vendor profiles chosen from what modems really print for AT+CGMI, and the
status-report routing chosen from what they really print for AT+CNMI=?."""

import pytest

from modemgw.at.responses import parse_cnmi_test
from modemgw.modem.notifications import plans
from modemgw.modem.vendors import detect


@pytest.mark.parametrize("cgmi,vendor,source", [
    ("huawei", "huawei", "Huawei sticks print lower-case 'huawei' (python-gsmmodem test/fakemodems.py, E1752/K3715)"),
    ("Quectel", "quectel", "EC25/EG25 AT+CGMI reply (Quectel EC2x AT manual, example of AT+CGMI)"),
    ("SIMCOM_Ltd", "simcom", "SIM800: 'AT+CGMI\\r\\r\\nSIMCOM_Ltd\\r\\n\\r\\nOK' in a public atat-based SIMCom driver's tests"),
    ("SIMCOM INCORPORATED", "simcom", "SIM7600/A76xx: 'Manufacturer: SIMCOM INCORPORATED' (LilyGo-T-A76XX example logs)"),
    ("ZTE INCORPORATED", "zte", "ZTE MF627 ATI 'Manufacturer: ZTE INCORPORATED' (ModemManager device-id test table)"),
    ("WAVECOM MODEM", "generic", "Wavecom profile in python-gsmmodem test/fakemodems.py"),
    ("Telit", "generic", "Telit modules: no deviations handled here"),
    ("", "generic", "a modem that does not answer AT+CGMI"),
])
def test_detect(cgmi, vendor, source):
    assert detect(cgmi).name == vendor


def test_quirks_where_they_belong():
    assert "AT^CURC=0" in detect("huawei").init_commands
    assert detect("huawei").soft_reset is False        # E173 reboots into mass storage
    assert detect("Quectel").ds_preference == (1,)     # EC25 +CDSI names the wrong memory
    assert detect("Quectel").cmgl is False             # EP06 AT+CMGL=4 -> CMS 303
    assert detect("Quectel").iccid_commands[0] == "AT+QCCID"


@pytest.mark.parametrize("reply,first,source", [
    # SIM800L: <ds>=2 rejected; 2,1,0,1,0 works and reports come as +CDS.
    ("+CNMI: (0-3),(0-3),(0,2),(0,1),(0,1)", (2, 1, 0, 1, 0),
     "https://github.com/faucamp/python-gsmmodem/issues/60"),
    ("+CNMI: (2),(0-1,3),(0,2),(0-1),(0)", (2, 1, 0, 1, 0),
     "https://github.com/gammu/gammu/blob/master/tests/at-cnmi/01.dump"),
    ("+CNMI: (0-2),(0,1,3),(0),(0,1),(0,1)", (2, 1, 0, 1, 0),
     "https://github.com/gammu/gammu/blob/master/tests/at-cnmi/02.dump"),
    ("+CNMI: (0-2),(0-1),(0-3),(0,2),(0-1)", (2, 1, 0, 2, 0),   # Cinterion BGS5: no ds=1
     "https://github.com/gammu/gammu/issues/759"),
    ("+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)", (2, 1, 0, 1, 0),
     "https://github.com/gammu/gammu/issues/408"),
])
def test_notification_plan(reply, first, source):
    candidates = plans(parse_cnmi_test(reply))
    assert candidates[0].values == first
    assert all(p.command.startswith("AT+CNMI=") for p in candidates)


def test_plan_without_ds_range_polls_reports():
    candidates = plans(parse_cnmi_test("+CNMI: (0-2),(0-3),(0,2)"))
    assert candidates[0].values == (2, 1, 0) and candidates[0].reports == "polled"


def test_quectel_never_asks_for_stored_reports():
    ranges = parse_cnmi_test("+CNMI: (0-2),(0-2),(0,2),(0-2),(0,1)")
    assert all(p.reports != "stored" for p in plans(ranges, detect("Quectel").ds_preference))
