#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it when we can (root with apt); otherwise say
# why the browser tests will not run (they skip on a laptop and fail in CI).
set -u
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/paperclerk-apt.log 2>&1 \
    || { echo "chromium install failed; see /tmp/paperclerk-apt.log"; exit 0; }
else
  echo "note: /usr/bin/chromium is missing and cannot be installed without root; browser tests will skip"
fi
