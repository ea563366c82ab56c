"""modemgw.memory: glibc malloc settings, no-ops elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys

from modemgw import memory


def test_no_op_without_glibc(monkeypatch):
    def not_glibc(name):
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(memory.os, "confstr", not_glibc)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert memory.limit_arenas() is False
    assert memory.trim() is False


def test_an_explicit_environment_setting_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert memory.limit_arenas() is False


def test_applies_on_glibc():
    try:
        glibc = bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError):
        glibc = False
    # In a child process: the setting lasts for the life of the process.
    code = "from modemgw import memory; print(memory.limit_arenas(), memory.trim() in (True, False))"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == [str(glibc), "True"]

