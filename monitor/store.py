"""State in SQLite (or PostgreSQL): sources, processed items with their decisions, learnt claims, the outbox.

Writes that belong together happen in one transaction: an item's decision, the
claims it teaches and its alert are stored at once, so a crash either redoes
the whole article or none of it.  The outbox keeps every alert until Slack has
it; ``sending`` marks a post whose outcome a crash may have hidden.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.database import Database, Row, open_database
from monitor.errors import StorageError
from monitor.model import KnownClaim, Source, Validators

# Replicas on one database: a source is polled by the replica holding its lease; an outbox row is posted
# by the replica that claimed it (``owner``), and another takes it over only once the claim is stale.
_REPLICAS = """
    CREATE TABLE leases (
        source_url TEXT PRIMARY KEY,
        owner TEXT NOT NULL DEFAULT '',
        expires_at REAL NOT NULL DEFAULT 0
    );
    ALTER TABLE outbox ADD COLUMN owner TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_at REAL;
    """

_MIGRATIONS = (
    """
    CREATE TABLE sources (
        url TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_polled REAL,
        last_success REAL,
        last_error TEXT,
        last_error_reason TEXT,
        error_count INTEGER NOT NULL DEFAULT 0,
        retry_after REAL,
        failing_notified INTEGER NOT NULL DEFAULT 0,
        page_text TEXT,
        items_seen INTEGER NOT NULL DEFAULT 0,
        alerts INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        source_url TEXT NOT NULL,
        item_key TEXT NOT NULL,
        url TEXT NOT NULL,
        canonical_url TEXT NOT NULL,
        title TEXT,
        published TEXT,
        processed_at REAL NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT NOT NULL,
        relevance REAL,
        duplicate_of TEXT,
        detail TEXT,
        text TEXT,
        UNIQUE (source_url, item_key)
    );
    CREATE INDEX items_canonical ON items (canonical_url);
    CREATE INDEX items_processed ON items (processed_at);
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        source TEXT NOT NULL,
        date TEXT,
        origin TEXT NOT NULL,
        url TEXT,
        added_at REAL NOT NULL,
        corroborations INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at REAL NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at REAL,
        slack_ts TEXT
    );
    CREATE INDEX outbox_state ON outbox (state);
    """,
    # Corroboration counts are updated by claim text, once per later report.
    "CREATE INDEX claims_text ON claims (text);",
    # Facts the service keeps about itself, such as the moment a story without dates was first loaded.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    # Flood control: alerts wait as 'held' until the cycle ends, then go out alone or in one digest;
    # a follow-up names the alert whose thread it goes in.
    """
    ALTER TABLE outbox ADD COLUMN released_at REAL;
    ALTER TABLE outbox ADD COLUMN digest_key TEXT;
    ALTER TABLE outbox ADD COLUMN parent_key TEXT;
    ALTER TABLE items ADD COLUMN alert_id TEXT;
    CREATE INDEX items_alert ON items (url) WHERE alert_id IS NOT NULL;
    """,
    # Several stories in one database: items, claims and alerts belong to a story ('' = the one story of a
    # database written before, adopted by the first configured story at start).  An item is unique per
    # story; the source's poll state stays shared, since a source is fetched once for all its stories.
    """
    CREATE TABLE items_v5 (
        id INTEGER PRIMARY KEY,
        story TEXT NOT NULL DEFAULT '',
        source_url TEXT NOT NULL,
        item_key TEXT NOT NULL,
        url TEXT NOT NULL,
        canonical_url TEXT NOT NULL,
        title TEXT,
        published TEXT,
        processed_at REAL NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT NOT NULL,
        relevance REAL,
        duplicate_of TEXT,
        detail TEXT,
        text TEXT,
        alert_id TEXT,
        UNIQUE (source_url, item_key, story)
    );
    INSERT INTO items_v5 (id, source_url, item_key, url, canonical_url, title, published, processed_at, verdict,
                          reason, relevance, duplicate_of, detail, text, alert_id)
        SELECT id, source_url, item_key, url, canonical_url, title, published, processed_at, verdict,
               reason, relevance, duplicate_of, detail, text, alert_id FROM items;
    DROP TABLE items;
    ALTER TABLE items_v5 RENAME TO items;
    CREATE INDEX items_canonical ON items (canonical_url);
    CREATE INDEX items_processed ON items (processed_at);
    CREATE INDEX items_story ON items (story, id);
    CREATE INDEX items_alert ON items (story, url) WHERE alert_id IS NOT NULL;
    ALTER TABLE claims ADD COLUMN story TEXT NOT NULL DEFAULT '';
    CREATE INDEX claims_story ON claims (story, id);
    ALTER TABLE outbox ADD COLUMN story TEXT NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN channel TEXT;
    ALTER TABLE sources ADD COLUMN readers TEXT NOT NULL DEFAULT '';
    """,
    # What people said of an alert from Slack: not new, wrong story, useful; once per person and action.
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        story TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        action TEXT NOT NULL,
        person TEXT NOT NULL,
        given_at REAL NOT NULL,
        UNIQUE (alert_id, action, person)
    );
    CREATE INDEX feedback_story ON feedback (story, action);
    """,
    _REPLICAS,
)


