"""What the end-to-end tests share: a Slack Web API stand-in, a fixture story, pages and feeds."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from tests.conftest import LocalServer, Request, Response

MONITOR = str(Path(sys.executable).with_name("monitor"))
TOKEN = "xoxb-test-0000-e2e"

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
  - text: "The ferry contract between the harbour authority and the operator is worth about $40 million a year."
    source: Port Gazette
    date: 2026-01-10
"""

SEED_ARTICLE = """ date 2026-01-09 The harbour authority and the ferry union have been arguing for weeks about night
crossings on the bay. The union says its crews will not staff night boats without a second engineer on board.
Harbour director Mara Lindqvist met union leader Tomas Berg on Tuesday at the port office, and the authority
later threatened to suspend the union's operating licence. The ferry contract is worth about $40 million a year.
"""

NEW_DEVELOPMENT = [
    "A labour court in Gothenburg on Monday ordered the ferry union to pay 250,000 kronor to the harbour "
    "authority for a walkout that halted night crossings on the bay.",
    "Judge Ingrid Solberg said the union had broken its agreement with the harbour authority by stopping night "
    "ferries without notice.",
    "The union said it would appeal the ruling at the Svea Court of Appeal and keep refusing night crossings "
    "without a second engineer.",
    "The harbour authority said it would not suspend the union's licence while the appeal is heard.",
]

UNRELATED = [
    "The city council voted on Tuesday to add twelve kilometres of protected bike lanes in the old town.",
    "Cyclists' groups welcomed the plan, while shop owners worried about losing parking spaces.",
    "Construction is due to start in April and finish before the autumn school term.",
    "The council's transport committee will publish the route maps next week.",
]


def page(title: str, paragraphs: list[str], comments: list[str] = ()) -> bytes:  # type: ignore[assignment]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    extra = "".join(f'<div class="comment"><p>{c}</p></div>' for c in comments)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/sport'>Sport</a></li></ul></nav>"
            f"<main><article><h1>{title}</h1>{body}</article>"
            f"<section id='comments'><h2>Comments</h2>{extra}</section></main>"
            "<footer>© Port News. All rights reserved.</footer></body></html>").encode()


def rss(items: list[tuple[str, str, str, str]], base: str) -> bytes:
    """items: (guid, title, link, RFC 822 date)."""
    xml = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{g}</guid><pubDate>{d}</pubDate>"
                  f"<description>{t}</description></item>" for g, t, link, d in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Port News</title>"
            f"<link>{base}/</link><description>news</description>{xml}</channel></rss>").encode()


