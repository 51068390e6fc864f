"""deploy/compose.yaml, checked against the Compose specification's JSON schema (the copy check-jsonschema ships,
`vendor.compose-spec`) and for what an operator relies on: healthchecks and healthy dependencies, an internal
network for the data services, secrets as files, a scalable API, the paths it mounts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.deploy.stack import REPO

DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DATA_SERVICES = {"postgres", "redis", "minio"}
ONE_SHOT = {"migrate", "minio-init"}


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def test_compose_file_is_valid_against_the_compose_spec():
    binary = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    checked = subprocess.run([binary, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_services_an_operator_expects():
    services = _compose()["services"]
    assert {"api", "worker", "ocr-worker", "migrate", "backup", "postgres", "redis", "minio", "nginx", "prometheus",
            "grafana", "flower"} <= set(services)
    assert services["api"]["command"] == ["serve"]
    assert "--queues" in services["worker"]["command"] and "default" in services["worker"]["command"]
    assert services["ocr-worker"]["command"][:3] == ["worker", "--queues", "ocr"]
    assert "container_name" not in services["api"] and "ports" not in services["api"], "the API must scale"


def test_healthchecks_and_healthy_dependencies():
    services = _compose()["services"]
    for name, service in services.items():
        if name not in ONE_SHOT:
            assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        for dependency, condition in service.get("depends_on", {}).items():
            wanted = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert condition == {"condition": wanted}, (name, dependency, condition)
    assert set(services["api"]["depends_on"]) >= {"postgres", "redis", "minio-init", "migrate"}
    assert services["nginx"]["depends_on"] == {"api": {"condition": "service_healthy"}}


def test_data_services_only_on_the_internal_network():
    compose = _compose()
    assert compose["networks"]["internal"] == {"internal": True}
    for name in DATA_SERVICES:
        assert compose["services"][name]["networks"] == ["internal"], name
        assert "ports" not in compose["services"][name], f"{name} must not be published"
    published = {name for name, service in compose["services"].items() if "ports" in service}
    assert published == {"nginx", "grafana", "flower"}
    for name in ("grafana", "flower"):
        assert all(port.startswith("127.0.0.1:") for port in compose["services"][name]["ports"]), name


def test_secrets_are_files_never_values():
    compose = _compose()
    declared = compose["secrets"]
    assert all(set(secret) == {"file"} and secret["file"].startswith("./secrets/") for secret in declared.values())
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            assert not any(word in key for word in ("PASSWORD", "SECRET_KEY", "DATABASE_URL", "BROKER_URL")) \
                or key.endswith("_FILE"), f"{name}: {key} must come from a file"
            if key.endswith("_FILE"):
                secret = Path(str(value)).name
                assert secret in declared and secret in service["secrets"], (name, key)
    generated = (DEPLOY / "generate-secrets.sh").read_text()
    assert all(f"keep {secret} " in generated for secret in declared), "generate-secrets.sh must create every secret"


def test_mounted_configuration_exists():
    services = _compose()["services"]
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./") and not source.startswith(("./tls", "./secrets")):
                assert (DEPLOY / source).exists(), f"{name} mounts {source}, which does not exist"


def test_generate_secrets_makes_every_file(tmp_path):
    copy = tmp_path / "deploy"
    copy.mkdir()
    shutil.copy(DEPLOY / "generate-secrets.sh", copy)
    done = subprocess.run(["sh", str(copy / "generate-secrets.sh")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for secret in _compose()["secrets"].values():
        assert (copy / secret["file"]).stat().st_size > 0
    assert (copy / "tls" / "tls.crt").read_text().startswith("-----BEGIN CERTIFICATE-----")
    database_url = (copy / "secrets" / "database_url").read_text()
    assert (copy / "secrets" / "postgres_password").read_text() in database_url
