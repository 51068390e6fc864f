#!/usr/bin/env bash
# `make image` builds the container image with podman (runc as the runtime: it works on cgroup v1 hosts too) from
# a Debian base made by debootstrap, since no container registry may be reachable. Install them when we can (root
# with apt); otherwise say why the image cannot be built here.
set -u
wanted="podman buildah runc debootstrap uidmap"
missing=""
for tool in podman buildah runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing="$missing $tool"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing podman, buildah, runc and debootstrap for the image build…"
  # shellcheck disable=SC2086
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $wanted) \
    >/tmp/paperclerk-apt-image.log 2>&1 \
    || { echo "image tools install failed; see /tmp/paperclerk-apt-image.log"; exit 1; }
else
  echo "cannot build the image here:$missing missing and not root to install them (or use docker build .)"
  exit 1
fi
