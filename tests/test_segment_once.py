"""A text is segmented once per request: the check's segmentation is handed to `compose`,
and `compose`'s to `encode_submit`; what comes out is what segmenting again gives."""

from __future__ import annotations

import pytest

from modemgw.core import checks
from modemgw.core.errors import Invalid
from modemgw.dispatch.compose import compose
from modemgw.sms import ConcatReferences, PduError, encode_submit, segment

TEXTS = [("one GSM-7 part", "Your code is 4711", ()),
         ("two GSM-7 parts with an escape at the cut", "x" * 152 + "€" + "y" * 20, ()),
         ("UCS-2 with a surrogate pair", "Delivered ✅ " * 8 + "😀", ()),
         ("a Turkish national table", "Günaydın ğüşıöç " * 12, ("tr",))]


@pytest.mark.parametrize("case, text, languages", TEXTS)
def test_a_segmentation_handed_on_gives_the_same_pdus(case, text, languages):
    seg = checks.segmented_text(text, "text", languages)
    assert seg == segment(text, languages)
    assert checks.text(text, "text", languages) == text
    assert encode_submit("+15551230002", text, reference=7, national_languages=languages, segmentation=seg) \
        == encode_submit("+15551230002", text, reference=7, national_languages=languages)
    given, computed = (compose("+15551230002", text, sender=None, references=ConcatReferences(), now=0.0,
                               national_languages=languages, **kw) for kw in ({"segmentation": seg}, {}))
    assert given == computed


def test_the_segmentation_of_another_text_is_refused():
    with pytest.raises(PduError, match="not of this text"):
        encode_submit("+15551230002", "hello", segmentation=segment("hullo"))


def test_the_check_raises_for_what_it_raised_before():
    with pytest.raises(Invalid, match="cannot be sent"):
        checks.segmented_text("x" * 153 * 256, "text")
    with pytest.raises(Invalid, match="required"):
        checks.segmented_text(None, "text")
