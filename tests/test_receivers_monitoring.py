"""monitoring/: the alert rules pass `promtool check rules` and their own unit tests
(`promtool test rules`); the dashboard's queries are valid PromQL; every metric and label
the rules and the dashboard name is one a running gateway serves; and /metrics passes
`promtool check metrics` (Prometheus' naming lint). promtool is Debian's `prometheus`
package, which .ci/run installs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from test_receivers_harness import running

ROOT = Path(__file__).parent.parent / "monitoring"
RULES = ROOT / "alerts.yml"
DASHBOARD = json.loads((ROOT / "grafana-dashboard.json").read_text())
# Labels Prometheus adds to every scraped series, and a histogram's bucket bound.
TARGET_LABELS = {"instance", "job", "le"}
# Grafana's variables, as a query would run.
VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$modem": ".*"}
# PromQL words that are not label names inside by (...)/without (...)/on (...).
SELECTOR = re.compile(r"(modemgw_\w+)(?:\{([^}]*)\})?")
MATCHER = re.compile(r'(\w+)\s*(=~|!=|!~|=)\s*"([^"]*)"')
GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")


def promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which("promtool")
    assert exe, "promtool is missing: apt-get install prometheus (.ci/run does)"
    return subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, timeout=60)


def dashboard_queries() -> list[str]:
    exprs = [t["expr"] for p in DASHBOARD["panels"] for t in p.get("targets", [])]
    variables = [v["query"]["query"] for v in DASHBOARD["templating"]["list"]]
    return exprs + variables


def rule_queries() -> list[str]:
    return [r["expr"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]


def substituted(expr: str) -> str:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    return expr


def served(metrics: str) -> dict[str, set[tuple[str, str]]]:
    """Metric name -> the (label, value) pairs its samples carry."""
    out: dict[str, set[tuple[str, str]]] = {}
    for line in metrics.splitlines():
        if line and not line.startswith("#"):
            series = line.rsplit(" ", 1)[0]
            name, _, labels = series.partition("{")
            out.setdefault(name, set()).update((k, v) for k, _, v in MATCHER.findall(labels))
    return out


def test_rules_check_and_unit_tests():
    check = promtool("check", "rules", str(RULES))
    assert check.returncode == 0, check.stdout + check.stderr
    tested = promtool("test", "rules", str(ROOT / "alerts_test.yml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    tested_alerts = {t["alertname"] for case in yaml.safe_load((ROOT / "alerts_test.yml").read_text())["tests"]
                     for t in case["alert_rule_test"]}
    assert tested_alerts == {r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]}


def test_dashboard_queries_are_promql(tmp_path):
    """Each panel query as a recording rule: promtool parses its PromQL."""
    exprs = [t["expr"] for p in DASHBOARD["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 15
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": substituted(e)} for i, e in enumerate(exprs)]}]}
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules))
    check = promtool("check", "rules", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert {p["datasource"]["uid"] for p in DASHBOARD["panels"] if "datasource" in p} == {"${DS_PROMETHEUS}"}
    assert [i["name"] for i in DASHBOARD["__inputs"]] == ["DS_PROMETHEUS"]


@pytest.fixture(scope="module")
def metrics(tmp_path_factory) -> str:
    """What /metrics serves once a modem sent a message and each receiver saw a request."""
    import asyncio
    return asyncio.run(_scrape(tmp_path_factory.mktemp("monitoring")))


async def _scrape(tmp_path) -> str:
    async with running(str(tmp_path / "gw.db"), per_day=1000) as rig:     # the names, not the engine
        status, body = await rig.post("/v1/integrations/homeassistant", b"message=hi&target=%2B447700900123",
                                      {**rig.bearer, "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200
        await rig.message(body["messages"][0]["id"], lambda m: m["status"] == "delivered")
        return await rig.metrics()


def test_metrics_pass_promtool_lint(metrics):
    lint = promtool("check", "metrics", stdin=metrics)
    assert lint.returncode == 0 and not lint.stdout.strip(), lint.stdout + lint.stderr


@pytest.mark.parametrize("source", ["dashboard", "rules"])
def test_queries_name_only_what_the_gateway_serves(metrics, source):
    serves = served(metrics)
    queries = dashboard_queries() if source == "dashboard" else rule_queries()
    for query in queries:
        names = [name for name, _ in SELECTOR.findall(query)]
        assert names, query
        labels: set[str] = set()
        for name, matchers in SELECTOR.findall(query):
            assert name in serves, f"{name} (in {query!r}) is not in /metrics"
            pairs = serves[name]
            for label, op, value in MATCHER.findall(matchers):
                assert label in {k for k, _ in pairs}, f"{name} has no label {label} ({query!r})"
                if op == "=" and not value.startswith("$"):
                    assert (label, value) in pairs, f"{name} has no series {label}={value!r} ({query!r})"
            labels |= {k for k, _ in pairs}
        for group in GROUPING.findall(query):
            for label in (x.strip() for x in group.split(",") if x.strip()):
                assert label in labels | TARGET_LABELS, f"no metric in {query!r} has the label {label}"
        for label in re.findall(r"\$labels\.(\w+)|label_values\(\w+,\s*(\w+)\)", query):
            assert set(label) - {""} <= labels | TARGET_LABELS


def test_rule_annotations_name_served_labels(metrics):
    serves = served(metrics)
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            names = [n for n, _ in SELECTOR.findall(rule["expr"])]
            have = set().union(*({k for k, _ in serves[n]} for n in names)) | TARGET_LABELS
            used = set(re.findall(r"\$labels\.(\w+)", json.dumps(rule["annotations"])))
            assert used <= have, (rule["alert"], used - have)
