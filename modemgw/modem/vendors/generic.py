"""Modems that follow TS 27.005 closely enough: no deviations."""

from .profile import VendorProfile

PROFILE = VendorProfile(name="generic")
