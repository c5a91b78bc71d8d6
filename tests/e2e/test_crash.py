"""Crash safety: SIGKILL at every step of the pipeline, then a restart. Nothing lost, nothing doubled.

The process really dies (MONITOR_FAILPOINT makes it SIGKILL itself at a named step); the feed, the
article page and the Slack Web API are real HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import LocalServer, Request, Response

MONITOR = str(Path(sys.executable).with_name("monitor"))
TOKEN = "xoxb-test-crash-0000"

STORY = """\
story: Harbour ferry dispute
topics:
  - {term: ferry, weight: 3}
  - {term: harbour authority, weight: 3}
  - {term: union, weight: 2}
claims:
  - text: "The harbour authority and the ferry union are in a dispute over night crossings on the bay."
    source: Port Gazette
    date: 2026-01-10
  - text: "The harbour authority threatened to suspend the ferry union's operating licence."
    source: Port Gazette
    date: 2026-01-10
  - text: "The ferry union refuses to staff night crossings without a second engineer on every boat."
    source: Port Gazette
    date: 2026-01-10
"""

ARTICLE = """<html><head><title>Court fines ferry union</title></head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Court fines ferry union over night crossings walkout</h1>
<p>A labour court in Gothenburg on Monday ordered the ferry union to pay 250,000 kronor to the harbour
authority for a walkout that halted night crossings on the bay.</p>
<p>Judge Ingrid Solberg said the union had broken its agreement with the harbour authority by stopping
night ferries without notice.</p>
<p>The union said it would appeal the ruling and keep refusing night crossings without a second engineer.</p>
<p>The harbour authority said it would not suspend the union's licence while the appeal is heard.</p>
</article><footer>Port News</footer></body></html>"""


class Slack:
    """A Slack Web API stand-in: chat.postMessage and conversations.history, with metadata."""

    def __init__(self, server: LocalServer) -> None:
        self.messages: list[dict[str, object]] = []
        self.lock = threading.Lock()
        server.routes["/api/chat.postMessage"] = self.post
        server.routes["/api/conversations.history"] = self.history
        self.api_url = server.url("/api/")

    @staticmethod
    def _payload(request: Request) -> dict[str, object]:
        if "json" in request.headers.get("content-type", ""):
            return dict(request.json())
        return {k: v[0] for k, v in urllib.parse.parse_qs(request.body.decode()).items()}

    def post(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _json({"ok": False, "error": "invalid_auth"})
        payload = self._payload(request)
        metadata = payload.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        with self.lock:
            ts = f"1767225600.{len(self.messages) + 1:06d}"
            self.messages.append({"ts": ts, "text": payload.get("text"), "metadata": metadata})
        return _json({"ok": True, "channel": "C0TEST", "ts": ts})

    def history(self, request: Request) -> Response:
        with self.lock:
            return _json({"ok": True, "messages": list(reversed(self.messages)), "has_more": False})

    def alerts_for(self, url: str) -> list[dict[str, object]]:
        with self.lock:
            return [m for m in self.messages if isinstance(m["metadata"], dict)
                    and m["metadata"].get("event_type") == "news_development"
                    and m["metadata"]["event_payload"]["url"] == url]


def _json(body: dict[str, object]) -> Response:
    return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def setup(tmp_path: Path, server: LocalServer) -> tuple[Path, Slack, str]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "story.yaml").write_text(STORY, encoding="utf-8")
    article_url = server.url("/news/court-fines-union.html")
    server.routes["/news/court-fines-union.html"] = Response(200, ARTICLE.encode(),
                                                             {"Content-Type": "text/html; charset=utf-8"})
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Port News</title>
<link>{server.base}/</link><description>d</description>
<item><title>Court fines ferry union over night crossings walkout</title><link>{article_url}</link>
<guid>court-fines-union</guid><pubDate>Mon, 12 Jan 2026 10:00:00 GMT</pubDate>
<description>A labour court fined the ferry union.</description></item></channel></rss>"""
    server.routes["/feed.xml"] = Response(200, feed.encode(), {"Content-Type": "application/rss+xml"})
    slack = Slack(server)
    config = tmp_path / "monitor.yaml"
    config.write_text(f"""story:
  seeds: [{seeds}]
feeds:
  - url: {server.url('/feed.xml')}
    name: Port News
slack:
  token: ${{SLACK_BOT_TOKEN}}
  channel: "#ferry"
  api_url: {slack.api_url}
http:
  allow_private_networks: true
storage:
  url: sqlite:///{tmp_path / 'state.db'}
""", encoding="utf-8")
    return config, slack, article_url


def once(config: Path, failpoint: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SLACK_BOT_TOKEN=TOKEN)
    env.pop("MONITOR_FAILPOINT", None)
    if failpoint:
        env["MONITOR_FAILPOINT"] = failpoint
    return subprocess.run([MONITOR, "once", "--config", str(config)], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("failpoint", ["after-fetch", "after-analyse", "after-store", "before-post", "after-post"])
def test_sigkill_at_any_step_then_restart_posts_exactly_once(tmp_path: Path, server: LocalServer,
                                                            failpoint: str) -> None:
    config, slack, article_url = setup(tmp_path, server)

    crashed = once(config, failpoint)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-1000:]
    posted_before_restart = len(slack.alerts_for(article_url))
    assert posted_before_restart == (1 if failpoint == "after-post" else 0)

    restarted = once(config)
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    assert len(slack.alerts_for(article_url)) == 1, "the alert was lost or posted twice"

    again = once(config)
    assert again.returncode == 0
    assert len(slack.alerts_for(article_url)) == 1


def test_sigkill_of_monitor_run_then_restart(tmp_path: Path, server: LocalServer) -> None:
    """`monitor run` killed between storing the alert and posting it; a restart delivers it once."""
    config, slack, article_url = setup(tmp_path, server)
    env = dict(os.environ, SLACK_BOT_TOKEN=TOKEN, MONITOR_FAILPOINT="after-store")
    port_line = "service:\n  listen: 127.0.0.1:0\n"
    config.write_text(config.read_text(encoding="utf-8") + port_line, encoding="utf-8")
    run = subprocess.run([MONITOR, "run", "--config", str(config)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == -signal.SIGKILL
    assert slack.alerts_for(article_url) == []
    assert once(config).returncode == 0
    assert len(slack.alerts_for(article_url)) == 1
