"""Fidelity of the simulated modem against established SMS gateways.

Kannel (AT2 driver, `smsc = at`), gammu-smsd and smstools each send three
messages through the simulated modem - a GSM-7 one, a long (concatenated)
one and a UCS-2 one - submitted through the peer's own interface:

    kannel    smsbox's sendsms HTTP interface
    gammu     gammu-smsd-inject (files backend)
    smstools  spool files that appear in outgoing/ by rename()

The simulated modem runs in this script's event loop; its network records
what the recipient's handset displays, and that must be exactly the three
texts. A peer that is not installed is installed with apt-get first, unless
`--no-install` says to fail instead (the tests: `.ci/run` installs the peers).

    .venv/bin/python bench/peers/fidelity.py                  # all three peers
    .venv/bin/python bench/peers/fidelity.py --peer gammu -v  # one, with its init sequence
    .venv/bin/python bench/peers/fidelity.py --transcripts /tmp/peer-logs --keep

Prints a result table per peer and message; the exit status is non-zero if
any peer failed. Needs root only when a peer has to be installed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from modemgw.simulator import Settings, Simulator  # noqa: E402
from modemgw.simulator.network import HandsetMessage, SubmittedMessage  # noqa: E402

# -- the messages -------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    label: str
    text: str
    alphabet: str  # what the PDUs must say: "gsm7" or "ucs2"
    multipart: bool


MESSAGES = (
    Message(
        "gsm7",
        # Basic set beyond ASCII, and the extension table (escape + character: {}[]~\\^|€).
        "GSM-7 check: @ £5 ¥ è é ù ì ò Ç Ø å Ä Ö Ñ Ü § ¿ ä ö ñ ü à; 100% #1 & (ok)! {x} [y] ~ \\ ^ | €",
        "gsm7",
        False,
    ),
    Message(
        "long",
        "Long message, sent in parts and joined again by the handset: "
        + " ".join(f"w{i:03d}" for i in range(1, 41))
        + " - end.",
        "gsm7",
        True,
    ),
    Message("ucs2", "UCS-2 check: Привет, мир ✓ 你好 Ωμέγα €", "ucs2", False),
)

# A network round trip for every +CMGS, as on air (real modems: about 0.3-3 s).
SUBMIT_LATENCY = 0.3  # s
STARTUP_TIMEOUT = 30.0  # s, for a peer's ports and processes to come up
STOP_TIMEOUT = 20.0  # s, for a peer to exit after SIGTERM


class PeerError(Exception):
    pass


# -- installation ---------------------------------------------------------------


def package_version(package: str) -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else "?"


def ensure_installed(packages: tuple[str, ...], binaries: tuple[str, ...], log, *,
                     install: bool = True) -> None:
    """apt-get install the peer's packages when one of its programs is missing (or,
    with `install=False`, fail naming them)."""
    missing = [binary for binary in binaries if not shutil.which(binary)]
    if not missing:
        return
    if not install:
        raise PeerError(f"not installed: {', '.join(missing)} (Debian package(s) {' '.join(packages)}; "
                        ".ci/run installs them)")
    log(f"installing {' '.join(packages)} (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if subprocess.run(command, env=env, capture_output=True, check=False).returncode != 0:
        # Fresh containers have no package lists yet.
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PeerError(f"apt-get install {' '.join(packages)} failed:\n{result.stderr[-2000:]}")
    missing = [binary for binary in binaries if not shutil.which(binary)]
    if missing:
        raise PeerError(f"still missing after installation: {', '.join(missing)}")


# -- helpers ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(template: str, work: Path, name: str, values: dict[str, str]) -> Path:
    text = (HERE / template).read_text().replace("@PEERS@", str(work))
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    path = work / name
    path.write_text(text)
    return path


async def wait_port(port: int, processes: list[asyncio.subprocess.Process], timeout: float) -> None:
    """Until something accepts connections on 127.0.0.1:port (polling; no event to wait on)."""
    try:
        await asyncio.wait_for(_accepting(port, processes), timeout)
    except TimeoutError:
        raise PeerError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s") from None


async def _accepting(port: int, processes: list[asyncio.subprocess.Process]) -> None:
    while True:
        for process in processes:
            if process.returncode is not None:
                raise PeerError(f"process {process.pid} exited with {process.returncode} during start-up")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


async def run_command(*argv: str, env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise PeerError(f"{argv[0]} exited with {process.returncode}: {output.decode(errors='replace')}")
    return output.decode(errors="replace")


# -- the peers ------------------------------------------------------------------


class Peer:
    name = ""
    packages: tuple[str, ...] = ()
    binaries: tuple[str, ...] = ()
    recipient = ""  # as the peer is told; the handset is looked up by its digits

    def __init__(self, work: Path) -> None:
        self.work = work
        self.run_dir = work / "run"
        self.env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        self.processes: list[tuple[str, asyncio.subprocess.Process]] = []
        self.settings: list[str] = []  # notable settings, for the report

    async def spawn(self, label: str, *argv: str) -> asyncio.subprocess.Process:
        log = open(self.work / f"{label}.out", "wb")  # noqa: SIM115 (the child owns it)
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, env=self.env,
                cwd=self.work, start_new_session=True,
            )
        finally:
            log.close()
        self.processes.append((label, process))
        return process

    def exited(self) -> list[str]:
        return [f"{label} (exit {p.returncode})" for label, p in self.processes if p.returncode is not None]

    async def start(self) -> None:
        raise NotImplementedError

    async def submit(self, message: Message, index: int) -> None:
        raise NotImplementedError

    async def stop(self) -> list[str]:
        """SIGTERM in reverse start order; returns complaints (forced kills, odd exit codes)."""
        complaints = []
        for label, process in reversed(self.processes):
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
                try:
                    async with asyncio.timeout(STOP_TIMEOUT):
                        await process.wait()
                except TimeoutError:
                    complaints.append(f"{label} ignored SIGTERM for {STOP_TIMEOUT:.0f} s; killed")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    await process.wait()
        return complaints

    def logs(self) -> list[Path]:
        return sorted(self.work.glob("*.out")) + sorted(self.run_dir.rglob("*.log"))


class Kannel(Peer):
    name = "kannel"
    packages = ("kannel",)
    binaries = ("bearerbox", "smsbox")
    recipient = "+15551230001"

    async def start(self) -> None:
        (self.run_dir / "kannel").mkdir(parents=True)
        self.ports = {name: free_port() for name in ("ADMIN_PORT", "SMSBOX_PORT", "SENDSMS_PORT")}
        conf = render("kannel.conf.in", self.work, "kannel.conf", {k: str(v) for k, v in self.ports.items()})
        self.settings = [
            "smsc = at, modemtype with init-string AT+CNMI=1,2,0,1,0",
            "sendline-sleep = 0, enable-mms = true, keepalive = 60, sim-buffering = false",
            "sendsms-user: concatenation = true, max-messages = 5",
        ]
        bearerbox = await self.spawn("bearerbox", "bearerbox", "-v", "1", str(conf))
        await wait_port(self.ports["SMSBOX_PORT"], [bearerbox], STARTUP_TIMEOUT)
        smsbox = await self.spawn("smsbox", "smsbox", "-v", "1", str(conf))
        await wait_port(self.ports["SENDSMS_PORT"], [bearerbox, smsbox], STARTUP_TIMEOUT)

    async def submit(self, message: Message, index: int) -> None:
        query = {
            "username": "bench", "password": "bench", "to": self.recipient,
            "text": message.text, "charset": "UTF-8", "coding": "2" if message.alphabet == "ucs2" else "0",
        }
        url = f"http://127.0.0.1:{self.ports['SENDSMS_PORT']}/cgi-bin/sendsms?{urllib.parse.urlencode(query)}"

        def get() -> tuple[int, str]:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (localhost)
                return response.status, response.read().decode(errors="replace")

        status, body = await asyncio.to_thread(get)
        if status != 202:
            raise PeerError(f"sendsms answered {status}: {body}")


class Gammu(Peer):
    name = "gammu"
    packages = ("gammu", "gammu-smsd")
    binaries = ("gammu-smsd", "gammu-smsd-inject")
    recipient = "+15551230002"

    async def start(self) -> None:
        for box in ("inbox", "outbox", "sent", "error"):
            (self.run_dir / "gammu" / box).mkdir(parents=True)
        self.conf = render("gammu-smsdrc.in", self.work, "gammu-smsdrc", {})
        self.settings = [
            "connection = at115200, files backend, deliveryreport = no",
            "commtimeout = 1, loopsleep = 1, statusfrequency = 0, checkbattery/signal/network = 0",
        ]
        await self.spawn("gammu-smsd", "gammu-smsd", "-c", str(self.conf))

    async def submit(self, message: Message, index: int) -> None:
        argv = ["gammu-smsd-inject", "-c", str(self.conf), "TEXT", self.recipient]
        if message.alphabet == "ucs2":
            argv.append("-unicode")
        if message.multipart:
            argv += ["-len", str(len(message.text))]
        argv += ["-text", message.text]
        await run_command(*argv, env=self.env)


class Smstools(Peer):
    name = "smstools"
    packages = ("smstools",)
    binaries = ("smsd",)
    recipient = "15551230003"

    async def start(self) -> None:
        for box in ("outgoing", "checked", "failed", "incoming", "report", "sent", "tmp"):
            (self.run_dir / "smstools" / box).mkdir(parents=True)
        conf = render("smsd.conf.in", self.work, "smsd.conf", {})
        self.settings = [
            'init = AT+CPMS="SM","SM","SM", mode = new, cs_convert = yes, autosplit = 3',
            "delaytime = 1, delaytime_mainprocess = 1, trust_outgoing = yes",
            "detect_message_routing = no, detect_unexpected_input = no",
            "spool files with Alphabet: UTF-8",
        ]
        await self.spawn("smsd", "smsd", "-t", "-c", str(conf))

    async def submit(self, message: Message, index: int) -> None:
        spool = self.run_dir / "smstools"
        draft = spool / "tmp" / f"fidelity-{index}"
        draft.write_text(f"To: {self.recipient}\nAlphabet: UTF-8\n\n{message.text}", encoding="utf-8")
        os.rename(draft, spool / "outgoing" / draft.name)


PEERS: dict[str, type[Peer]] = {p.name: p for p in (Kannel, Gammu, Smstools)}

# -- one run ----------------------------------------------------------------------


@dataclass
class MessageResult:
    message: Message
    received: bool = False
    parts: int = 0
    alphabets: str = "-"
    problems: list[str] = field(default_factory=list)


@dataclass
class PeerResult:
    peer: str
    version: str = "?"
    messages: list[MessageResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    init_sequence: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    first_cmgs_after: float | None = None  # s from the peer's first command
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and all(not m.problems for m in self.messages)


def handset_messages(sim: Simulator, digits: str) -> list[HandsetMessage]:
    return [m for m in sim.network.delivered if m.destination.lstrip("+") == digits]


def init_sequence(sim: Simulator) -> tuple[list[str], float | None]:
    """Command lines the peer sent up to and including its first AT+CMGS."""
    lines, first_at = [], None
    for entry in sim.transcript.entries:
        if entry.kind != "line":
            continue
        first_at = entry.at if first_at is None else first_at
        lines.append(entry.data)
        if entry.data.upper().lstrip().startswith("AT+CMGS="):
            return lines, entry.at - first_at
    return lines, None


def check(result: PeerResult, sim: Simulator, digits: str) -> None:
    received = handset_messages(sim, digits)
    by_reference: dict[int, SubmittedMessage] = {s.message_reference: s for s in sim.network.submitted}
    expected = Counter(m.text for m in MESSAGES)
    got = Counter(m.text for m in received)
    for message in MESSAGES:
        outcome = MessageResult(message)
        result.messages.append(outcome)
        matches = [m for m in received if m.text == message.text]
        if not matches:
            outcome.problems.append("not received")
            continue
        outcome.received = True
        if len(matches) > 1:
            outcome.problems.append(f"received {len(matches)} times")
        parts = [by_reference[r].submit for r in matches[0].message_references if r in by_reference]
        outcome.parts = len(parts)
        alphabets = sorted({p.dcs.alphabet for p in parts})
        outcome.alphabets = ",".join(alphabets)
        if alphabets != [message.alphabet]:
            outcome.problems.append(f"sent as {outcome.alphabets}, not {message.alphabet}")
        if message.multipart and len(parts) < 2:
            outcome.problems.append("not split into concatenated parts")
        if not message.multipart and len(parts) != 1:
            outcome.problems.append(f"sent in {len(parts)} parts")
    for text, count in (got - expected).items():
        result.problems.append(f"unexpected text on the handset ({count}x): {text!r}")
    others = {m.destination for m in sim.network.delivered} - {m.destination for m in received}
    if others:
        result.problems.append(f"messages for other numbers: {sorted(others)}")


async def wait_delivered(sim: Simulator, peer: Peer, digits: str, timeout: float) -> None:
    """Until the handset shows as many messages as were sent, or a peer process dies."""

    def done() -> bool | str:
        if peer.exited():
            return "exited"
        return len(handset_messages(sim, digits)) >= len(MESSAGES)

    deaths = [asyncio.create_task(p.wait()) for _, p in peer.processes]
    try:
        # The simulator's change notifications do not cover our children; wait on both.
        waiter = asyncio.create_task(sim.wait_for(done, timeout))
        finished, _ = await asyncio.wait([waiter, *deaths], return_when=asyncio.FIRST_COMPLETED)
        if waiter not in finished:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
        else:
            waiter.result()  # raises TimeoutError
        if peer.exited():
            raise PeerError(f"peer process died: {', '.join(peer.exited())}")
    finally:
        for task in deaths:
            task.cancel()


async def run_peer(name: str, *, timeout: float, keep: bool, transcripts: Path | None, log,
                   install: bool = True) -> PeerResult:
    peer_class = PEERS[name]
    result = PeerResult(name)
    started = time.monotonic()
    try:
        await asyncio.to_thread(ensure_installed, peer_class.packages, peer_class.binaries, log,
                                install=install)
    except PeerError as error:
        result.problems.append(str(error))
        return result
    result.version = package_version(peer_class.packages[-1])
    work = Path(tempfile.mkdtemp(prefix=f"modemgw-fidelity-{name}-"))
    peer = peer_class(work)
    sim = Simulator(work / "ttyFAKE0", profile="generic", settings=Settings(latency=SUBMIT_LATENCY))
    try:
        async with sim:
            await sim.wait_ready()
            try:
                await peer.start()
                result.settings = peer.settings
                for index, message in enumerate(MESSAGES):
                    await peer.submit(message, index)
                await wait_delivered(sim, peer, peer.recipient.lstrip("+"), timeout)
            except TimeoutError:
                got = len(handset_messages(sim, peer.recipient.lstrip("+")))
                result.problems.append(f"timed out after {timeout:.0f} s with {got}/{len(MESSAGES)} messages")
            except (PeerError, OSError) as error:
                result.problems.append(str(error))
            finally:
                result.problems += await peer.stop()
            check(result, sim, peer.recipient.lstrip("+"))
            result.init_sequence, result.first_cmgs_after = init_sequence(sim)
            (work / "transcript.log").write_text(sim.transcript.format() + "\n")
    finally:
        result.seconds = time.monotonic() - started
        if transcripts is not None and (work / "transcript.log").exists():
            transcripts.mkdir(parents=True, exist_ok=True)
            shutil.copy(work / "transcript.log", transcripts / f"{name}.log")
        if not result.ok:
            for path in peer.logs():
                tail = path.read_text(errors="replace").splitlines()[-15:]
                if tail:
                    log(f"--- {path} (last lines)\n" + "\n".join(tail))
        if keep or not result.ok:
            log(f"{name}: working directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return result


# -- reporting ----------------------------------------------------------------------


def table(results: list[PeerResult]) -> str:
    rows = [("peer", "version", "message", "parts", "coding", "handset", "result")]
    for r in results:
        if not r.messages:
            rows.append((r.peer, r.version, "-", "-", "-", "-", "FAIL"))
        for m in r.messages:
            rows.append((
                r.peer, r.version, m.message.label, str(m.parts or "-"), m.alphabets,
                "exact" if m.received else "missing", "ok" if not m.problems else "FAIL: " + "; ".join(m.problems),
            ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for r in results:
        first = f"{r.first_cmgs_after:.1f} s" if r.first_cmgs_after is not None else "never"
        lines.append(
            f"{r.peer}: {'PASS' if r.ok else 'FAIL'} in {r.seconds:.1f} s; "
            f"{len(r.init_sequence)} command lines up to the first AT+CMGS (after {first})"
        )
        lines += [f"  ! {p}" for p in r.problems]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer", action="append", choices=sorted(PEERS), help="repeatable; default: all")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per peer for the messages to arrive")
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    parser.add_argument("--no-install", action="store_true",
                        help="fail when a peer is missing instead of installing it with apt-get")
    parser.add_argument("--transcripts", type=Path, help="write each simulator transcript to DIR/<peer>.log")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each peer's init sequence")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    async def run_all() -> list[PeerResult]:
        results = []
        for name in args.peer or list(PEERS):
            log(f"{name}: running")
            result = await run_peer(
                name, timeout=args.timeout, keep=args.keep, transcripts=args.transcripts, log=log,
                install=not args.no_install,
            )
            if args.verbose:
                log(f"{name}: settings: " + " | ".join(result.settings))
                log(f"{name}: init sequence up to the first AT+CMGS:\n  " + "\n  ".join(
                    repr(line) for line in result.init_sequence))
            results.append(result)
        return results

    results = asyncio.run(run_all())
    print(table(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
