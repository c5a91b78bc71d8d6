"""Secrets (bot token, webhook URL) never appear in output, errors, logs or tracebacks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import LocalServer, Response

MONITOR = str(Path(sys.executable).with_name("monitor"))
TOKEN = "xoxb-123456789012-SECRETSECRETSECRET"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket is closed


def write(tmp_path: Path, slack: str, feed_url: str) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "a.txt").write_text("The harbour authority and the ferry union dispute night crossings on the bay.\n")
    config = tmp_path / "monitor.yaml"
    config.write_text(f"story:\n  seeds: [{seeds}]\nfeeds:\n  - url: {feed_url}\n{slack}\n"
                      f"http:\n  allow_private_networks: true\nstorage:\n  url: sqlite:///{tmp_path / 's.db'}\n"
                      "service:\n  log_level: DEBUG\n", encoding="utf-8")
    return config


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MONITOR, *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **env))


def test_bot_token_never_printed(tmp_path: Path, server: LocalServer) -> None:
    server.routes["/api/chat.postMessage"] = Response(200, json.dumps({"ok": False, "error": "invalid_auth"}).encode(),
                                                      {"Content-Type": "application/json"})
    item = (f"<item><title>Ferry union sued</title><link>{server.url('/a.html')}</link><guid>a</guid>"
            "<description>The harbour authority sued the ferry union over night crossings on the bay in a new "
            "case filed at the Gothenburg district court on Monday.</description></item>")
    server.routes["/feed.xml"] = Response(200, f"<rss version='2.0'><channel><title>f</title>{item}</channel></rss>"
                                          .encode(), {"Content-Type": "application/rss+xml"})
    config = write(tmp_path, f"slack:\n  token: ${{TOKEN}}\n  channel: '#c'\n  api_url: {server.url('/api/')}",
                   server.url("/feed.xml"))
    checked = run("check-config", "--config", str(config), TOKEN=TOKEN)
    assert checked.returncode == 0
    assert "xoxb-****" in checked.stdout
    done = run("once", "--config", str(config), TOKEN=TOKEN)
    for output in (checked.stdout + checked.stderr, done.stdout + done.stderr):
        assert TOKEN not in output and "SECRETSECRET" not in output
    db = (tmp_path / "s.db").read_bytes()
    assert b"SECRETSECRET" not in db


def test_webhook_url_never_printed(tmp_path: Path, server: LocalServer) -> None:
    secret_path = "/services/T000/B000/XXXXSECRETXXXX"
    webhook = f"http://127.0.0.1:{closed_port()}{secret_path}"
    # The feed is unreachable and a notice is due after one failure, so a delivery to the webhook is tried.
    config = write(tmp_path, "slack:\n  webhook_url: ${HOOK}\npolling:\n  failure_notice_after: 1",
                   f"http://127.0.0.1:{closed_port()}/feed.xml")
    checked = run("check-config", "--config", str(config), HOOK=webhook)
    done = run("once", "--config", str(config), HOOK=webhook)
    assert done.returncode == 3, done.stderr  # the notice stays in the outbox
    assert "webhook unreachable" in done.stderr
    for output in (checked.stdout + checked.stderr, done.stdout + done.stderr):
        assert "XXXXSECRETXXXX" not in output


def test_missing_secret_variable_is_named_not_leaked(tmp_path: Path) -> None:
    config = write(tmp_path, "slack:\n  token: ${NOT_SET_ANYWHERE}\n  channel: '#c'", "http://127.0.0.1:9/f.xml")
    env = {k: v for k, v in os.environ.items() if k != "NOT_SET_ANYWHERE"}
    done = subprocess.run([MONITOR, "check-config", "--config", str(config)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode != 0
    assert "NOT_SET_ANYWHERE" in done.stderr and "slack.token" in done.stderr
