"""Crash safety: SIGKILL at every step of the pipeline, then a restart. Nothing lost, nothing doubled.
And a cycle that fails without a crash leaves the running service knowing only what it stored.

The process really dies (MONITOR_FAILPOINT makes it SIGKILL itself at a named step); the feed, the
article page and the Slack Web API are real HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from monitor.app import Monitor
from monitor.config import load_config
from tests.conftest import LocalServer, Response
from tests.e2e.support import MONITOR, NEW_DEVELOPMENT, TOKEN, Slack, monitor, page, write_story

ARTICLE = page("Court fines ferry union over night crossings walkout", NEW_DEVELOPMENT)


def setup(tmp_path: Path, server: LocalServer) -> tuple[Path, Slack, str]:
    seeds = write_story(tmp_path)
    article_url = server.url("/news/court-fines-union.html")
    server.routes["/news/court-fines-union.html"] = Response(200, ARTICLE,
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
    return monitor("once", "--config", str(config), failpoint=failpoint)


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


def test_a_dying_extraction_worker_costs_one_page_not_the_cycle(tmp_path: Path, server: LocalServer) -> None:
    """An extraction worker killed mid-page (SIGKILL, as a crash in lxml would): the monitor carries on with
    the feed summary for that page, finishes the cycle and exits 0; the next run posts nothing twice."""
    config, slack, article_url = setup(tmp_path, server)

    done = once(config, "in-extraction-worker")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "an extraction worker died" in done.stderr
    decisions = monitor("decisions", "--config", str(config))
    assert article_url in decisions.stdout, "the page was not decided on"
    posted = len(slack.alerts_for(article_url))

    again = once(config)
    assert again.returncode == 0
    assert len(slack.alerts_for(article_url)) == posted, "the page was processed twice"


def test_a_cycle_that_fails_to_store_leaves_nothing_learnt(tmp_path: Path, server: LocalServer) -> None:
    """The service outlives a cycle that failed (it logs it and polls again).  What that cycle could not
    store must not be known in memory either, or the retried article would find its own claims known and
    stay silent.  The failure is real: a trigger makes SQLite refuse the article's claims."""
    config, slack, article_url = setup(tmp_path, server)
    service = Monitor.open(load_config(config, environ={"SLACK_BOT_TOKEN": TOKEN}))
    try:
        with sqlite3.connect(tmp_path / "state.db") as db:
            db.execute("CREATE TRIGGER refuse BEFORE INSERT ON claims BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        with pytest.raises(sqlite3.IntegrityError, match="disk full"):
            asyncio.run(service.once())
        assert slack.alerts_for(article_url) == []
        with sqlite3.connect(tmp_path / "state.db") as db:
            db.execute("DROP TRIGGER refuse")

        asyncio.run(service.once())
        assert len(slack.alerts_for(article_url)) == 1
    finally:
        service.close()
