"""The monitor on PostgreSQL: a server the test session starts itself (Debian's binaries, a temp folder,
a loopback port); `monitor once` end to end, a SQLite state moved over with `migrate-store`, `monitor run`
with its health check and timeline page, and a password that never shows."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from scripts.postgres_server import PostgresServer
from tests.conftest import LocalServer
from tests.e2e.support import NEW_DEVELOPMENT, TOKEN, UNRELATED, Slack, monitor, news_site, page, write_config
from tests.e2e.test_operations import Service, free_port, get

MONDAY = "Mon, 12 Jan 2026 10:00:00 GMT"
TUESDAY = "Tue, 13 Jan 2026 10:00:00 GMT"


def _storage(config: Path, url: str) -> None:
    text = config.read_text(encoding="utf-8")
    start = text.index("storage:\n")
    end = text.index("\n", text.index("url:", start))
    config.write_text(text[:start] + f"storage:\n  url: {url}" + text[end:], encoding="utf-8")


def test_monitor_once_on_postgresql(tmp_path: Path, server: LocalServer, postgres_server: PostgresServer) -> None:
    slack = Slack(server)
    items = [("court", "Court fines ferry union", MONDAY, page("Court fines ferry union", NEW_DEVELOPMENT))]
    feed = news_site(server, items)
    config = write_config(tmp_path, [(feed, "feed")], slack)
    _storage(config, postgres_server.new_database())
    for _ in range(2):  # the second run finds the alert sent, the feed unchanged (304), nothing to post
        done = monitor("once", "--config", str(config))
        assert done.returncode == 0, done.stderr
    assert [a["metadata"]["event_payload"]["title"] for a in slack.alerts()] == ["Court fines ferry union"]  # type: ignore[index]
    decisions = monitor("decisions", "--config", str(config))
    assert "alert-new" in decisions.stdout and "posted alone" in decisions.stdout
    claims = monitor("claims", "250,000", "--config", str(config))
    assert "[article]" in claims.stdout


def test_a_sqlite_state_moves_to_postgresql_and_goes_on(tmp_path: Path, server: LocalServer,
                                                         postgres_server: PostgresServer) -> None:
    slack = Slack(server)
    items = [("court", "Court fines ferry union", MONDAY, page("Court fines ferry union", NEW_DEVELOPMENT))]
    feed = news_site(server, items)
    config = write_config(tmp_path, [(feed, "feed")], slack)
    assert monitor("once", "--config", str(config)).returncode == 0
    target = postgres_server.new_database()
    moved = monitor("migrate-store", "--to", target, "--config", str(config))
    assert moved.returncode == 0, moved.stderr
    assert "1 items" in moved.stdout and "1 outbox" in moved.stdout
    again = monitor("migrate-store", "--to", target, "--config", str(config))
    assert again.returncode == 2 and "already holds state" in again.stderr
    _storage(config, target)
    items += [("court-copy", "Court fines ferry union", TUESDAY, page("Court fines ferry union", NEW_DEVELOPMENT)),
              ("bikes", "Bike lanes", TUESDAY, page("Bike lanes", UNRELATED))]
    news_site(server, items)
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert len(slack.alerts()) == 1  # what was learnt and seen on SQLite came along: the copy stays quiet
    decisions = monitor("decisions", "--config", str(config)).stdout
    assert decisions.count("duplicate") == 1 and "off-topic" in decisions and decisions.count("alert-new") == 1


def test_the_database_password_never_shows(tmp_path: Path, server: LocalServer) -> None:
    config = write_config(tmp_path, [(server.url("/feed.xml"), "feed")], None)
    _storage(config, "postgresql://monitor:s3cret-pw@127.0.0.1:1/state")  # nothing listens on port 1
    for command in (["once"], ["check-config"], ["decisions"]):
        done = monitor(*command, "--config", str(config))
        assert "s3cret-pw" not in done.stdout + done.stderr, command
    done = monitor("once", "--config", str(config))
    assert done.returncode == 2 and "postgresql://monitor:****@127.0.0.1:1/state" in done.stderr


def test_the_service_on_postgresql_serves_health_and_the_timeline(tmp_path: Path, server: LocalServer,
                                                                  postgres_server: PostgresServer) -> None:
    slack = Slack(server)
    feed = news_site(server, [("court", "Court fines ferry union", MONDAY,
                               page("Court fines ferry union", NEW_DEVELOPMENT))])
    port = free_port()
    config = write_config(tmp_path, [(feed, "feed")], slack, extra=f"service:\n  listen: 127.0.0.1:{port}\n")
    _storage(config, postgres_server.new_database())
    with Service(config, SLACK_BOT_TOKEN=TOKEN) as service:
        service.wait_for_log("monitor running", timeout=30)
        service.wait_for_log("cycle finished", timeout=30)
        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and json.loads(body)["storage"] is True
        status, body = get(f"http://127.0.0.1:{port}/stories/default")
        assert status == 200 and b"Court fines ferry union" in body and b"contradiction-pair" not in body
        service.proc.send_signal(signal.SIGTERM)
        assert service.proc.wait(timeout=20) == 0
