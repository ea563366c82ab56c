"""modemgw: an SMS gateway for USB GSM/LTE modems."""

__version__ = "0.1.0"
