"""Benchmarks of the gateway: `python -m bench --help`."""
