"""OPML import, cache freshness and backoff: the pure parts of operating the service."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.app import Monitor, build_analyser
from monitor.config import AnalysisConfig, load_config
from monitor.decide import decide
from monitor.errors import ConfigError
from monitor.fetch import freshness
from monitor.model import Article, KnownClaim
from monitor.opml import import_opml
from monitor.scheduler import backoff_delay
from monitor.store import Store
from monitor.story.seeds import load_story
from monitor.workers import usable_cpus
from tests.e2e.support import NEW_DEVELOPMENT, SEED_ARTICLE, STORY

MONITOR = str(Path(sys.executable).with_name("monitor"))

CONFIG = """\
# Our feeds. This comment must survive an import.
story:
  seeds: [seeds]   # relative to this file
feeds:
  - url: http://127.0.0.1:9/known.xml
    name: Known   # a comment on an entry
"""

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>subs</title></head><body>
  <outline text="Defence">
    <outline type="rss" text="Known again" xmlUrl="http://127.0.0.1:9/known.xml"/>
    <outline type="rss" title="New desk" text="New" xmlUrl="http://127.0.0.1:9/new.xml"/>
  </outline>
  <outline type="rss" text="Second" xmlUrl="http://127.0.0.1:9/second.xml"/>
  <outline type="link" text="Not a feed" url="http://127.0.0.1:9/page"/>
</body></opml>
"""


