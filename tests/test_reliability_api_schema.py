"""Schemathesis against a running `modemgw serve` (its own simulated modem), generating
requests from the gateway's /v1/openapi.json, valid ones and invalid ones, with a valid
key: no answer is a 5xx, and every 4xx is `{"error": {"code", "message"}}` with the code
docs/api.md gives its status. Sizes: tests/reliability/sizes.py."""

from __future__ import annotations

import asyncio
from collections import Counter

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from reliability.process import Serve, create_key, store_section
from reliability.sizes import SCHEMA_CASES, record

CODES = {400: "invalid_request", 401: "authentication_failed", 403: "forbidden",
         404: "not_found", 429: "rate_limit_exceeded"}


def check(case, response: requests.Response) -> None:
    where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, where
        error = body["error"]
        assert isinstance(error, dict) and set(error) >= {"code", "message"}, where
        assert set(error) <= {"code", "message", "field"}, where
        assert error["code"] == CODES[response.status_code], where
        assert isinstance(error["message"], str) and error["message"], where


def test_schemathesis_no_5xx_and_documented_errors(tmp_path, database):
    config = tmp_path / "gw.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:0"\nrate_limit_per_minute = 100000000\n\n'
                      f'{store_section(database)}\n'
                      '[[simulator]]\nname = "sim"\nreport_delay = 0.05\n', encoding="utf-8")
    _, key, _ = create_key(database, "schema")
    serve = Serve(config, tmp_path / "serve.log")
    asyncio.run(serve.start())
    try:
        raw = requests.get(f"{serve.url}/v1/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(raw)
        operations = [result.ok() for result in schema.get_all_operations()]
        per_run = max(5, SCHEMA_CASES // (2 * len(operations)))
        seen: Counter[str] = Counter()
        statuses: Counter[int] = Counter()
        http = requests.Session()
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                @settings(max_examples=per_run, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case):
                    headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
                    response = case.call(base_url=serve.url, headers=headers, session=http,
                                         timeout=10)
                    seen[f"{operation.method.upper()} {operation.path}"] += 1
                    statuses[response.status_code] += 1
                    if response.status_code == 401:
                        # Schemathesis also sends some requests without the credentials it
                        # was given; one carrying the valid key is never refused.
                        assert response.request.headers.get("Authorization") != f"Bearer {key}"
                    check(case, response)
                try:
                    run()
                except Unsatisfiable:
                    # No parameters and no body: nothing invalid to generate.
                    assert mode is GenerationMode.NEGATIVE and not operation.body and \
                        not list(operation.iter_parameters()), operation.path
        total = sum(seen.values())
        assert total >= SCHEMA_CASES * 0.5, (total, seen)
        assert "Traceback" not in serve.output(), serve.output()[-4000:]
        record("schemathesis", cases=total, operations=len(operations),
               statuses={str(k): v for k, v in sorted(statuses.items())})
    finally:
        serve.terminate()
