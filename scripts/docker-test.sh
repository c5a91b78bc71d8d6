#!/usr/bin/env bash
# Builds the container image and runs `monitor once` inside it against a feed served from this
# machine (127.0.0.1 only; nothing else on the network is touched by the test itself).
#
# Engine: `docker` when `docker info` works, otherwise podman set up by
# ../shared/tools/container-engine.sh (relative to the repo root).
# Environment:
#   DOCKER_TEST_CONTEXT  build context (default: the repo root)
#   DOCKER_TEST_IMAGE    tag to build (default: story-monitor:test)
#   DOCKER_TEST_KEEP=1   keep the temp dir (feed, article, config, logs) for inspection
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONTEXT=${DOCKER_TEST_CONTEXT:-$ROOT}
IMAGE=${DOCKER_TEST_IMAGE:-story-monitor:test}
ENGINE_SETUP="$ROOT/../shared/tools/container-engine.sh"
NAME="story-monitor-test-$$"
START=$(date +%s)
PASSED=0
SERVER_PID=""
TMP=""

say() { printf '[docker-test] %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

cleanup() {
  local rc=$?
  set +e
  if [ -n "${ENGINE:-}" ]; then "$ENGINE" rm -f -v "$NAME" >/dev/null 2>&1; fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  if [ -n "$TMP" ]; then
    if [ "${DOCKER_TEST_KEEP:-0}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
  fi
  if [ "$PASSED" = 1 ] && [ "$rc" = 0 ]; then
    echo "docker-test: PASS ($(( $(date +%s) - START ))s)"
  else
    echo "docker-test: FAIL (exit $rc after $(( $(date +%s) - START ))s)"
    [ "$rc" = 0 ] && rc=1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. container engine --------------------------------------------------------------------------
BUILD_FLAGS=()
docker_works() {
  command -v docker >/dev/null 2>&1 || return 1
  if command -v timeout >/dev/null 2>&1; then timeout 30 docker info >/dev/null 2>&1; else docker info >/dev/null 2>&1; fi
}
if docker_works; then
  ENGINE=docker
elif [ -f "$ENGINE_SETUP" ]; then
  say "no working docker engine; setting up podman with $ENGINE_SETUP"
  setup_log=$(mktemp)
  if ! bash "$ENGINE_SETUP" >"$setup_log" 2>&1; then
    tail -n 30 "$setup_log" >&2; rm -f "$setup_log"
    fail "container engine setup failed ($ENGINE_SETUP)"
  fi
  rm -f "$setup_log"
  export CONTAINERS_CONF="${WORK:-/tmp/container-engine}/containers.conf"
  ENGINE=podman
  # The base image exists only locally; docker format keeps the HEALTHCHECK (OCI drops it).
  BUILD_FLAGS=(--pull=never --format docker)
else
  fail "no container engine: 'docker info' fails and $ENGINE_SETUP does not exist"
fi
say "engine: $ENGINE"

# --- 2. build --------------------------------------------------------------------------------------
[ -f "$CONTEXT/Dockerfile" ] || fail "$CONTEXT/Dockerfile not found"
[ -d "$CONTEXT/seeds" ] || fail "$CONTEXT/seeds/ is missing: the image ships the seed story from it"
say "building $IMAGE from $CONTEXT"
build_start=$(date +%s)
"$ENGINE" build ${BUILD_FLAGS[@]+"${BUILD_FLAGS[@]}"} -t "$IMAGE" "$CONTEXT" >&2
say "built in $(( $(date +%s) - build_start ))s; image size: $("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE" \
  | awk '{printf "%.0f MB", $1/1000000}')"
"$ENGINE" image inspect "$IMAGE" | grep -q '127.0.0.1:8080/healthz' \
  || fail "the image has no HEALTHCHECK calling /healthz"

# --- 3. a feed with one new development, served on 127.0.0.1 ---------------------------------------
TMP=$(mktemp -d)
chmod 755 "$TMP"
mkdir -p "$TMP/www" "$TMP/test"
PY=$(python3 -c 'import sys; print(sys.executable)')  # the real interpreter, not a shim, so kill works
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
TITLE='Anthropic sues Pentagon over supply chain risk designation, seeks $1.2 billion'

cat >"$TMP/www/article.html" <<EOF
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>$TITLE</title>
<meta property="article:published_time" content="2026-03-09T14:30:00Z">
</head><body>
<article>
<h1>$TITLE</h1>
<p class="byline">By a staff reporter, Washington, March 9, 2026</p>
<p>Anthropic filed a lawsuit against the Department of Defense in federal court in Washington on Monday, March 9, 2026, asking a judge to overturn the Pentagon's decision to designate the company a supply chain risk.</p>
<p>The 48-page complaint seeks \$1.2 billion in damages for contracts it says were cancelled after Defense Secretary Pete Hegseth cut off access to Claude across the military.</p>
<p>The filing argues that the designation was retaliation for Anthropic's refusal to remove safeguards that bar Claude from being used for mass domestic surveillance and fully autonomous weapons.</p>
<p>Lawyers for the company asked Judge Amy Berman Jackson for a temporary restraining order that would pause the designation while the case proceeds.</p>
<p>A Pentagon spokesman said the department would defend its decision in court and declined to comment on the dollar figure.</p>
<p>It is the first time an American AI company has taken the Pentagon to court over the terms of military use of its models.</p>
<p>A hearing on the restraining order has been scheduled for March 16, according to the court docket.</p>
</article>
</body></html>
EOF

cat >"$TMP/www/feed.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>docker-test feed</title><link>$BASE/</link><description>One new development</description>
<item>
<title>$TITLE</title>
<link>$BASE/article.html</link>
<guid isPermaLink="true">$BASE/article.html</guid>
<pubDate>Mon, 09 Mar 2026 14:30:00 GMT</pubDate>
<description>Anthropic asked a federal judge to overturn the Pentagon's supply chain risk designation.</description>
</item>
</channel></rss>
EOF

cat >"$TMP/test/monitor.yaml" <<EOF
story:
  seeds: [/app/seeds]
feeds:
  - url: $BASE/feed.xml
    name: Test feed
http:
  allow_private_networks: true
storage:
  url: sqlite:////data/monitor.db
service:
  listen: 0.0.0.0:8080
EOF
chmod -R a+rX "$TMP"   # the container runs as the non-root user `monitor`

"$PY" -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/www" >"$TMP/http.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('$BASE/feed.xml', timeout=1)" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/http.log" >&2; fail "the test HTTP server died"; }
  sleep 0.2
done
say "serving the test feed at $BASE/feed.xml"

# --- 4. monitor once in the container ------------------------------------------------------------
say "running: $IMAGE once --config /test/monitor.yaml"
set +e
"$ENGINE" run --rm --no-healthcheck --name "$NAME" --network host -v "$TMP/test:/test:ro" \
  "$IMAGE" once --config /test/monitor.yaml >"$TMP/once.log" 2>&1
rc=$?
set -e
cat "$TMP/once.log"
[ "$rc" = 0 ] || fail "monitor once exited with $rc (expected 0)"
grep -qF "$TITLE" "$TMP/once.log" || fail "the output does not mention the article title: $TITLE"
grep -q "GET /article.html" "$TMP/http.log" || fail "the container never fetched the article page"
say "ok: monitor once exited 0 and alerted about the article"

# --- 5. check-config: the test config, and the shipped default config ----------------------------
"$ENGINE" run --rm --no-healthcheck --name "$NAME" --network host -v "$TMP/test:/test:ro" \
  "$IMAGE" check-config --config /test/monitor.yaml >"$TMP/check.log" 2>&1 \
  || { cat "$TMP/check.log"; fail "check-config failed on the test config"; }
cat "$TMP/check.log"
grep -q "config OK" "$TMP/check.log" || fail "check-config did not say 'config OK'"
"$ENGINE" run --rm --no-healthcheck --name "$NAME" --network none "$IMAGE" check-config >"$TMP/check-default.log" 2>&1 \
  || { cat "$TMP/check-default.log"; fail "check-config failed on the shipped config (\$MONITOR_CONFIG)"; }
grep -q "config OK" "$TMP/check-default.log" || fail "check-config (shipped config) did not say 'config OK'"
say "ok: check-config passes for the test config and the shipped default config"

# --- 6. the shipped config's relative sqlite:///data/monitor.db lands on the /data volume ---------
# `monitor sources` opens the store without touching the network.
db=$("$ENGINE" run --rm --no-healthcheck --name "$NAME" --network none --entrypoint sh "$IMAGE" \
  -c 'monitor sources >/dev/null && test -f /data/monitor.db && readlink -f data/monitor.db') \
  || fail "the shipped config could not create its database on /data as user monitor"
[ "$db" = /data/monitor.db ] || fail "the shipped config's database resolves to $db, not /data/monitor.db"
say "ok: the shipped config's database is /data/monitor.db (writable by the monitor user)"

PASSED=1
