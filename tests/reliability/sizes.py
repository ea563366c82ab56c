"""How big the reliability runs are.

The default (CI) sizes keep the whole suite well under a minute and a half. With
MODEMGW_LONG=1 the same tests run with the long sizes: nothing is skipped either
way, only the parametrisation changes.
"""

from __future__ import annotations

import json
import os
import time

LONG = os.environ.get("MODEMGW_LONG", "") not in ("", "0")


def size(ci: int, long: int) -> int:
    return long if LONG else ci


KILLS = size(3, 20)                  # kill -9 of `modemgw serve` under load
FAULT_MESSAGES = size(6, 40)         # messages per fault scenario
SCHEMA_CASES = size(150, 1500)       # schemathesis cases against /v1/openapi.json
DECODER_BATCHES = size(60, 20_000)   # hypothesis examples; each is a batch of inputs
BATCH = 50                           # inputs per example: 20,000 x 50 = 10^6 in the long run


def record(name: str, **figures) -> None:
    """Print the figures of a run (pytest -s shows them) and append them, as one JSON
    line, to the file MODEMGW_RELIABILITY_REPORT names, if any."""
    line = {"test": name, "long": LONG, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **figures}
    print("reliability:", json.dumps(line))
    target = os.environ.get("MODEMGW_RELIABILITY_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
