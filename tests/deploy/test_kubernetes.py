"""deploy/kubernetes, rendered with kustomize (kubectl's) for each overlay and validated offline against the
Kubernetes schemas (kubernetes-validate, strict: unknown fields fail), then checked for what the operations guide
promises: probes, resources, autoscaling, disruption budgets, network policies, TLS ingress, the migration Job."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.conftest import IN_CI
from tests.deploy.stack import REPO

KUBERNETES = REPO / "deploy" / "kubernetes"
VERSION = "1.31"
OVERLAYS = ("staging", "production")


def render(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        message = "kubectl (for its kustomize) is not installed"
        if IN_CI:
            pytest.fail(f"CI must render the Kubernetes overlays: {message}", pytrace=False)
        pytest.skip(message)
    rendered = subprocess.run([kubectl, "kustomize", str(KUBERNETES / "overlays" / overlay)], capture_output=True,
                              text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
    return [document for document in yaml.safe_load_all(rendered.stdout) if document]


def _by_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {document["metadata"]["name"]: document for document in documents if document["kind"] == kind}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_render_and_validate_against_the_schemas(overlay):
    documents = render(overlay)
    for document in documents:
        kubernetes_validate.validate(document, VERSION, strict=True)
    kinds = {document["kind"] for document in documents}
    assert {"Namespace", "ConfigMap", "Deployment", "Service", "Job", "CronJob", "HorizontalPodAutoscaler",
            "PodDisruptionBudget", "NetworkPolicy", "Ingress"} <= kinds
    namespaces = {document["metadata"].get("namespace") for document in documents if document["kind"] != "Namespace"}
    assert namespaces == {"paperclerk" if overlay == "production" else "paperclerk-staging"}


def test_the_validator_is_not_a_rubber_stamp():
    deployment = _by_kind(render("production"), "Deployment")["paperclerk-api"]
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["prot"] = 8000
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSION, strict=True)


def test_deployments_probes_resources_and_security():
    documents = render("production")
    deployments = _by_kind(documents, "Deployment")
    assert set(deployments) == {"paperclerk-api", "paperclerk-worker", "paperclerk-ocr-worker"}
    for name, deployment in deployments.items():
        spec = deployment["spec"]["template"]["spec"]
        container = spec["containers"][0]
        assert container["resources"]["requests"] and container["resources"]["limits"], name
        assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container), name
        assert spec["securityContext"]["runAsNonRoot"] and container["securityContext"]["readOnlyRootFilesystem"]
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        assert container["image"] == "registry.example.com/paperclerk:0.1.0"
    api = deployments["paperclerk-api"]["spec"]["template"]["spec"]["containers"][0]
    assert api["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert api["startupProbe"]["httpGet"]["path"] == "/health/live"
    assert api["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    worker = deployments["paperclerk-ocr-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"][:3] == ["worker", "--queues", "ocr"]
    config = _by_kind(documents, "ConfigMap")["paperclerk-config"]["data"]
    assert config["PAPERCLERK_MIGRATE_ON_START"] == "false", "pods must not race the migration Job"
    job = _by_kind(documents, "Job")["paperclerk-migrate"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["db", "upgrade"]


def test_autoscaling_as_the_seeds_set():
    autoscalers = _by_kind(render("production"), "HorizontalPodAutoscaler")
    api = autoscalers["paperclerk-api"]["spec"]
    assert (api["minReplicas"], api["maxReplicas"]) == (3, 10)
    targets = {metric["resource"]["name"]: metric["resource"]["target"]["averageUtilization"]
               for metric in api["metrics"]}
    assert targets == {"cpu": 70, "memory": 80}
    for name, queue in (("paperclerk-worker", "default"), ("paperclerk-ocr-worker", "ocr")):
        metric = autoscalers[name]["spec"]["metrics"][0]["external"]["metric"]
        assert metric == {"name": "paperclerk_queue_depth", "selector": {"matchLabels": {"queue": queue}}}
    staging = _by_kind(render("staging"), "HorizontalPodAutoscaler")["paperclerk-api"]["spec"]
    assert (staging["minReplicas"], staging["maxReplicas"]) == (1, 3)


def test_disruption_budgets_network_policies_and_ingress():
    documents = render("production")
    budgets = _by_kind(documents, "PodDisruptionBudget")
    assert {budget["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] for budget in budgets.values()} \
        == {"api", "worker", "ocr-worker"}
    policies = _by_kind(documents, "NetworkPolicy")
    assert policies["default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    api_in = policies["paperclerk-api-ingress"]["spec"]["ingress"][0]
    assert api_in["from"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ingress-nginx"}
    egress_ports = {port["port"] for rule in policies["paperclerk-egress"]["spec"]["egress"] for port in rule["ports"]}
    assert {53, 5432, 6379} <= egress_ports
    ingress = _by_kind(documents, "Ingress")["paperclerk"]
    assert ingress["spec"]["tls"][0]["secretName"] == "paperclerk-tls"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "51264k"


def test_examples_parse_and_the_adapter_config_is_valid():
    adapter = next(yaml.safe_load_all((KUBERNETES / "examples" / "prometheus-adapter.yaml").read_text()))
    kubernetes_validate.validate(adapter, VERSION, strict=True)
    rules = yaml.safe_load(adapter["data"]["config.yaml"])["externalRules"]
    assert rules[0]["name"]["as"] == "paperclerk_queue_depth"
    secret = yaml.safe_load((KUBERNETES / "examples" / "external-secret.yaml").read_text())
    keys = {item["secretKey"] for item in secret["spec"]["data"]}
    config = _by_kind(render("production"), "ConfigMap")["paperclerk-config"]["data"]
    mounted = {value.rsplit("/", 1)[-1] for key, value in config.items() if key.endswith("_FILE")}
    assert mounted == keys, "every *_FILE the pods read must come from the ExternalSecret"