_TABLES = ("sources", "items", "claims", "outbox", "meta", "feedback", "leases")

# A new PostgreSQL database starts at the schema the SQLite migrations lead to; later migrations come in
# pairs, one for each (the versions are counted alike: the empty entries are steps SQLite needed).
_POSTGRESQL = (*[""] * (len(_MIGRATIONS) - 2), """
    CREATE TABLE sources (
        url TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, etag TEXT, last_modified TEXT,
        last_polled DOUBLE PRECISION, last_success DOUBLE PRECISION, last_error TEXT, last_error_reason TEXT,
        error_count INTEGER NOT NULL DEFAULT 0, retry_after DOUBLE PRECISION,
        failing_notified INTEGER NOT NULL DEFAULT 0, page_text TEXT, items_seen INTEGER NOT NULL DEFAULT 0,
        alerts INTEGER NOT NULL DEFAULT 0, readers TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE items (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, story TEXT NOT NULL DEFAULT '',
        source_url TEXT NOT NULL, item_key TEXT NOT NULL, url TEXT NOT NULL, canonical_url TEXT NOT NULL,
        title TEXT, published TEXT, processed_at DOUBLE PRECISION NOT NULL, verdict TEXT NOT NULL,
        reason TEXT NOT NULL, relevance DOUBLE PRECISION, duplicate_of TEXT, detail TEXT, text TEXT, alert_id TEXT,
        UNIQUE (source_url, item_key, story)
    );
    CREATE INDEX items_canonical ON items (canonical_url);
    CREATE INDEX items_processed ON items (processed_at);
    CREATE INDEX items_story ON items (story, id);
    CREATE INDEX items_alert ON items (story, url) WHERE alert_id IS NOT NULL;
    CREATE INDEX items_alert_id ON items (alert_id) WHERE alert_id IS NOT NULL;
    CREATE TABLE claims (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, story TEXT NOT NULL DEFAULT '', text TEXT NOT NULL,
        source TEXT NOT NULL, date TEXT, origin TEXT NOT NULL, url TEXT, added_at DOUBLE PRECISION NOT NULL,
        corroborations INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX claims_text ON claims (text);
    CREATE INDEX claims_story ON claims (story, id);
    CREATE TABLE outbox (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, dedup_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
        message TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, sent_at DOUBLE PRECISION, slack_ts TEXT,
        released_at DOUBLE PRECISION, digest_key TEXT, parent_key TEXT, story TEXT NOT NULL DEFAULT '', channel TEXT
    );
    CREATE INDEX outbox_state ON outbox (state);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE feedback (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, story TEXT NOT NULL, alert_id TEXT NOT NULL,
        action TEXT NOT NULL, person TEXT NOT NULL, given_at DOUBLE PRECISION NOT NULL,
        UNIQUE (alert_id, action, person)
    );
    CREATE INDEX feedback_story ON feedback (story, action);
    """, _REPLICAS.replace("REAL", "DOUBLE PRECISION"))


