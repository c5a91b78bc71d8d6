"""Day one on a real feed: old news stays quiet, a flood becomes one digest, nothing is lost or doubled.

A feed on 127.0.0.1 holds 40 items of the story at its first poll, most of them published before the
story's as-of (the test story's newest dated claim, 2026-01-10); the Slack Web API stand-in records
every post.  The process really dies (MONITOR_FAILPOINT) for the crash case.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import LocalServer
from tests.e2e.support import Slack, monitor, news_site, page, verdicts, write_config

# Invented names, unique per item: (i mod 7, i mod 11, i mod 13) differ for every i below 1001.
_A = ["ka", "lo", "ve", "ri", "su", "ma", "de"]
_B = ["no", "ta", "bi", "fe", "gu", "pe", "so", "ni", "ra", "mu", "te"]
_C = ["lin", "dor", "sek", "vam", "rup", "tis", "gal", "mon", "per", "zul", "fen", "hok", "bar"]
_VERBS = ["cancelled", "delayed", "rerouted", "suspended", "doubled", "halved", "merged", "rescheduled"]
_NOUNS = ["timetable change", "pay offer", "safety review", "fuel surcharge", "crew rota", "berth closure",
          "ticket refund", "engine inspection"]


def _name(i: int, k: int) -> str:
    return (_A[(i + k) % 7] + _B[(i + 2 * k) % 11] + _C[(i + 3 * k) % 13]).title()


def development(i: int) -> tuple[str, list[str]]:
    """A distinct development of the test story: its own people, place, numbers and words."""
    person, place, group = f"{_name(i, 0)} {_name(i, 1)}", f"{_name(i, 2)}vik", _name(i, 3)
    title = f"Ferry union and harbour authority: {place} crossings {_VERBS[i % 8]}"
    return title, [
        f"The harbour authority and the ferry union {_VERBS[i % 8]} {10 + i} night crossings from {place} on "
        f"Friday, {person} of {group} said.",
        f"{person} told reporters the {_NOUNS[(i * 3) % 8]} would cost the ferry operator about "
        f"{1000 * (i + 3)} kronor a week and affect {40 + 7 * i} commuters in {place}.",
        f"Crews in {place} will {_VERBS[(i + 3) % 8][:-1]} the {_NOUNS[(i + 5) % 8]} until {group} answers, "
        "the union said.",
    ]


OLD, NEW = 30, 10  # items published before the as-of, and after it


def first_poll_feed(server: LocalServer, undated: bool = False) -> str:
    items = []
    for i in range(OLD + NEW):
        title, paragraphs = development(i)
        day = f"0{1 + i % 8}" if i < OLD else "12"  # 1-8 January, before the as-of; 12 January after it
        date = f"Mon, {day} Jan 2026 {10 + i % 10:02d}:{i:02d}:00 GMT"
        items.append((f"item{i}", title, "" if undated and i == 0 else date, page(title, paragraphs)))
    return news_site(server, items)


def digests(slack: Slack) -> list[dict[str, object]]:
    return [m for m in slack.messages
            if isinstance(meta := m.get("metadata"), dict) and meta.get("event_type") == "news_digest"]


def urls_of(server: LocalServer, first: int, last: int) -> set[str]:
    return {server.url(f"/news/item{i}.html") for i in range(first, last)}


def test_first_poll_of_a_flooded_feed(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    config = write_config(tmp_path, [(first_poll_feed(server), "feed")], slack)
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0, done.stderr[-2000:]

    old, new = urls_of(server, 0, OLD), urls_of(server, OLD, OLD + NEW)
    posted = [a["metadata"]["event_payload"]["url"] for a in slack.alerts()]  # type: ignore[index]
    [digest] = digests(slack)
    listed = [item["url"] for item in digest["metadata"]["event_payload"]["items"]]  # type: ignore[index]
    assert len(posted) == 5 and len(listed) == NEW - 5
    assert set(posted) | set(listed) == new and not set(posted) & set(listed)  # every alert posted or digested
    assert not (set(posted) | set(listed)) & old  # old news neither posted nor digested
    assert slack.messages[-1] is digest  # the digest after the posts
    published = [item["published"] for item in digest["metadata"]["event_payload"]["items"]]  # type: ignore[index]
    assert published == sorted(published, reverse=True)  # newest first
    for item in digest["metadata"]["event_payload"]["items"]:  # type: ignore[index]
        assert {"url", "title", "source", "published", "kind"} <= set(item)

    seen = verdicts(tmp_path)
    assert {seen[u] for u in old} == {"background"}
    with sqlite3.connect(tmp_path / "state.db") as db:
        reasons = [r for (r,) in db.execute("SELECT reason FROM items WHERE verdict = 'background'")]
        learnt = db.execute("SELECT COUNT(DISTINCT url) FROM claims WHERE url LIKE '%/news/item%'").fetchone()[0]
    assert all("published before the story's as-of (2026-01-10" in r for r in reasons)
    assert learnt == OLD + NEW  # background is learnt like any other report

    shown = monitor("decisions", "--config", str(config), "--limit", "100")
    assert shown.stdout.count("post: posted alone") == 5 and shown.stdout.count("post: in a digest") == NEW - 5

    again = monitor("once", "--config", str(config))
    assert again.returncode == 0
    assert len(slack.messages) == 6  # the second cycle posts nothing


def test_an_undated_item_on_the_first_poll_is_background(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    config = write_config(tmp_path, [(first_poll_feed(server, undated=True), "feed")], slack)
    assert monitor("once", "--config", str(config)).returncode == 0
    with sqlite3.connect(tmp_path / "state.db") as db:
        [(verdict, reason)] = db.execute("SELECT verdict, reason FROM items WHERE url LIKE '%/news/item0.html'")
    assert verdict == "background" and "undated, on the source's first poll" in reason


def test_a_crash_between_the_posts_and_the_digest_delivers_the_rest_once(tmp_path: Path,
                                                                        server: LocalServer) -> None:
    slack = Slack(server)
    config = write_config(tmp_path, [(first_poll_feed(server), "feed")], slack)
    crashed = monitor("once", "--config", str(config), failpoint="before-digest")
    assert crashed.returncode != 0
    assert len(slack.alerts()) == 5 and not digests(slack)

    restarted = monitor("once", "--config", str(config))
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    assert len(slack.alerts()) == 5  # none posted twice
    [digest] = digests(slack)
    assert len(digest["metadata"]["event_payload"]["items"]) == NEW - 5  # type: ignore[index]
    keys = [json.dumps(m.get("metadata"), sort_keys=True) for m in slack.messages]
    assert len(keys) == len(set(keys)) == 6
