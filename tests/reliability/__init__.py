"""Helpers of the reliability suite (tests/test_reliability_*.py); see docs/reliability.md."""
