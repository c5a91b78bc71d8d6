"""`monitor once` end to end: feeds and pages on 127.0.0.1 in, Slack Web API stand-in out."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import LocalServer, Response
from tests.e2e.support import (
    NEW_DEVELOPMENT,
    UNRELATED,
    Slack,
    cacheable,
    monitor,
    news_site,
    page,
    verdicts,
    write_config,
)

MONDAY = "Mon, 12 Jan 2026 10:00:00 GMT"
LATER = "Mon, 12 Jan 2026 14:00:00 GMT"


def test_new_development_alert_carries_the_contract(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    body = page("Court fines ferry union", NEW_DEVELOPMENT, comments=["I heard it was 9 million"])
    feed = news_site(server, [("court", "Court fines ferry union", MONDAY, body)])
    config = write_config(tmp_path, [(feed, "feed")], slack)
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    [alert] = slack.alerts()
    assert alert["channel"] == "#ferry" and alert["text"] and alert["blocks"]
    payload = alert["metadata"]["event_payload"]  # type: ignore[index]
    assert payload["kind"] == "new"
    assert payload["url"] == server.url("/news/court.html")
    assert payload["title"] == "Court fines ferry union"
    assert payload["source"] == "Source 0"
    assert payload["published"].startswith("2026-01-12T10:00:00")
    texts = [c["text"] for c in payload["claims"]]
    assert any("250,000 kronor" in t for t in texts)
    assert all(c["status"] in ("new", "contradiction") for c in payload["claims"])
    assert not any("9 million" in t for t in texts)  # reader comments are never part of the article


def test_repeat_poll_is_conditional_and_posts_nothing(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    feed = news_site(server, [("court", "Court fines ferry union", MONDAY, page("Court", NEW_DEVELOPMENT))])
    config = write_config(tmp_path, [(feed, "feed")], slack)
    assert monitor("once", "--config", str(config)).returncode == 0
    assert len(slack.alerts()) == 1
    assert monitor("once", "--config", str(config)).returncode == 0
    polls = server.hits("/feed.xml")
    assert len(polls) == 2
    assert "if-none-match" not in polls[0].headers and polls[1].headers.get("if-none-match")
    assert len(slack.alerts()) == 1  # the second cycle posted nothing
    assert len(server.hits("/news/court.html")) == 1


def test_unrelated_article_and_syndicated_copy_stay_quiet(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    copy = [*NEW_DEVELOPMENT[:-1], "(Distributed by the Nordic News Service.)"]
    feed = news_site(server, [
        ("court", "Court fines ferry union", MONDAY, page("Court fines ferry union", NEW_DEVELOPMENT)),
        ("bikes", "Council backs bike lanes", MONDAY, page("Council backs bike lanes", UNRELATED)),
        ("copy", "Union ordered to pay for walkout", LATER, page("Union ordered to pay for walkout", copy)),
    ])
    config = write_config(tmp_path, [(feed, "feed")], slack)
    assert monitor("once", "--config", str(config)).returncode == 0
    assert [a["metadata"]["event_payload"]["url"] for a in slack.alerts()] == [  # type: ignore[index]
        server.url("/news/court.html")]
    seen = verdicts(tmp_path)
    assert seen[server.url("/news/bikes.html")] == "off-topic"
    assert seen[server.url("/news/copy.html")] == "duplicate"
    explained = monitor("decisions", "--config", str(config))
    assert "near-copy of " + server.url("/news/court.html") in explained.stdout
    assert "below the story threshold" in explained.stdout


def test_slack_outage_keeps_the_alert_and_delivers_it_once(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    slack.down = True
    feed = news_site(server, [("court", "Court fines ferry union", MONDAY, page("Court", NEW_DEVELOPMENT))])
    config = write_config(tmp_path, [(feed, "feed")], slack)
    failed = monitor("once", "--config", str(config))
    assert failed.returncode == 3, failed.stderr
    assert "remain undelivered" in failed.stderr
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("SELECT COUNT(*) FROM outbox WHERE state != 'sent'").fetchone()[0] == 1
    slack.down = False
    assert monitor("once", "--config", str(config)).returncode == 0
    assert monitor("once", "--config", str(config)).returncode == 0
    assert len(slack.alerts()) == 1


def test_invalid_token_is_a_clear_error_without_retry_storm(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    feed = news_site(server, [("court", "Court fines ferry union", MONDAY, page("Court", NEW_DEVELOPMENT))])
    config = write_config(tmp_path, [(feed, "feed")], slack)
    done = monitor("once", "--config", str(config), token="xoxb-wrong")
    assert done.returncode == 3
    assert "invalid_auth" in done.stderr
    assert slack.attempts == 1


def test_watched_page_alerts_once_per_change(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    first = ["The harbour authority keeps this record of its dispute with the ferry union over night crossings.",
             "The union still refuses to staff night ferries without a second engineer on board.",
             "On Monday the authority said a labour court in Gothenburg fined the ferry union 250,000 kronor for "
             "the walkout that halted night crossings on the bay."]
    second = [*first, "On Thursday the authority said it had hired the Baltic Marine company to run night "
              "crossings for six weeks at a cost of 3.2 million kronor."]
    server.routes["/tracker.html"] = cacheable(page("Dispute tracker", first), "text/html")
    config = write_config(tmp_path, [(server.url("/tracker.html"), "page")], slack)
    assert monitor("once", "--config", str(config)).returncode == 0
    # The page as first found is undated: background, learnt but not posted (day one stays quiet).
    assert not slack.alerts() and set(verdicts(tmp_path).values()) == {"background"}
    assert monitor("once", "--config", str(config)).returncode == 0  # unchanged page: 304, nothing
    assert not slack.alerts()
    server.routes["/tracker.html"] = cacheable(page("Dispute tracker", second), "text/html")
    assert monitor("once", "--config", str(config)).returncode == 0
    [alert] = slack.alerts()
    claims = [c["text"] for c in alert["metadata"]["event_payload"]["claims"]]  # type: ignore[index]
    assert any("Baltic Marine" in c for c in claims)
    assert not any("250,000" in c for c in claims)  # only the changed text is analysed
    assert monitor("once", "--config", str(config)).returncode == 0
    assert len(slack.alerts()) == 1


def test_feed_text_cannot_ping_or_forge_links(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    title = "Ferry union <!channel> <@U123> <http://evil.example|click> & co fined"
    feed = news_site(server, [("court", title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                               MONDAY, page("Court", NEW_DEVELOPMENT))])
    config = write_config(tmp_path, [(feed, "feed")], slack)
    assert monitor("once", "--config", str(config)).returncode == 0
    [alert] = slack.alerts()
    rendered = alert["text"] + json.dumps(alert["blocks"])  # type: ignore[operator]
    assert "<!channel>" not in rendered and "<@U123>" not in rendered and "<http://evil" not in rendered
    assert "&lt;!channel&gt;" in str(alert["text"]) and "&amp; co" in str(alert["text"])


def test_failing_feed_does_not_stop_the_others(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    good = news_site(server, [("court", "Court fines ferry union", MONDAY, page("Court", NEW_DEVELOPMENT))])
    server.routes["/broken.xml"] = Response(200, b"<html><body>Not a feed at all</body></html>",
                                            {"Content-Type": "text/html"})
    config = write_config(tmp_path, [(server.url("/missing.xml"), "feed"), (server.url("/broken.xml"), "feed"),
                                     (good, "feed")], slack)
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0
    assert len(slack.alerts()) == 1
    assert f"HTTP 404 Not Found from {server.url('/missing.xml')}" in done.stderr
    assert f"source failed: Source 1: {server.url('/broken.xml')}: not a valid feed" in done.stderr


def test_console_alerts_without_slack_and_summary_fallback(tmp_path: Path, server: LocalServer) -> None:
    summary = ("A labour court in Gothenburg ordered the ferry union to pay 250,000 kronor to the harbour "
               "authority for the walkout that halted night crossings on the bay.")
    feed = (f"<rss version='2.0'><channel><title>Port</title><item><title>Court fines ferry union</title>"
            f"<link>{server.url('/gone.html')}</link><guid>gone</guid><pubDate>{MONDAY}</pubDate>"
            f"<description>{summary} Judge Ingrid Solberg said the union broke its agreement.</description>"
            "</item></channel></rss>").encode()
    server.routes["/feed.xml"] = Response(200, feed, {"Content-Type": "application/rss+xml"})
    config = write_config(tmp_path, [(server.url("/feed.xml"), "feed")], None)
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "NEW DEVELOPMENT: Court fines ferry union" in done.stdout
    assert "250,000 kronor" in done.stdout
    assert "from the feed summary" in done.stdout and "HTTP 404" in done.stdout


def test_explain_shows_each_step_for_a_url_and_for_a_text_file(tmp_path: Path, server: LocalServer) -> None:
    feed = news_site(server, [("court", "Court fines ferry union", MONDAY, page("Court", NEW_DEVELOPMENT))])
    config = write_config(tmp_path, [(feed, "feed")], None)

    shown = monitor("explain", "--config", str(config), server.url("/news/court.html"))
    assert shown.returncode == 0, shown.stderr[-2000:]
    for step in ("relevance: ", "duplicate check: ", "decision: alert", "claims:", "why: "):
        assert step in shown.stdout, step
    assert "[new]" in shown.stdout and "250,000 kronor" in shown.stdout

    report = tmp_path / "report.txt"
    report.write_text("date 2026-01-12\n" + "\n".join(NEW_DEVELOPMENT), encoding="utf-8")
    shown = monitor("explain", "--config", str(config), str(report))
    assert "[new]" in shown.stdout and "250,000 kronor" in shown.stdout, shown.stdout
    assert not verdicts(tmp_path), "explain stores nothing"

    missing = monitor("explain", "--config", str(config), str(tmp_path / "nothing.txt"))
    assert missing.returncode != 0 and "nothing.txt: no such file" in missing.stderr
