"""+CMS ERROR table (modem-quirks.md B.5)."""

import pytest

from modemgw.at.cms_errors import CMS_ERRORS, classify, lookup

TEMPORARY = [38, 41, 42, 47, 331, 332, 500, 512, 513, 514, 515]
PERMANENT = [1, 8, 10, 21, 27, 28, 29, 50, 96, 111, 304, 330]


@pytest.mark.parametrize("code", TEMPORARY)
def test_temporary(code):
    assert classify(code).kind == "temporary"


@pytest.mark.parametrize("code", PERMANENT)
def test_permanent(code):
    assert classify(code).kind == "permanent"


def test_every_entry_is_complete_and_in_range():
    for code, entry in CMS_ERRORS.items():
        assert entry.code == code
        assert 0 <= code <= 127 or 128 <= code <= 255 or 300 <= code <= 340 or code == 500 or 512 <= code <= 515
        assert entry.kind in ("temporary", "permanent")
        assert entry.meaning
        assert entry.source.startswith("https://")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # AT+CMEE=2, https://github.com/warthog618/modem/pull/8
        ("unknown error", 500),
        ("Unknown Error", 500),
        ("SIM busy", 314),  # printed without the "(U)"
        ("invalid PDU mode parameter", 304),
        ("SMSC address unknown", 330),
        ("Network timeout", 332),
        ("+CMS ERROR: 513", 513),
        ("321", 321),
    ],
)
def test_verbose_and_textual_forms(text, code):
    assert lookup(text) is CMS_ERRORS[code]
    assert classify(text) == (CMS_ERRORS[code].kind, CMS_ERRORS[code].meaning)


@pytest.mark.parametrize("unknown", [517, 350, "no such error", "", "9" * 40])
def test_unknown_is_temporary_with_a_note(unknown):
    # 517: no public definition; 350: Quectel EG06-E, undocumented (quirks B.5).
    kind, meaning = classify(unknown)
    assert kind == "temporary"
    assert "not in the table" in meaning