def cacheable(body: bytes, ctype: str):  # type: ignore[no-untyped-def]
    """A route answering 304 to a matching If-None-Match, as real servers do."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'

    def route(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(304, b"", {"ETag": etag})
        return Response(200, body, {"ETag": etag, "Content-Type": ctype})

    return route


class Slack:
    """A Slack Web API stand-in: chat.postMessage and conversations.history, with metadata."""

    def __init__(self, server: LocalServer) -> None:
        self.messages: list[dict[str, object]] = []
        self.attempts = 0
        self.down = False
        self.lookups = 0  # conversations.history requests: a post whose outcome was uncertain, looked up
        self.lock = threading.Condition()  # notified at each post and lookup
        server.routes["/api/chat.postMessage"] = self.post
        server.routes["/api/conversations.history"] = self.history
        server.routes["/api/conversations.replies"] = self.replies
        self.api_url = server.url("/api/")

    @staticmethod
    def _payload(request: Request) -> dict[str, object]:
        if "json" in request.headers.get("content-type", ""):
            return dict(request.json())
        return {k: v[0] for k, v in urllib.parse.parse_qs(request.body.decode()).items()}

    def post(self, request: Request) -> Response:
        with self.lock:
            self.attempts += 1
        if self.down:
            return Response(503, b"service unavailable")
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _json({"ok": False, "error": "invalid_auth"})
        payload = self._payload(request)
        for key in ("metadata", "blocks"):
            if isinstance(payload.get(key), str):
                payload[key] = json.loads(str(payload[key]))
        with self.lock:
            thread = payload.get("thread_ts")
            if thread is not None and not any(m["ts"] == thread for m in self.messages):
                return _json({"ok": False, "error": "thread_not_found"})  # as Slack: a reply needs its parent
            ts = f"1767225600.{len(self.messages) + 1:06d}"
            self.messages.append({"ts": ts, **payload})
            self.lock.notify_all()
        return _json({"ok": True, "channel": "C0TEST", "ts": ts})

    def history(self, request: Request) -> Response:
        """Top-level messages and replies also sent to the channel, as Slack's history shows them."""
        with self.lock:
            self.lookups += 1
            self.lock.notify_all()
            shown = [m for m in self.messages if "thread_ts" not in m or _true(m.get("reply_broadcast"))]
            return _json({"ok": True, "messages": list(reversed(shown)), "has_more": False})

    def replies(self, request: Request) -> Response:
        thread = self._payload(request).get("ts") or urllib.parse.parse_qs(
            urllib.parse.urlsplit(request.path).query).get("ts", [""])[0]
        with self.lock:
            found = [m for m in self.messages if m["ts"] == thread or m.get("thread_ts") == thread]
            return _json({"ok": True, "messages": found, "has_more": False})

    def wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Until ``condition`` (checked at each post and lookup) holds, at most ``timeout`` seconds."""
        with self.lock:
            if not self.lock.wait_for(condition, timeout):
                raise AssertionError(f"not within {timeout}s: {what}")

    def alerts(self) -> list[dict[str, object]]:
        with self.lock:
            return [m for m in self.messages
                    if isinstance(meta := m.get("metadata"), dict) and meta.get("event_type") == "news_development"]

    def alerts_for(self, url: str) -> list[dict[str, object]]:
        return [m for m in self.alerts() if m["metadata"]["event_payload"]["url"] == url]  # type: ignore[index]


def _true(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _json(body: dict[str, object]) -> Response:
    return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def write_story(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "story.yaml").write_text(STORY, encoding="utf-8")
    (seeds / "background.txt").write_text(SEED_ARTICLE, encoding="utf-8")
    return seeds


def write_config(tmp_path: Path, sources: list[tuple[str, str]], slack: Slack | None, extra: str = "",
                 http: str = "  allow_private_networks: true", slack_extra: str = "") -> Path:
    """sources: (url, kind); ``http`` is the body of the http section, ``slack_extra`` more slack keys."""
    seeds = write_story(tmp_path)
    lines = ["story:", f"  seeds: [{seeds}]", "feeds:"]
    for i, (url, kind) in enumerate(sources):
        lines += [f"  - url: {url}", f"    name: Source {i}", f"    kind: {kind}"]
    if slack:
        lines += ["slack:", "  token: ${SLACK_BOT_TOKEN}", "  channel: '#ferry'", f"  api_url: {slack.api_url}"]
        lines += [slack_extra] if slack_extra else []
    lines += ["http:", http, "storage:", f"  url: sqlite:///{tmp_path / 'state.db'}"]
    config = tmp_path / "monitor.yaml"
    config.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return config


def monitor(*args: str, failpoint: str | None = None, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SLACK_BOT_TOKEN=token)
    env.pop("MONITOR_FAILPOINT", None)
    if failpoint:
        env["MONITOR_FAILPOINT"] = failpoint
    return subprocess.run([MONITOR, *args], env=env, capture_output=True, text=True, timeout=120)


def news_site(server: LocalServer, items: list[tuple[str, str, str, bytes]]) -> str:
    """items: (guid, title, pubDate, page bytes); returns the feed URL."""
    entries = []
    for guid, title, date, body in items:
        path = f"/news/{guid}.html"
        server.routes[path] = cacheable(body, "text/html; charset=utf-8")
        entries.append((guid, title, server.url(path), date))
    server.routes["/feed.xml"] = cacheable(rss(entries, server.base), "application/rss+xml")
    return server.url("/feed.xml")


def verdicts(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "state.db") as db:
        return dict(db.execute("SELECT url, verdict FROM items"))