@dataclass(frozen=True, slots=True)
class SourceState:
    url: str
    name: str
    kind: str
    validators: Validators
    last_polled: float | None
    last_success: float | None
    last_error: str | None
    error_count: int
    retry_after: float | None
    failing_notified: bool
    page_text: str | None
    items_seen: int
    alerts: int


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    dedup_key: str
    kind: str
    message: dict[str, Any]
    created_at: float
    state: str
    attempts: int
    parent_key: str | None = None  # the alert whose thread this follow-up goes in
    story: str = ""                # '' for source notices, which belong to no story
    channel: str | None = None     # None: slack.channel


class Store:
    def __init__(self, target: str | Path) -> None:
        """``target``: a SQLite file's path or ``sqlite:///`` URL, or a ``postgresql://`` URL."""
        self._db: Database = open_database(target)
        self.where = self._db.where
        try:
            self._db.migrate(_MIGRATIONS, _POSTGRESQL)
        except self._db.errors as exc:
            self._db.close()
            raise StorageError(f"{self.where}: cannot prepare the state database: {exc}") from None
        self._in_transaction = False
        self._concat = "group_concat" if self._db.dialect == "sqlite" else "string_agg"

    @property
    def dialect(self) -> str:
        return self._db.dialect

    @property
    def statements(self) -> int:
        """Statements sent to the database by this store so far."""
        return self._db.statements

    def close(self) -> None:
        self._db.close()

    def adopt(self, story: str) -> int:
        """Give the data of a database written before there were several stories to ``story``; return how
        many items it had.  Source notices stay with no story."""
        with self.transaction():
            count = self._db.execute("UPDATE items SET story = ? WHERE story = ''", (story,)).rowcount
            self._db.execute("UPDATE claims SET story = ? WHERE story = ''", (story,))
            self._db.execute("UPDATE outbox SET story = ? WHERE story = '' AND kind != 'source_status'", (story,))
            self._db.execute("INSERT INTO meta (key, value) SELECT CAST(? AS TEXT), value FROM meta "
                             "WHERE key = 'story_as_of' ON CONFLICT DO NOTHING", (_as_of_key(story),))
            self._db.execute("DELETE FROM meta WHERE key = 'story_as_of'")
        return count

    def stories(self) -> list[str]:
        """The stories the database holds data of."""
        return [r[0] for r in self._db.execute(
            "SELECT story FROM items WHERE story != '' UNION SELECT story FROM claims WHERE story != '' "
            "ORDER BY 1")]

    def forget_story(self, story: str) -> tuple[int, int]:
        """Delete a story's items, claims, alerts and as-of; return (items, claims) deleted."""
        with self.transaction():
            items = self._db.execute("DELETE FROM items WHERE story = ?", (story,)).rowcount
            claims = self._db.execute("DELETE FROM claims WHERE story = ?", (story,)).rowcount
            self._db.execute("DELETE FROM outbox WHERE story = ?", (story,))
            self._db.execute("DELETE FROM feedback WHERE story = ?", (story,))
            self._db.execute("DELETE FROM meta WHERE key = ?", (_as_of_key(story),))
        return items, claims

    def story_as_of(self, story: str, first_load: str) -> str:
        """When a story without dates was first loaded (stored, so a restart does not move it)."""
        return self.remember_once(_as_of_key(story), first_load)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        # The connection is shared by the event loop and the delivery thread: one thread's transaction at a
        # time, and a transaction begun inside another (same thread) joins it.
        with self._db.lock:
            if self._in_transaction:
                yield
                return
            self._in_transaction = True
            try:
                with self._db.transaction():
                    yield
            finally:
                self._in_transaction = False

    def exclusive(self, name: str) -> None:
        """Inside a transaction: wait until no other replica's transaction holds ``name``, then hold it
        until this transaction ends (SQLite's write transaction is exclusive already)."""
        if self.dialect == "postgresql":
            self._db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (name,))

    def copy_to(self, other: Store) -> dict[str, int]:
        """Copy every row into ``other`` (a new, empty store, on either database); return the rows per table.
        Ids are kept, so outbox keys, threads and alert links stay as they were."""
        copied = {}
        with other.transaction():
            for table in _TABLES:
                rows = self._db.execute(f"SELECT * FROM {table}").fetchall()
                if rows:
                    columns = list(rows[0].keys())
                    other._db.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [tuple(r[c] for c in columns) for r in rows])
                copied[table] = len(rows)
            if other.dialect == "postgresql":  # ids go on from the highest copied
                for table in _TABLES:
                    if table not in ("sources", "meta", "leases"):
                        other._db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                          f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
        return copied

    def is_empty(self) -> bool:
        return all(self._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] == 0 for t in _TABLES)

    # ---------------------------------------------------------------- meta

    def remember_once(self, key: str, value: str) -> str:
        """Store ``value`` under ``key`` unless a value is stored already; return the stored value."""
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (key, value))
        return str(self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    # ---------------------------------------------------------------- sources

    def sync_sources(self, sources: list[Source]) -> None:
        """Make sure every configured source has a row; names may change.  A source that gains a story
        forgets its caching validators, so that the next poll shows the new story what the feed holds now
        rather than "not modified"."""
        with self.transaction():
            for source in sources:
                row = self._db.execute("SELECT readers FROM sources WHERE url = ?", (source.url,)).fetchone()
                gained = row is not None and not set(source.stories) <= set(filter(None, row[0].split("\n")))
                self._db.execute(
                    "INSERT INTO sources (url, name, kind, readers) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (url) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                    "readers = excluded.readers",
                    (source.url, source.name, source.kind.value, "\n".join(source.stories)))
                if gained:
                    self._db.execute("UPDATE sources SET etag = NULL, last_modified = NULL WHERE url = ?",
                                     (source.url,))
                self._db.execute("INSERT INTO leases (source_url) VALUES (?) ON CONFLICT DO NOTHING", (source.url,))

    # ---------------------------------------------------------------- replicas

    def take_leases(self, urls: list[str], owner: str, seconds: float) -> set[str]:
        """The right to poll these sources for ``seconds`` from now: the ones ``owner`` now holds (it held
        them already, nobody did, or the holder's lease ran out); the others are held by other replicas.
        One replica at a time takes leases, so the sources free at that moment go to one replica together
        (a cycle's analysis order then holds); a row another statement has locked is skipped, not awaited."""
        now = time.time()
        skip = " FOR UPDATE SKIP LOCKED" if self.dialect == "postgresql" else ""
        taken: set[str] = set()
        with self.transaction() if len(urls) > 1 else contextlib.nullcontext():
            if len(urls) > 1:  # all or none of a cycle's free sources (one source is all or none by itself)
                self.exclusive("monitor leases")
            for start in range(0, len(urls), 500):
                chunk = urls[start:start + 500]
                taken.update(r[0] for r in self._db.execute(
                    "UPDATE leases SET owner = ?, expires_at = ? WHERE source_url IN (SELECT source_url FROM leases "
                    f"WHERE source_url IN ({', '.join('?' * len(chunk))}) AND (owner = ? OR expires_at < ?){skip}) "
                    "RETURNING source_url", (owner, now + seconds, *chunk, owner, now)).fetchall())
        return taken

    def release_leases(self, owner: str) -> int:
        """Give up every lease ``owner`` holds (a replica that stops, or `monitor once` at its end)."""
        return int(self._db.execute("UPDATE leases SET expires_at = 0 WHERE owner = ? AND expires_at > 0",
                                    (owner,)).rowcount)

    def leases_held(self, owner: str) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM leases WHERE owner = ? AND expires_at >= ?",
                                    (owner, time.time())).fetchone()[0])

    def high_water(self, story: str) -> tuple[int, int, int]:
        """The newest ids of a story's items, claims and feedback: what a replica has caught up with."""
        row = self._db.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM items WHERE story = ?), "
            "(SELECT COALESCE(MAX(id), 0) FROM claims WHERE story = ?), "
            "(SELECT COALESCE(MAX(id), 0) FROM feedback WHERE story = ?)", (story, story, story)).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def written_since(self, story: str, items: int, claims: int, feedback: int) -> tuple[list[Row], list[KnownClaim],
                                                                                      list[Row]]:
        """What other replicas stored for a story after the given ids: processed texts, learnt claims and
        wrong-story feedback (with its item), oldest first."""
        texts = list(self._db.execute("SELECT id, url, title, text, verdict FROM items WHERE story = ? AND id > ? "
                                      "AND text IS NOT NULL ORDER BY id", (story, items)))
        learnt = [_known_claim(r) for r in self._db.execute(
            "SELECT * FROM claims WHERE story = ? AND id > ? ORDER BY id", (story, claims))]
        wrong = list(self._db.execute(
            "SELECT f.id, i.url, i.title, i.text FROM feedback f JOIN items i ON i.alert_id = f.alert_id "
            "WHERE f.story = ? AND f.id > ? AND f.action = 'wrong-story' ORDER BY f.id", (story, feedback)))
        return texts, learnt, wrong

    def source(self, url: str) -> SourceState | None:
        row = self._db.execute("SELECT * FROM sources WHERE url = ?", (url,)).fetchone()
        return _source_state(row) if row else None

    def sources(self) -> list[SourceState]:
        return [_source_state(r) for r in self._db.execute("SELECT * FROM sources ORDER BY name")]

    def record_success(self, url: str, validators: Validators, *, page_text: str | None = None,
                       items_seen: int = 0, alerts: int = 0) -> bool:
        """Mark a poll as successful; return whether the source had been reported failing."""
        with self.transaction():
            row = self._db.execute("SELECT failing_notified FROM sources WHERE url = ?", (url,)).fetchone()
            now = time.time()
            self._db.execute(
                "UPDATE sources SET etag = ?, last_modified = ?, last_polled = ?, last_success = ?, "
                "last_error = NULL, last_error_reason = NULL, error_count = 0, retry_after = NULL, "
                "failing_notified = 0, page_text = COALESCE(?, page_text), "
                "items_seen = items_seen + ?, alerts = alerts + ? WHERE url = ?",
                (validators.etag, validators.last_modified, now, now, page_text, items_seen, alerts, url))
        return bool(row and row["failing_notified"])

    def record_failure(self, url: str, reason: str, message: str, retry_after: float | None) -> int:
        """Count a failed poll; return the number of consecutive failures."""
        with self.transaction():
            self._db.execute(
                "UPDATE sources SET last_polled = ?, last_error = ?, last_error_reason = ?, "
                "error_count = error_count + 1, retry_after = ? WHERE url = ?",
                (time.time(), message, reason, retry_after, url))
            row = self._db.execute("SELECT error_count FROM sources WHERE url = ?", (url,)).fetchone()
        return int(row["error_count"]) if row else 0

    def set_page_text(self, url: str, text: str) -> None:
        self._db.execute("UPDATE sources SET page_text = ? WHERE url = ?", (text, url))

    def mark_failing_notified(self, url: str) -> None:
        self._db.execute("UPDATE sources SET failing_notified = 1 WHERE url = ?", (url,))

    # ---------------------------------------------------------------- items

    def seen_by(self, source_url: str, item_key: str, canonical_url: str) -> set[str]:
        """The stories that have processed this item (or the same article through another source)."""
        return {r[0] for r in self._db.execute(
            "SELECT story FROM items WHERE (source_url = ? AND item_key = ?) "
            "OR (canonical_url = ? AND CAST(? AS TEXT) != '')",
            (source_url, item_key, canonical_url, canonical_url))}

    def record_item(self, *, story: str, source_url: str, item_key: str, url: str, canonical_url: str, title: str,
                    published: str | None, verdict: str, reason: str, relevance: float | None,
                    duplicate_of: str | None, detail: list[dict[str, Any]], text: str,
                    alert_id: str | None = None) -> None:
        self._db.execute(
            "INSERT INTO items (story, source_url, item_key, url, canonical_url, title, published, "
            "processed_at, verdict, reason, relevance, duplicate_of, detail, text, alert_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (story, source_url, item_key, url, canonical_url, title, published, time.time(), verdict, reason,
             relevance, duplicate_of, json.dumps(detail), text, alert_id))

    def decisions(self, since: float | None = None, limit: int = 100, story: str | None = None) -> list[Row]:
        """The newest decisions, of one story or of all."""
        return list(self._db.execute(
            "SELECT i.*, s.name AS source_name, o.state AS post_state, o.parent_key AS thread_of, "
            f"(SELECT {self._concat}(f.action || ' by ' || f.person, '; ') FROM feedback f "
            "WHERE f.alert_id = i.alert_id) "
            "AS feedback FROM items i "
            "LEFT JOIN sources s ON s.url = i.source_url LEFT JOIN outbox o ON o.dedup_key = i.alert_id "
            "WHERE processed_at >= ? AND (CAST(? AS TEXT) IS NULL OR i.story = ?) "
            "ORDER BY processed_at DESC, i.id DESC LIMIT ?",
            (since or 0, story, story, limit)))

    def processed_texts(self, story: str, newest: int) -> Iterator[Row]:
        """The texts of a story's ``newest`` processed items, oldest first, to rebuild its duplicate index."""
        first = self._db.execute("SELECT MIN(id) FROM (SELECT id FROM items WHERE story = ? AND text IS NOT NULL "
                                 "ORDER BY id DESC LIMIT ?) AS newest", (story, newest)).fetchone()[0]
        yield from self._db.execute("SELECT url, title, text, verdict FROM items WHERE story = ? AND text IS NOT NULL "
                                    "AND id >= ? ORDER BY id", (story, first or 0))

    # ---------------------------------------------------------------- claims

    def add_claims(self, story: str, claims: list[KnownClaim]) -> None:
        now = time.time()
        self._db.executemany(
            "INSERT INTO claims (story, text, source, date, origin, url, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(story, c.text, c.source, c.date, c.origin, c.url, now) for c in claims])

    def corroborate(self, story: str, texts: list[str]) -> None:
        self._db.executemany("UPDATE claims SET corroborations = corroborations + 1 WHERE text = ? AND story = ?",
                             [(t, story) for t in texts])

    def learnt_claims(self, story: str, newest: int) -> list[KnownClaim]:
        """A story's ``newest`` learnt claims, oldest first."""
        rows = self._db.execute("SELECT * FROM claims WHERE story = ? ORDER BY id DESC LIMIT ?",
                                (story, newest)).fetchall()
        return [_known_claim(r) for r in reversed(rows)]

    def claim_rows(self, story: str, contains: str | None = None, limit: int = 200) -> list[Row]:
        like = f"%{contains}%" if contains else "%"
        return list(self._db.execute(
            "SELECT * FROM claims WHERE story = ? AND text LIKE ? ORDER BY id DESC LIMIT ?", (story, like, limit)))

    # ---------------------------------------------------------------- feedback

    def alerted_item(self, alert_id: str) -> Row | None:
        """The processed item an alert was about."""
        return self._db.execute("SELECT * FROM items WHERE alert_id = ?", (alert_id,)).fetchone()  # type: ignore[no-any-return]

    def add_feedback(self, story: str, alert_id: str, action: str, user: str) -> bool:
        """Record what someone said of an alert; False when they had said it already."""
        return self._db.execute("INSERT INTO feedback (story, alert_id, action, person, given_at) "
                                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                (story, alert_id, action, user, time.time())).rowcount == 1

    def feedback(self, story: str | None = None, limit: int = 200) -> list[Row]:
        return list(self._db.execute(
            "SELECT f.*, i.title, i.url FROM feedback f LEFT JOIN items i ON i.alert_id = f.alert_id "
            "WHERE CAST(? AS TEXT) IS NULL OR f.story = ? ORDER BY f.given_at DESC LIMIT ?", (story, story, limit)))

    def wrong_story_items(self, story: str) -> list[Row]:
        """The items of a story's alerts people said were about another story."""
        return list(self._db.execute(
            "SELECT DISTINCT i.url, i.title, i.text FROM feedback f JOIN items i ON i.alert_id = f.alert_id "
            "WHERE f.story = ? AND f.action = 'wrong-story'", (story,)))

    def forget_claims_from(self, story: str, url: str) -> int:
        return int(self._db.execute("DELETE FROM claims WHERE story = ? AND url = ? AND origin = 'article'",
                                    (story, url)).rowcount)

    # ---------------------------------------------------------------- outbox

    def enqueue(self, dedup_key: str, kind: str, message: dict[str, Any], *, held: bool = False,
                parent_key: str | None = None, story: str = "", channel: str | None = None) -> bool:
        """Store a message to deliver; False when one with the same key exists already.  A ``held``
        message waits for ``release`` (an alert waits for the end of its cycle: alone or in a digest);
        ``parent_key`` names the alert in whose thread it goes; ``channel`` where it goes (None: the
        default channel)."""
        now = time.time()
        cur = self._db.execute(
            "INSERT INTO outbox (dedup_key, kind, message, created_at, state, released_at, parent_key, "
            "story, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (dedup_key, kind, json.dumps(message), now, "held" if held else "pending", None if held else now,
             parent_key, story, channel))
        return cur.rowcount == 1

    def alert_for_article(self, story: str, url: str) -> str | None:
        """The id of the alert a story's processing of an article enqueued, if it had one."""
        row = self._db.execute("SELECT alert_id FROM items WHERE story = ? AND url = ? AND alert_id IS NOT NULL "
                               "ORDER BY id LIMIT 1", (story, url)).fetchone()
        return str(row[0]) if row else None

    def posted(self, dedup_key: str) -> tuple[str, str] | None:
        """(Slack ts, title) of a message that went out on its own; None while it has not, or if it never will
        (it went into a digest)."""
        row = self._db.execute("SELECT slack_ts, message FROM outbox WHERE dedup_key = ? AND state = 'sent'",
                               (dedup_key,)).fetchone()
        if row is None:
            return None
        payload = json.loads(row["message"]).get("metadata", {}).get("event_payload", {})
        return row["slack_ts"] or "", str(payload.get("title") or payload.get("url") or "")

    def mark_skipped(self, message_id: int) -> None:
        self._db.execute("UPDATE outbox SET state = 'skipped' WHERE id = ?", (message_id,))

    def holds(self) -> bool:
        """Whether any message waits to be released (a cheap look before taking the release lock)."""
        return self._db.execute("SELECT 1 FROM outbox WHERE state = 'held' LIMIT 1").fetchone() is not None

    def held(self) -> list[OutboxMessage]:
        return [_outbox_message(r) for r in self._db.execute("SELECT * FROM outbox WHERE state = 'held' ORDER BY id")]

    def release(self, alone: list[int], digest: tuple[str, dict[str, Any]] | None, digested: list[int], *,
                story: str = "", channel: str | None = None) -> None:
        """In one transaction: a story's held messages go out alone, the others into one digest message."""
        now = time.time()
        with self.transaction():
            self._db.executemany("UPDATE outbox SET state = 'pending', released_at = ? WHERE id = ? "
                                 "AND state = 'held'",
                                 [(now, i) for i in alone])
            if digest is not None:
                key, message = digest
                self._db.execute(
                    "INSERT INTO outbox (dedup_key, kind, message, created_at, state, released_at, "
                    "story, channel) VALUES (?, 'digest', ?, ?, 'pending', ?, ?, ?) ON CONFLICT DO NOTHING",
                    (key, json.dumps(message), now, now, story, channel))
                self._db.executemany("UPDATE outbox SET state = 'digested', released_at = ?, digest_key = ? "
                                     "WHERE id = ? AND state = 'held'", [(now, key, i) for i in digested])

    def released_alone_since(self, moment: float, story: str = "") -> int:
        """A story's alerts released to go out alone since ``moment`` (for the rolling cap)."""
        return int(self._db.execute(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'alert' AND story = ? AND released_at >= ? "
            "AND state != 'digested'", (story, moment)).fetchone()[0])

    def undelivered(self) -> list[OutboxMessage]:
        return [_outbox_message(r) for r in self._db.execute(
            "SELECT * FROM outbox WHERE state IN ('pending', 'sending') ORDER BY id")]

    def outbox_size(self) -> int:
        return int(self._db.execute(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('held', 'pending', 'sending')").fetchone()[0])

    def claim(self, message_id: int, owner: str) -> bool:
        """Take a pending message to post it: True for the one replica whose claim succeeded."""
        return self._db.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, owner = ?, claimed_at = ? "
            "WHERE id = ? AND state = 'pending'", (owner, time.time(), message_id)).rowcount == 1

    def take_over(self, message_id: int, owner: str, stale_before: float) -> bool:
        """Take a message left ``sending`` (its post may or may not have arrived): ours, or claimed by a
        replica that has not finished it since ``stale_before`` (presumably dead)."""
        return self._db.execute(
            "UPDATE outbox SET owner = ?, claimed_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'sending' "
            "AND (owner = ? OR owner IS NULL OR claimed_at IS NULL OR claimed_at < ?)",
            (owner, time.time(), message_id, owner, stale_before)).rowcount == 1

    def in_flight(self, dedup_key: str) -> bool:
        """Whether a message is still on its way (held, pending or being posted)."""
        return self._db.execute("SELECT 1 FROM outbox WHERE dedup_key = ? AND state IN ('held', 'pending', "
                                "'sending')", (dedup_key,)).fetchone() is not None

    def mark_sent(self, message_id: int, slack_ts: str | None) -> None:
        self._db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, slack_ts = ?, last_error = NULL "
                         "WHERE id = ?", (time.time(), slack_ts, message_id))

    def mark_unsent(self, message_id: int, error: str, *, uncertain: bool = False) -> None:
        self._db.execute("UPDATE outbox SET state = ?, last_error = ? WHERE id = ?",
                         ("sending" if uncertain else "pending", error, message_id))


def _outbox_message(r: Row) -> OutboxMessage:
    return OutboxMessage(r["id"], r["dedup_key"], r["kind"], json.loads(r["message"]), r["created_at"], r["state"],
                         r["attempts"], r["parent_key"], r["story"], r["channel"])


def _known_claim(r: Row) -> KnownClaim:
    return KnownClaim(text=r["text"], source=r["source"], date=r["date"], origin=r["origin"], url=r["url"],
                      id=r["id"])


def _as_of_key(story: str) -> str:
    return f"story_as_of:{story}"


def _source_state(row: Row) -> SourceState:
    return SourceState(
        url=row["url"], name=row["name"], kind=row["kind"],
        validators=Validators(row["etag"], row["last_modified"]),
        last_polled=row["last_polled"], last_success=row["last_success"], last_error=row["last_error"],
        error_count=row["error_count"], retry_after=row["retry_after"],
        failing_notified=bool(row["failing_notified"]), page_text=row["page_text"],
        items_seen=row["items_seen"], alerts=row["alerts"])
