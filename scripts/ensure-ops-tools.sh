#!/usr/bin/env bash
# The deployment tests run the real tools: Debian's nginx (the TLS proxy in front of `paperclerk serve`) and
# prometheus's promtool (alert rules and their unit tests). Install them when we can (root with apt); otherwise say
# why those tests will not run (they skip on a laptop and fail in CI).
set -u
missing=""
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing$missing for the deployment tests…"
  # Services are not started: the tests start their own nginx on free loopback ports.
  # shellcheck disable=SC2086
  (apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing) \
    >/tmp/paperclerk-apt-ops.log 2>&1 \
    || { echo "nginx/prometheus install failed; see /tmp/paperclerk-apt-ops.log"; exit 0; }
else
  echo "note:$missing missing and cannot be installed without root; the nginx and promtool tests will skip"
fi
