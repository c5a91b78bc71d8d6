"""Follow-ups go in their development's thread: a contradiction of an alerted report is a reply that is
also shown in the channel; another source restating it adds a silent "also reported by" reply.

Real feeds and pages on 127.0.0.1; the Slack Web API stand-in refuses a reply whose thread_ts names no
message it accepted, as Slack does.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LocalServer, Request, Response
from tests.e2e.support import NEW_DEVELOPMENT, SEED_ARTICLE, Slack, cacheable, monitor, page, rss, write_config

MONDAY = "Mon, 12 Jan 2026 10:00:00 GMT"
LATER = "Mon, 12 Jan 2026 16:00:00 GMT"

CONTRADICTING = [
    "The labour court in Gothenburg ordered the ferry union to pay 400,000 kronor to the harbour authority "
    "for the walkout that halted night crossings on the bay, court papers show.",
    "Court clerk Sven Aronsson said the figure in earlier reports was a misreading of the ruling.",
    "The ferry union and the harbour authority said they would study the ruling before the next night crossings "
    "on the bay.",
]
RESTATING = [
    NEW_DEVELOPMENT[0],
    *[line.strip() for line in SEED_ARTICLE.removeprefix(" date 2026-01-09").split(". ")[:2]],
]


def two_sources(server: LocalServer, later: list[tuple[str, str, list[str]]]) -> tuple[str, str]:
    """The first development on one feed; ``later`` items (guid, title, paragraphs) on a second feed."""
    server.routes["/news/court.html"] = cacheable(page("Court fines ferry union", NEW_DEVELOPMENT), "text/html")
    first = rss([("court", "Court fines ferry union", server.url("/news/court.html"), MONDAY)], server.base)
    server.routes["/wire.xml"] = cacheable(first, "application/rss+xml")
    entries = []
    for guid, title, paragraphs in later:
        server.routes[f"/other/{guid}.html"] = cacheable(page(title, paragraphs), "text/html")
        entries.append((guid, title, server.url(f"/other/{guid}.html"), LATER))
    server.routes["/other.xml"] = cacheable(rss([], server.base), "application/rss+xml")
    return server.url("/wire.xml"), server.url("/other.xml")


def test_a_contradiction_of_an_alert_goes_in_its_thread_and_to_the_channel(tmp_path: Path,
                                                                            server: LocalServer) -> None:
    slack = Slack(server)
    later = [("fine", "Court fine was 400,000 kronor, papers show", CONTRADICTING),
             ("also", "Ferry union fined over night crossings", RESTATING)]
    wire, other = two_sources(server, later)
    config = write_config(tmp_path, [(wire, "feed"), (other, "feed")], slack)
    assert monitor("once", "--config", str(config)).returncode == 0
    [parent] = slack.alerts()
    assert "thread_ts" not in parent

    server.routes["/other.xml"] = cacheable(rss([(g, t, server.url(f"/other/{g}.html"), LATER)
                                                 for g, t, _ in later], server.base), "application/rss+xml")
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0, done.stderr[-2000:]
    [_, reply] = slack.alerts()
    assert reply["metadata"]["event_payload"]["kind"] == "contradiction"  # type: ignore[index]
    assert reply["thread_ts"] == parent["ts"]
    assert str(reply["reply_broadcast"]).lower() == "true"  # a contradiction is also shown in the channel
    [also] = [m for m in slack.messages if m["metadata"]["event_type"] == "news_corroboration"]  # type: ignore[index]
    assert also["thread_ts"] == parent["ts"] and str(also.get("reply_broadcast", "false")).lower() == "false"
    assert also["metadata"]["event_payload"]["source"] == "Source 1"  # type: ignore[index]
    assert "Also reported by" in str(also["text"])

    shown = monitor("decisions", "--config", str(config)).stdout
    assert "post: posted alone, in the thread of alert:" in shown
    assert monitor("once", "--config", str(config)).returncode == 0
    assert len(slack.messages) == 3  # nothing posted twice


def test_corroboration_replies_can_be_turned_off(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    later = [("also", "Ferry union fined over night crossings", RESTATING)]
    wire, other = two_sources(server, later)
    config = write_config(tmp_path, [(wire, "feed"), (other, "feed")], slack,
                          slack_extra="  corroboration_replies: false")
    assert monitor("once", "--config", str(config)).returncode == 0
    server.routes["/other.xml"] = cacheable(rss([(g, t, server.url(f"/other/{g}.html"), LATER)
                                                 for g, t, _ in later], server.base), "application/rss+xml")
    assert monitor("once", "--config", str(config)).returncode == 0
    assert [m["metadata"]["event_type"] for m in slack.messages] == ["news_development"]  # type: ignore[index]


def test_the_console_prints_a_follow_up_under_its_alert(tmp_path: Path, server: LocalServer) -> None:
    later = [("fine", "Court fine was 400,000 kronor, papers show", CONTRADICTING)]
    wire, other = two_sources(server, later)
    config = write_config(tmp_path, [(wire, "feed"), (other, "feed")], None)
    assert monitor("once", "--config", str(config)).returncode == 0
    server.routes["/other.xml"] = cacheable(rss([(g, t, server.url(f"/other/{g}.html"), LATER)
                                                 for g, t, _ in later], server.base), "application/rss+xml")
    done = monitor("once", "--config", str(config))
    assert "    ↳ follow-up to: Court fines ferry union" in done.stdout, done.stdout
    assert "    CONTRADICTION: Court fine was 400,000 kronor" in done.stdout


def test_an_incoming_webhook_names_the_earlier_alert_instead_of_threading(tmp_path: Path,
                                                                            server: LocalServer) -> None:
    received: list[dict[str, object]] = []

    def hook(request: Request) -> Response:
        received.append(request.json())
        return Response(200, b"ok", {"Content-Type": "text/plain"})

    server.routes["/hook"] = hook
    later = [("fine", "Court fine was 400,000 kronor, papers show", CONTRADICTING)]
    wire, other = two_sources(server, later)
    config = write_config(tmp_path, [(wire, "feed"), (other, "feed")], None,
                          extra=f"slack:\n  webhook_url: {server.url('/hook')}\n")
    assert monitor("once", "--config", str(config)).returncode == 0
    server.routes["/other.xml"] = cacheable(rss([(g, t, server.url(f"/other/{g}.html"), LATER)
                                                 for g, t, _ in later], server.base), "application/rss+xml")
    assert monitor("once", "--config", str(config)).returncode == 0
    [first, follow_up] = received
    assert not str(first["text"]).startswith("Follow-up")
    assert str(follow_up["text"]).startswith("Follow-up to the earlier alert: Court fines ferry union")
    assert "thread_ts" not in follow_up


def test_an_undelivered_parent_is_delivered_before_its_reply(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    later = [("fine", "Court fine was 400,000 kronor, papers show", CONTRADICTING)]
    wire, other = two_sources(server, later)
    server.routes["/other.xml"] = cacheable(rss([(g, t, server.url(f"/other/{g}.html"), LATER)
                                                 for g, t, _ in later], server.base), "application/rss+xml")
    config = write_config(tmp_path, [(wire, "feed"), (other, "feed")], slack)
    slack.down = True  # both decided in this cycle, neither delivered
    assert monitor("once", "--config", str(config)).returncode == 3
    slack.down = False
    assert monitor("once", "--config", str(config)).returncode == 0
    [parent, reply] = slack.alerts()
    assert "thread_ts" not in parent and reply["thread_ts"] == parent["ts"]
