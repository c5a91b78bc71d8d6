"""Slack failures: rate limits with Retry-After, and a timeout after Slack already took the post."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.conftest import LocalServer, Request, Response
from tests.e2e.support import NEW_DEVELOPMENT, Slack, cacheable, monitor, page, rss, write_config

MONDAY = "Mon, 12 Jan 2026 10:00:00 GMT"


def site(server: LocalServer) -> str:
    server.routes["/news/court.html"] = cacheable(page("Court fines ferry union", NEW_DEVELOPMENT), "text/html")
    server.routes["/feed.xml"] = cacheable(rss([("court", "Court fines ferry union", server.url("/news/court.html"),
                                                 MONDAY)], server.base), "application/rss+xml")
    return server.url("/feed.xml")


def test_rate_limit_is_retried_after_the_delay_slack_asks_for(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    post = slack.post
    calls: list[int] = []

    def limited(request: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            return Response(429, b'{"ok": false, "error": "ratelimited"}',
                            {"Retry-After": "1", "Content-Type": "application/json"})
        return post(request)

    server.routes["/api/chat.postMessage"] = limited
    config = write_config(tmp_path, [(site(server), "feed")], slack)
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert len(calls) == 2 and len(slack.alerts()) == 1


def test_timeout_after_slack_took_the_post_is_not_posted_twice(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    post = slack.post
    release = threading.Event()

    def slow(request: Request) -> Response:
        answer = post(request)  # Slack has the message ...
        release.wait(5)         # ... but answers after the monitor gave up
        return answer

    server.routes["/api/chat.postMessage"] = slow
    config = write_config(tmp_path, [(site(server), "feed")], slack, slack_extra="  timeout: 1s")
    first = monitor("once", "--config", str(config))
    release.set()
    assert first.returncode == 3, first.stderr
    arrived = len(slack.alerts())
    assert arrived == 1  # it did arrive; nothing retried it blindly
    server.routes["/api/chat.postMessage"] = post
    second = monitor("once", "--config", str(config))
    assert second.returncode == 0, second.stderr
    assert len(slack.alerts()) == arrived == 1
