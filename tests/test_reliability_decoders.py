"""Fuzzing the decoders a modem's bytes reach: PDUs (`modemgw.sms.decode_pdu`), the AT
byte stream (`ATConnection.receive_data`) and the reply parsers (`modemgw.at.responses`).
Nothing escapes but the documented exceptions. Each Hypothesis example is a batch of
inputs, so that the long run (MODEMGW_LONG=1) feeds 10^6 inputs per target in minutes."""

from __future__ import annotations

import inspect
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modemgw.at import ATConnection, ResponseParseError
from modemgw.at import responses
from modemgw.sms import PduError, decode_pdu, encode_deliver, encode_status_report, encode_submit
from reliability.sizes import BATCH, DECODER_BATCHES, record

NOW = datetime(2030, 1, 31, 9, tzinfo=timezone.utc)
SEEDS = [p.hex for p in encode_submit("+14155550123", "Grüße € 😀 " * 20, reference=9)] + \
        [p.hex for p in encode_deliver("+4479", "Ответ 👍 " * 20, timestamp=NOW, smsc="+4479")] + \
        [encode_status_report(7, "+4479", timestamp=NOW, discharge_time=NOW).hex]
FUZZ = settings(max_examples=DECODER_BATCHES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
counted: dict[str, int] = {}


def mutate(seed: str, ops: list[tuple[int, int, int]]) -> str:
    octets = bytearray(bytes.fromhex(seed))
    for op, where, value in ops:
        if not octets:
            octets.append(value)
        elif op == 0:
            octets[where % len(octets)] = value
        elif op == 1:
            del octets[where % len(octets):]
        else:
            octets.insert(where % (len(octets) + 1), value)
    return octets.hex()


pdu_inputs = st.one_of(
    st.tuples(st.binary(max_size=180).map(bytes.hex), st.none() | st.integers(-3, 200)),
    st.tuples(st.builds(mutate, st.sampled_from(SEEDS),
                        st.lists(st.tuples(st.integers(0, 2), st.integers(0, 400), st.integers(0, 255)),
                                 min_size=1, max_size=6)),
              st.none() | st.integers(0, 200)),
    st.tuples(st.text(max_size=40), st.none()),
)


@FUZZ
@given(st.lists(pdu_inputs, min_size=BATCH, max_size=BATCH))
def test_decode_pdu_raises_only_pdu_error(batch):
    for pdu, length in batch:
        try:
            result = decode_pdu(pdu, length)
        except PduError as exc:
            assert str(exc)
        else:
            getattr(result, "text", "").encode("utf-8")     # always a valid str
    counted["decode_pdu"] = counted.get("decode_pdu", 0) + len(batch)


LINES = ["OK", "ERROR", "+CMS ERROR: 500", "> ", "+CMGS: 12", "+CMTI: \"SM\",3", "+CDS: 25",
         "RING", "+CMGL: 1,0,,23", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
         "\x1a", "\x00\xff", "+CPIN: READY", "SMS Ready", "^RSSI:25"]
chunks = st.one_of(st.binary(max_size=40),
                   st.sampled_from(LINES).map(lambda s: ("\r\n" + s + "\r\n").encode("latin-1")))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["idle", "AT+CMGL=4", "AT+CMGS=23", "AT+CPMS?"]),
                          st.lists(chunks, max_size=8)), min_size=BATCH // 5, max_size=BATCH // 5))
def test_at_stream_raises_nothing_but_parse_errors(batch):
    for command, stream in batch:
        conn = ATConnection()
        if command != "idle":
            conn.send_command(command, expect_prompt=command.startswith("AT+CMGS"))
        for data in stream:
            try:
                conn.receive_data(data)
            except ResponseParseError:
                pass
    counted["receive_data"] = counted.get("receive_data", 0) + sum(len(s) for _, s in batch)


PARSERS = [(name, fn) for name, fn in inspect.getmembers(responses, inspect.isfunction)
           if name.startswith("parse_") and fn.__module__ == responses.__name__]
PREFIXES = ["+CMGS: ", "+CMGR: ", "+CMGL: ", "+CMTI: ", "+CDSI: ", "+CNMI: ", "+CPMS: ", "+CSMS: ",
            "+CSCA: ", "+CSQ: ", "+CREG: ", "+CEREG: ", "+COPS: ", "+CPIN: ", ""]
fields = st.text(st.sampled_from('0123456789ABCDEFabcdef",() -+.:SMRE\x00é'), max_size=40)
lines = st.one_of(st.text(max_size=60), st.builds(lambda p, f: p + f, st.sampled_from(PREFIXES), fields))


def call(fn, line: str, extra: list[str]):
    parameters = list(inspect.signature(fn).parameters.values())
    if parameters[0].name == "lines":
        return fn([line, *extra])
    return fn(line)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PARSERS), lines, st.lists(lines, max_size=3)),
                min_size=BATCH, max_size=BATCH))
def test_response_parsers_raise_only_response_parse_error(batch):
    for (name, fn), line, extra in batch:
        try:
            call(fn, line, extra)
        except ResponseParseError:
            pass
    counted["responses"] = counted.get("responses", 0) + len(batch)


@pytest.fixture(scope="module", autouse=True)
def fuzz_figures():
    """After the module's tests: how many inputs each target was fed."""
    yield
    record("fuzz", inputs=dict(counted), parsers=[name for name, _ in PARSERS])
