#!/usr/bin/env bash
# The browser test needs Debian's chromium: install it where it is missing and we may (root with apt-get).
# A failed install is reported, not fatal: the browser test then says it was skipped, and why.
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium (Debian package) for the browser test"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
    exit 0
  fi
  echo "could not install chromium: the browser test is skipped" >&2
else
  echo "chromium is missing and cannot be installed here (needs root and apt-get): the browser test is skipped" >&2
fi
