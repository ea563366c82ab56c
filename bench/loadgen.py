"""Open-loop load for POST /v1/messages at a fixed rate (run as its own process).

    python -m bench.loadgen --url http://127.0.0.1:8080 --key mgw_... --rate 500 --duration 10

Request i is due at start + i/rate whether or not earlier ones have been answered
(no coordinated omission): latency is counted from the due time to the complete
answer. Prints one JSON object: sent, ok, errors, achieved rate, latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import aiohttp

from bench.common import percentile


async def run(url: str, key: str, rate: float, duration: float, warmup: float) -> dict:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    latencies: list[float] = []
    late_starts: list[float] = []
    statuses: dict[str, int] = {}
    total = int(rate * (warmup + duration))
    skip = int(rate * warmup)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def one(i: int, due: float) -> None:
            body = json.dumps({"to": f"+1555{1230000 + i % 10000:07d}", "text": f"Benchmark message {i}"})
            late_starts.append(time.monotonic() - due)
            try:
                async with session.post(f"{url}/v1/messages", data=body) as response:
                    await response.read()
                    status = str(response.status)
            except (aiohttp.ClientError, OSError) as exc:
                status = type(exc).__name__
            if i >= skip:
                statuses[status] = statuses.get(status, 0) + 1
                if status == "200":
                    latencies.append(time.monotonic() - due)

        tasks = []
        start = time.monotonic() + 0.1
        for i in range(total):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        measured_from = start + warmup
        sent_until = time.monotonic()
        await asyncio.gather(*tasks)
        finished = time.monotonic()
    ok = statuses.get("200", 0)
    return {
        "rate": rate, "duration": duration, "sent": total - skip, "ok": ok,
        "statuses": statuses, "achieved_rate": ok / max(finished - measured_from, 1e-9),
        "offered_rate": (total - skip) / max(sent_until - measured_from, 1e-9),
        "p50_ms": percentile(latencies, 50) * 1000, "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000, "max_ms": max(latencies, default=float("nan")) * 1000,
        "client_lag_p99_ms": percentile(late_starts, 99) * 1000,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--rate", type=float, required=True, help="requests per second")
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds at the rate before measuring")
    args = p.parse_args()
    result = asyncio.run(run(args.url, args.key, args.rate, args.duration, args.warmup))
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
