"""A modem configured by USB serial number is found again after it re-enumerates."""

import os

from modemgw.identity import by_usb_serial, resolver
from modemgw.config import ModemConfig
from modemgw.modem import Backoff, Modem, ModemState, Timeouts
from modemgw.simulator import Simulator
from modemgw.sms import encode_submit

FAST = Timeouts(command=2, prompt=2, submit=2, probe=0.3, sms_ready=5, reset=3)


def test_lookup_by_serial_and_interface(tmp_path):
    for name in ("usb-Quectel_EC25_0123456789-if00-port0", "usb-Quectel_EC25_0123456789-if02-port0",
                 "usb-Quectel_EC25_9999999999-if02-port0"):
        os.symlink("/dev/null", tmp_path / name)
    assert by_usb_serial("0123456789", 2, root=str(tmp_path)).endswith("0123456789-if02-port0")
    assert by_usb_serial("0123456789", None, root=str(tmp_path)).endswith("-if00-port0")
    assert by_usb_serial("5555", 2, root=str(tmp_path)) is None


def test_resolver_follows_the_configuration():
    assert resolver(ModemConfig("a", port="/dev/ttyUSB2"))() == "/dev/ttyUSB2"
    assert resolver(ModemConfig("a", usb_serial="no-such-serial", interface=2))() is None


async def test_modem_reopened_under_its_new_name(tmp_path):
    byid = tmp_path / "by-id"
    byid.mkdir()
    name = "usb-Quectel_EC25_0123456789-if02-port0"
    first = Simulator(str(tmp_path / "ttyUSB2"), profile="ec25")
    await first.start()
    os.symlink(first.device, byid / name)
    modem = Modem("ec25", lambda: by_usb_serial("0123456789", 2, root=str(byid)),
                  timeouts=FAST, backoff=Backoff(0.05, 0.2))
    second = Simulator(str(tmp_path / "ttyUSB5"), profile="ec25")
    try:
        await modem.start()
        await modem.wait_for(ModemState.READY, timeout=10)
        # Reset: the device drops off and comes back as another tty.
        first.unplug()
        os.unlink(byid / name)
        await modem.wait_for(ModemState.OFFLINE, timeout=5)
        await second.start()
        os.symlink(second.device, byid / name)
        assert await modem.wait_for(ModemState.READY, timeout=10) == ModemState.READY
        [part] = encode_submit("+15551230001", "found you")
        await modem.send(part)
        assert await second.wait_for(lambda: second.handset("+15551230001")) == ["found you"]
    finally:
        await modem.stop()
        await first.stop()
        await second.stop()


async def test_lookup_by_imei_asks_each_port(tmp_path):
    from dataclasses import replace
    from modemgw.simulator import PROFILES
    other = replace(PROFILES["ec25"], imei="861234567890123")
    async with Simulator(str(tmp_path / "ttyA"), profile="generic") as a, \
            Simulator(str(tmp_path / "ttyB"), profile=other) as b:
        await a.wait_ready()
        await b.wait_ready()
        from modemgw.identity import by_imei
        pattern = (str(tmp_path / "tty*"),)
        assert await by_imei(b.profile.imei, pattern) == os.path.realpath(b.path)
        assert await by_imei("000000000000000", pattern) is None
