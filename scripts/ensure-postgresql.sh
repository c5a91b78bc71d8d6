#!/usr/bin/env bash
# The store's tests also run on PostgreSQL, on a server they start themselves from Debian's binaries:
# install them where they are missing and we may (root with apt-get). A failed install is reported, not
# fatal: those tests then say they were skipped, and why.
set -uo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing postgresql (Debian package) for the store's PostgreSQL tests"
  if { apt-get update -qq || true; } && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; then
    exit 0
  fi
  echo "could not install postgresql: the PostgreSQL tests are skipped" >&2
else
  echo "PostgreSQL is missing and cannot be installed here (needs root and apt-get): its tests are skipped" >&2
fi