def test_import_opml_adds_missing_feeds_and_keeps_comments(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("The harbour authority runs four ferries across the bay.\n")
    config = tmp_path / "monitor.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "subs.opml").write_text(OPML, encoding="utf-8")
    assert import_opml(tmp_path / "subs.opml", config) == (2, 1)
    text = config.read_text(encoding="utf-8")
    assert "# Our feeds. This comment must survive an import." in text
    assert "# a comment on an entry" in text and "# relative to this file" in text
    urls = [f.url for f in load_config(config).config.feeds]
    assert urls == ["http://127.0.0.1:9/known.xml", "http://127.0.0.1:9/new.xml", "http://127.0.0.1:9/second.xml"]
    assert load_config(config).config.feeds[1].name == "New desk"
    assert import_opml(tmp_path / "subs.opml", config) == (0, 3)  # idempotent


def test_import_opml_cli_and_bad_file(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("The harbour authority runs four ferries across the bay.\n")
    config = tmp_path / "monitor.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "subs.opml").write_text(OPML, encoding="utf-8")
    done = subprocess.run([MONITOR, "import-opml", str(tmp_path / "subs.opml"), "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "added 2 feed(s)" in done.stdout
    (tmp_path / "bad.opml").write_text("<opml><body><outline", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.opml: not a readable OPML file"):
        import_opml(tmp_path / "bad.opml", config)


def test_sources_command_lists_state_as_json(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("The harbour authority runs four ferries across the bay.\n")
    config = tmp_path / "monitor.yaml"
    config.write_text(CONFIG + f"storage:\n  url: sqlite:///{tmp_path / 's.db'}\n", encoding="utf-8")
    done = subprocess.run([MONITOR, "sources", "--config", str(config)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows[0]["url"] == "http://127.0.0.1:9/known.xml" and rows[0]["next_poll"] == "at start"


@pytest.mark.parametrize(("setting", "expected"), [("", usable_cpus()), ("  extraction_workers: 1\n", 1)])
def test_extraction_workers_default_to_the_usable_cpus_and_follow_the_config(
        tmp_path: Path, setting: str, expected: int) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("The harbour authority runs four ferries across the bay.\n")
    config = tmp_path / "monitor.yaml"
    config.write_text(CONFIG + f"storage:\n  url: sqlite:///{tmp_path / 's.db'}\nservice:\n{setting}"
                      "  log_level: INFO\n", encoding="utf-8")
    service = Monitor.open(load_config(config))

    async def workers() -> int:
        async with service.pipeline() as pipeline:
            return pipeline._extractor.workers  # the pool the service really runs, not a config echo

    try:
        assert asyncio.run(workers()) == expected
    finally:
        service.close()


@pytest.mark.parametrize(("cpu_max", "expected"), [
    ("max 100000\n", len(os.sched_getaffinity(0))),   # no quota: every CPU the process may run on
    ("100000 100000\n", 1),                            # --cpus 1
    ("150000 100000\n", min(2, len(os.sched_getaffinity(0)))),  # --cpus 1.5: a second worker for the half
    ("5000 100000\n", 1),                              # a sliver of a CPU still gets one worker
    (None, len(os.sched_getaffinity(0))),              # no cgroup v2 file at all
    ("garbage\n", len(os.sched_getaffinity(0))),
])
def test_usable_cpus_respect_the_container_quota(tmp_path: Path, cpu_max: str | None, expected: int) -> None:
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    assert usable_cpus(path) == expected


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Cache-Control": "public, max-age=900"}, 900.0),
    ({"cache-control": "s-maxage=60"}, 60.0),
    ({"Date": "Sun, 01 Mar 2026 10:00:00 GMT", "Expires": "Sun, 01 Mar 2026 11:00:00 GMT"}, 3600.0),
    ({"Expires": "0"}, 0.0),
    ({}, None),
])
def test_freshness_from_cache_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert freshness(headers) == seconds


def test_backoff_doubles_up_to_the_cap_and_honours_retry_after() -> None:
    assert backoff_delay(60, 1, 3600, None) == 60
    assert backoff_delay(60, 3, 3600, None) == 240
    assert backoff_delay(60, 20, 3600, None) == 3600
    assert backoff_delay(60, 1, 3600, 600) == 600


def test_the_store_gives_back_only_the_newest_of_what_memory_keeps(state_db: str) -> None:
    """At start the service re-learns from the store only what it would keep in memory: the newest."""
    store = Store(state_db)
    try:
        with store.transaction():
            for i in range(5):
                store.record_item(story="s", source_url="http://127.0.0.1/feed", item_key=f"k{i}", url=f"http://127.0.0.1/{i}",
                                  canonical_url=f"http://127.0.0.1/{i}", title=f"t{i}", published=None,
                                  verdict="off-topic", reason="r", relevance=0.0, duplicate_of=None, detail=[],
                                  text=f"text {i}")
            store.add_claims("s", [KnownClaim(f"Claim {i} is about the ferry.", "W", None, "article")
                                   for i in range(5)])
        assert [row["url"] for row in store.processed_texts("s", newest=2)] == ["http://127.0.0.1/3",
                                                                                 "http://127.0.0.1/4"]
        assert [c.text for c in store.learnt_claims("s", newest=2)] == ["Claim 3 is about the ferry.",
                                                                   "Claim 4 is about the ferry."]
        assert len(list(store.processed_texts("s", newest=50))) == 5
    finally:
        store.close()


def test_a_restarted_monitor_judges_relevance_as_the_running_one_did(tmp_path: Path, state_db: str) -> None:
    """A relevant article joins the story profile with its headline; rebuilt from the store after a restart,
    the profile must be the same, or the same article scores differently before and after."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "story.yaml").write_text(STORY, encoding="utf-8")
    (tmp_path / "seeds" / "background.txt").write_text(SEED_ARTICLE, encoding="utf-8")
    story = load_story([tmp_path / "seeds"])
    store = Store(state_db)
    try:
        running = build_analyser(story, "s", store, AnalysisConfig())
        article = Article(url="http://127.0.0.1/a", title="Harbour pilots vote to join the ferry walkout",
                          source_name="Wire", text="\n\n".join(NEW_DEVELOPMENT),
                          published=datetime(2026, 2, 3, tzinfo=UTC))
        analysis = running.analyse(article)
        assert analysis.relevant
        with store.transaction():
            store.record_item(story="s", source_url="http://127.0.0.1/feed", item_key="k", url=article.url,
                              canonical_url=article.url, title=article.title, published=None,
                              verdict=decide(analysis).verdict, reason="r", relevance=analysis.relevance,
                              duplicate_of=None, detail=[], text=article.text)
        running.learn(analysis, "Wire", None)
        restarted = build_analyser(story, "s", store, AnalysisConfig())
        probe = ("Pilots and harbour walkout", "The walkout closed the harbour to pilots.")
        assert restarted.profile.relevance(*probe) == pytest.approx(running.profile.relevance(*probe))
    finally:
        store.close()
