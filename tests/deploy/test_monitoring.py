"""Monitoring, checked by the tools that consume it: promtool checks the Prometheus configuration and the alert
rules and runs their unit tests; every dashboard query parses; and every metric a dashboard, an alert or the
Kubernetes autoscaler uses is exported by a running paperclerk's /metrics."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from paperclerk.config import get_settings
from tests.conftest import reset_caches
from tests.deploy.stack import REPO, require_tool, self_signed_certificate
from tests.helpers import api_client, upload_and_wait

PROMETHEUS = REPO / "deploy" / "prometheus"
DASHBOARDS = REPO / "deploy" / "grafana" / "dashboards"
ADAPTER = REPO / "deploy" / "kubernetes" / "examples" / "prometheus-adapter.yaml"
#: Series Prometheus records itself (not exported by any target).
PROMETHEUS_OWN = {"up"}
_FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp_max",
    "clamp_min", "count", "count_over_time", "delta", "deriv", "floor", "group", "histogram_quantile", "increase",
    "irate", "label_replace", "max", "max_over_time", "min", "min_over_time", "predict_linear", "quantile",
    "rate", "round", "scalar", "sort", "sort_desc", "stddev", "sum", "sum_over_time", "time", "topk", "vector",
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf",
}


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = require_tool("promtool", "scripts/ensure-ops-tools.sh (Debian's prometheus package)")
    return subprocess.run([binary, *args], capture_output=True, text=True, check=False, cwd=PROMETHEUS)


def test_prometheus_configuration_and_rules_pass_promtool():
    for args in (("check", "config", "prometheus.yml"), ("check", "rules", "alerts.yml"),
                 ("test", "rules", "alerts.test.yml")):
        checked = _promtool(*args)
        assert checked.returncode == 0, f"promtool {' '.join(args)}:\n{checked.stdout}\n{checked.stderr}"


def _alerts() -> list[dict[str, object]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_every_alert_has_a_runbook_and_unit_tests_that_fire_it():
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text())["tests"]
    fired = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}
    for rule in _alerts():
        annotations = rule["annotations"]
        assert isinstance(annotations, dict) and annotations.get("runbook"), rule["alert"]
        assert rule["alert"] in fired, f"no unit test makes {rule['alert']} fire"
    expected = {"PaperclerkDown", "PaperclerkHighErrorRate", "PaperclerkUploadLatencyHigh",
                "PaperclerkSearchLatencyHigh", "PaperclerkQueueBacklog", "PaperclerkQueueStalled",
                "PaperclerkJobFailureRate", "PaperclerkOcrSlow", "PaperclerkDiskFilling", "PaperclerkDatabaseLarge",
                "PaperclerkCertificateExpiring", "PaperclerkBackupTooOld", "PaperclerkBackupNeverRecorded"}
    assert {rule["alert"] for rule in _alerts()} == expected


def _dashboard_queries() -> dict[str, list[str]]:
    queries: dict[str, list[str]] = {}
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        queries[path.name] = [target["expr"] for panel in board["panels"] for target in panel.get("targets", [])]
        assert board["uid"] and all(panel["datasource"]["uid"] == "prometheus" for panel in board["panels"])
    return queries


def test_every_dashboard_query_parses(tmp_path):
    rules = [{"record": f"dashboard:query:{index}", "expr": expr.replace("$__rate_interval", "5m")}
             for index, expr in enumerate(expr for exprs in _dashboard_queries().values() for expr in exprs)]
    (tmp_path / "dashboards.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    checked = _promtool("check", "rules", str(tmp_path / "dashboards.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert set(_dashboard_queries()) == {"paperclerk-api.json", "paperclerk-pipeline.json",
                                         "paperclerk-business.json", "paperclerk-database.json",
                                         "paperclerk-cache.json"}


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression reads (functions, keywords, labels, strings and durations left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set(re.findall(r"(?<![\w$.])[a-zA-Z_:][a-zA-Z0-9_:]*", text))
    return {name for name in names if name not in _FUNCTIONS and not re.fullmatch(r"\d+(e\d+)?", name)}


def _used_metrics() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for rule in _alerts():
        for name in metric_names(str(rule["expr"])):
            used.setdefault(name, set()).add(f"alert {rule['alert']}")
    for board, exprs in _dashboard_queries().items():
        for expr in exprs:
            for name in metric_names(expr):
                used.setdefault(name, set()).add(f"dashboard {board}")
    for document in yaml.safe_load_all(ADAPTER.read_text()):
        if document and document.get("kind") == "ConfigMap":
            for rule in yaml.safe_load(document["data"]["config.yaml"])["externalRules"]:
                name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", rule["seriesQuery"]).group(0)  # type: ignore[union-attr]
                used.setdefault(name, set()).add("kubernetes prometheus-adapter")
    return used


def test_the_metric_name_parser():
    assert metric_names('sum by (le) (rate(a_bucket{route="/x", le=~"1|2"}[5m])) / on () b_total offset 1h') == {
        "a_bucket", "b_total"}
    assert metric_names("time() - max(c_seconds) > 26 * 3600") == {"c_seconds"}


@pytest.fixture
def exported(env, tmp_path, monkeypatch) -> set[str]:
    """Series names a running paperclerk exports after some traffic: uploads, searches, a backup, a certificate."""
    from paperclerk.ops.backup import service

    certificate, _ = self_signed_certificate(tmp_path)
    monkeypatch.setenv("PAPERCLERK_TLS_CERTIFICATE_FILES", str(certificate))
    monkeypatch.setenv("PAPERCLERK_RATE_LIMIT_ENABLED", "true")  # as in production (the tests' default is off)
    reset_caches()
    service.create(get_settings(), to=str(tmp_path / "backups"))
    with api_client() as client:
        upload_and_wait(client, ("invoice.txt", b"INVOICE 2026-4 Total due 120.00 EUR"))
        client.get("/api/v1/search", params={"q": "invoice"})
        body = client.get("/metrics").text
    return {line.split("{")[0].split(" ")[0] for line in body.splitlines() if line and not line.startswith("#")}


def test_every_metric_used_by_a_dashboard_alert_or_autoscaler_is_exported(exported):
    used = _used_metrics()
    assert {"paperclerk_queue_depth", "paperclerk_http_request_duration_seconds_bucket",
            "paperclerk_backup_last_success_timestamp_seconds"} <= set(used)
    missing = {name: sorted(where) for name, where in used.items() if name not in exported | PROMETHEUS_OWN}
    assert not missing, f"used but not exported by /metrics: {missing}"


def test_the_grafana_provisioning_points_at_the_dashboards():
    provider = yaml.safe_load((REPO / "deploy/grafana/provisioning/dashboards/paperclerk.yml").read_text())
    source = yaml.safe_load((REPO / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text())
    assert source["datasources"][0]["uid"] == "prometheus"
    compose = yaml.safe_load((REPO / "deploy/compose.yaml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert any(mount.split(":")[:2] == ["./grafana/dashboards", provider["providers"][0]["options"]["path"]]
               for mount in mounts)


