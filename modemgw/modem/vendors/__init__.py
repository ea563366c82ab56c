"""Per-family deviations from TS 27.005/27.007, one small module each."""

from __future__ import annotations

from . import generic, huawei, quectel, simcom, zte
from .profile import VendorProfile

PROFILES: tuple[VendorProfile, ...] = (huawei.PROFILE, quectel.PROFILE, simcom.PROFILE, zte.PROFILE)


def detect(manufacturer: str) -> VendorProfile:
    """The profile for an AT+CGMI reply (generic when none matches)."""
    text = manufacturer.lower()
    for profile in PROFILES:
        if any(m in text for m in profile.manufacturers):
            return profile
    return generic.PROFILE


__all__ = ["PROFILES", "VendorProfile", "detect"]
