"""Established gateways (Kannel, gammu-smsd, smstools) send through the simulated modem.

Each case runs bench/peers/fidelity.py for one peer: it installs the peer
with apt-get when it is missing, submits a GSM-7, a long (concatenated) and a
UCS-2 message through the peer's own interface, and checks that the
simulated handset shows exactly those texts. About 10 s per peer (Kannel's
AT2 driver sends one part every 2 s), longer on the first run when a peer
has to be installed.
"""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "peers" / "fidelity.py"


@pytest.mark.parametrize("peer", ["kannel", "gammu", "smstools"])
def test_peer_sends_three_messages_through_the_simulator(peer, tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--peer", peer, "--timeout", "60", "--transcripts", str(tmp_path)],
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
