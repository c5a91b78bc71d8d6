"""Several stories in one database: what a database written before them becomes, and what stays apart."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from monitor.model import KnownClaim
from monitor.store import _MIGRATIONS, Store

SINGLE_STORY_SCHEMA = 4  # the schema of the release that followed one story


def _single_story_database(path: Path) -> None:
    """A database as the single-story release wrote it: its schema, and rows with its columns only."""
    db = sqlite3.connect(path, isolation_level=None)
    for script in _MIGRATIONS[:SINGLE_STORY_SCHEMA]:
        db.executescript(script)
    db.execute(f"PRAGMA user_version = {SINGLE_STORY_SCHEMA}")
    db.execute("INSERT INTO sources (url, name, kind, etag) VALUES ('http://127.0.0.1:9/f', 'Wire', 'feed', 'e1')")
    db.execute("INSERT INTO items (source_url, item_key, url, canonical_url, title, processed_at, verdict, reason, "
               "text, alert_id) VALUES ('http://127.0.0.1:9/f', 'g1', 'http://127.0.0.1:9/a', 'http://127.0.0.1:9/a', "
               "'A', 1.0, 'alert-new', 'new', 'The ferry line stopped on Monday.', 'alert:1')")
    db.execute("INSERT INTO claims (text, source, origin, url, added_at) VALUES "
               "('The ferry line stopped on Monday.', 'Wire', 'article', 'http://127.0.0.1:9/a', 1.0)")
    db.execute("INSERT INTO outbox (dedup_key, kind, message, created_at, state) VALUES "
               "('alert:1', 'alert', ?, 1.0, 'pending')", (json.dumps({"text": "t"}),))
    db.execute("INSERT INTO outbox (dedup_key, kind, message, created_at, state) VALUES "
               "('status:x', 'source_status', ?, 1.0, 'sent')", (json.dumps({"text": "t"}),))
    db.execute("INSERT INTO meta (key, value) VALUES ('story_as_of', '2026-01-05T00:00:00+00:00')")
    db.close()


def test_a_single_story_database_opens_as_the_one_story_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    _single_story_database(path)
    store = Store(path)
    try:
        assert store.adopt("ferry") == 1
        assert store.adopt("ferry") == 0  # once only
        assert store.source("http://127.0.0.1:9/f").validators.etag == "e1"  # type: ignore[union-attr]
        assert store.seen_by("http://127.0.0.1:9/f", "g1", "") == {"ferry"}
        assert [c.text for c in store.learnt_claims("ferry", 10)] == ["The ferry line stopped on Monday."]
        assert [r["url"] for r in store.processed_texts("ferry", 10)] == ["http://127.0.0.1:9/a"]
        assert store.alert_for_article("ferry", "http://127.0.0.1:9/a") == "alert:1"
        assert [(m.dedup_key, m.story) for m in store.undelivered()] == [("alert:1", "ferry")]
        assert store.story_as_of("ferry", "later") == "2026-01-05T00:00:00+00:00"  # the as-of did not move
        assert store.stories() == ["ferry"]
    finally:
        store.close()


def test_stories_keep_their_items_claims_and_alerts_apart(state_db: str) -> None:
    store = Store(state_db)
    try:
        with store.transaction():
            for story in ("strike", "recall"):
                store.record_item(story=story, source_url="http://127.0.0.1:9/f", item_key="g", url="http://127.0.0.1:9/a",
                                  canonical_url="http://127.0.0.1:9/a", title="A", published=None, verdict="off-topic",
                                  reason="r", relevance=0.0, duplicate_of=None, detail=[], text=f"about the {story}")
            store.add_claims("strike", [KnownClaim("Dockers walked out.", "Wire", None, "article")])
            store.enqueue("alert:s", "alert", {"text": "s"}, held=True, story="strike", channel="#strike")
        # The same item, recorded by both stories; another source's copy of the article counts as seen.
        assert store.seen_by("http://127.0.0.1:9/f", "g", "") == {"strike", "recall"}
        assert store.seen_by("http://127.0.0.1:9/other", "h", "http://127.0.0.1:9/a") == {"strike", "recall"}
        assert store.learnt_claims("recall", 10) == []
        assert [r["text"] for r in store.processed_texts("recall", 10)] == ["about the recall"]
        assert [r["story"] for r in store.decisions(story="strike")] == ["strike"]
        assert len(store.decisions()) == 2
        assert store.forget_story("strike") == (1, 1)
        assert store.held() == [] and store.stories() == ["recall"]
        assert store.seen_by("http://127.0.0.1:9/f", "g", "") == {"recall"}
    finally:
        store.close()
