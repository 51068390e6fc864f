#!/usr/bin/env bash
# Build the paperclerk image with podman, then check it: `make image`.
#   1. a base image like python:3.11-slim-bookworm, made with debootstrap from the host's Debian mirror (cached);
#   2. the Dockerfile on top of it (tag localhost/paperclerk:dev);
#   3. a smoke test: non-root, tini as PID 1, tesseract's languages, `paperclerk --help`, and `serve` answering
#      /health/ready and its HEALTHCHECK in a running container.
# Where pip must trust an extra CA (a TLS-inspecting proxy), the host's bundle and pip.conf are lent to the build.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${PAPERCLERK_IMAGE:-localhost/paperclerk:dev}"
BASE="${PAPERCLERK_BASE_IMAGE:-localhost/paperclerk-python:3.11-slim-bookworm}"
PODMAN=(podman --runtime runc)
LIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

mirror() {  # the Debian mirror the host's apt uses
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -v security | head -1 | awk '{print $2}')
  echo "${uri:?no Debian mirror configured in /etc/apt}"
}

if ! "${PODMAN[@]}" image exists "$BASE"; then
  echo "making the base image $BASE with debootstrap (a few minutes, once)…"
  root=$(mktemp -d /var/tmp/paperclerk-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" "$(mirror)" \
    >/tmp/paperclerk-debootstrap.log 2>&1 || { echo "debootstrap failed: /tmp/paperclerk-debootstrap.log"; exit 1; }
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
         "$root"/usr/share/man/* "$root"/usr/share/locale/*
  tar -C "$root" -c . | "${PODMAN[@]}" import --change 'CMD ["python3"]' - "$BASE" >/dev/null
  rm -rf "$root"
  trap - EXIT
fi

volumes=()
ca=/etc/ssl/certs/ca-certificates.crt
if [ -f /etc/pip.conf ] && grep -q '^cert' /etc/pip.conf && [ -f "$ca" ]; then
  printf '[global]\ncert = /etc/paperclerk-build-ca.crt\n' >/tmp/paperclerk-build-pip.conf
  volumes=(-v "$ca:/etc/paperclerk-build-ca.crt:ro" -v /tmp/paperclerk-build-pip.conf:/etc/pip.conf:ro)
fi
echo "building $IMAGE…"
"${PODMAN[@]}" build "${LIMITS[@]}" "${volumes[@]}" --format docker --layers --build-arg "PYTHON_IMAGE=$BASE" -t "$IMAGE" .

echo "checking $IMAGE…"
run=("${PODMAN[@]}" run --rm "${LIMITS[@]}")
[ "$("${run[@]}" --entrypoint id "$IMAGE" -u)" != "0" ] || { echo "the image runs as root"; exit 1; }
langs=$("${run[@]}" --entrypoint tesseract "$IMAGE" --list-langs 2>&1)
for lang in eng fra deu nld spa osd; do grep -qx "$lang" <<<"$langs" || { echo "tesseract lacks $lang"; exit 1; }; done
"${run[@]}" "$IMAGE" --help >/dev/null
if "${run[@]}" --entrypoint sh "$IMAGE" -c 'command -v gcc cc make' >/dev/null 2>&1; then
  echo "build tools are in the final image"; exit 1
fi
name="paperclerk-smoke-$$"
"${PODMAN[@]}" run -d --name "$name" "${LIMITS[@]}" -e PAPERCLERK_SECRET_KEY=smoke-test-secret-key-of-more-than-32-chars \
  "$IMAGE" >/dev/null
trap '"${PODMAN[@]}" rm -f "$name" >/dev/null 2>&1' EXIT
for _ in $(seq 60); do
  "${PODMAN[@]}" exec "$name" python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=2)" \
    >/dev/null 2>&1 && break
  sleep 2
done
"${PODMAN[@]}" healthcheck run "$name" && echo "HEALTHCHECK: healthy"
pid1=$("${PODMAN[@]}" exec "$name" cat /proc/1/comm)
[ "$pid1" = "tini" ] || { echo "PID 1 is $pid1, not tini"; exit 1; }
"${PODMAN[@]}" image inspect "$IMAGE" --format 'image {{.Id}}: {{.Size}} bytes'
echo "ok: $IMAGE"
