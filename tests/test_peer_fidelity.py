"""Established gateways (Kannel, gammu-smsd, smstools) send through the simulated modem.

Each case runs bench/peers/fidelity.py for one peer: it submits a GSM-7, a
long (concatenated) and a UCS-2 message through the peer's own interface, and
checks that the simulated handset shows exactly those texts. About 10 s per
peer (Kannel's AT2 driver sends one part every 2 s). The peers are Debian
packages that `.ci/run` installs; the tests never install anything, and fail,
naming the package, when a peer is missing.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "peers" / "fidelity.py"


@pytest.mark.parametrize("peer", ["kannel", "gammu", "smstools"])
def test_peer_sends_three_messages_through_the_simulator(peer, tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--peer", peer, "--timeout", "60", "--transcripts", str(tmp_path),
         "--no-install"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, report
    assert f"{peer}: PASS" in result.stdout, report
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(f"{peer} ")]
    assert [(row[2], row[-1]) for row in rows] == [("gsm7", "ok"), ("long", "ok"), ("ucs2", "ok")], report
    # The transcript shows the peer's own traffic, ending in its submissions.
    transcript = (tmp_path / f"{peer}.log").read_text()
    assert transcript.count("AT+CMGS=") >= 4, transcript  # 1 + 2 parts + 1


def test_a_missing_peer_fails_naming_its_package_without_running_apt_get(tmp_path):
    # A PATH with none of the peers' programs, and an apt-get that notes it was run.
    (tmp_path / "apt-get").write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'apt-get.ran'}\nexit 1\n")
    (tmp_path / "apt-get").chmod(0o755)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--no-install"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PATH": str(tmp_path)},
    )
    assert result.returncode == 1, result.stderr
    for peer, package in (("kannel", "kannel"), ("gammu", "gammu-smsd"), ("smstools", "smstools")):
        assert f"{peer}: FAIL" in result.stdout, result.stdout
        assert package in result.stdout and "not installed" in result.stdout, result.stdout
    assert not (tmp_path / "apt-get.ran").exists()
