"""The README's examples run as written, and on this machine only."""

import asyncio
import json
import os
import re
from pathlib import Path

from test_cli import EXE, demo_line, read_until

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has a python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def test_readme_commands_match_ci():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    test_cmd = next(line.strip() for line in ci.splitlines() if "pytest" in line)
    assert test_cmd in text


def test_readme_examples_stay_on_this_machine():
    """No example sends anything to the internet (webhooks are retried for 48 hours)."""
    code = "\n".join(re.findall(r"```(?:sh|python)\n(.*?)```", README.read_text(), re.S))
    hosts = {url.split("/")[2].split(":")[0] for url in re.findall(r"https?://[^\s'\"]+", code)}
    assert hosts == {"127.0.0.1"}, hosts


async def test_readme_curl_runs_against_the_demo(tmp_path):
    """The README's first curl, as written, against `modemgw demo` (ports given as 0, so the
    README's 8080 and 8081 are replaced by the ones the demo printed)."""
    curl = re.search(r"```sh\n(curl .*?/v1/messages)\n", README.read_text(), re.S).group(1)
    assert "http://127.0.0.1:8080/v1/messages" in curl and "http://127.0.0.1:8081/hook" in curl
    demo = await asyncio.create_subprocess_exec(
        EXE, "demo", "--port", "0", "--db", str(tmp_path / "demo.db"), stdout=asyncio.subprocess.PIPE)
    try:
        seen = await read_until(demo.stdout, "Press Ctrl-C")
        url = demo_line(seen, "modemgw is running on").split()[0]
        hook = demo_line(seen, "Webhook receiver (prints the events it gets):")
        command = curl.replace("http://127.0.0.1:8080", url).replace("http://127.0.0.1:8081/hook", hook)
        env = {**os.environ, "KEY": demo_line(seen, "API key (shown once):")}
        proc = await asyncio.create_subprocess_exec("sh", "-c", command, env=env, stdout=asyncio.subprocess.PIPE)
        async with asyncio.timeout(30):
            out, _ = await proc.communicate()
        reply = json.loads(out)
        assert reply["status"] == "queued"
        await read_until(demo.stdout, f"webhook message.delivered {reply['id']}")
    finally:
        demo.terminate()
        await demo.wait()
