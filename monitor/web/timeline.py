"""What the timeline page shows, read from the state database: plain data, no HTML.

Queries run on a read-only connection of the page server's own, so a page never waits for, or
blocks, the pipeline's writes (SQLite's WAL lets readers and the writer go on together).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.database import Database, Row, open_database
from monitor.model import KnownClaim

PAGE_SIZE = 50
_DECIDED_DAY = {"sqlite": "date(processed_at, 'unixepoch')",
                "postgresql": "to_char(to_timestamp(processed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"}
# Verdicts as the chart groups them: what was posted, what only restated the known, copies, other stories.
CHART_GROUPS = (("alerted", ("alert-new", "alert-contradiction")), ("known", ("nothing-new", "background")),
                ("duplicate", ("duplicate",)), ("off-topic", ("off-topic",)))


@dataclass(frozen=True, slots=True)
class ClaimView:
    text: str
    status: str                     # "new" or "contradiction"
    known: str | None = None        # the known claim a contradiction conflicts with
    known_source: str | None = None
    known_date: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class FeedbackView:
    action: str   # "not-new", "wrong-story", "useful"
    user: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AlertView:
    id: str               # the alert id without its "alert:" prefix: the last part of its page's URL
    kind: str             # "new" or "contradiction"
    title: str
    url: str
    source: str
    published: datetime | None
    decided: datetime
    claims: tuple[ClaimView, ...]
    post: str             # how it went out: "posted alone", "in a digest", "waiting"
    feedback: tuple[FeedbackView, ...] = ()


@dataclass(frozen=True, slots=True)
class DayCount:
    day: str                    # YYYY-MM-DD
    counts: tuple[int, ...]     # per CHART_GROUPS, in their order


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    text: str
    origin: str        # "seed", "curated", "learnt", "feedback"
    source: str
    date: str | None
    corroborations: int


@dataclass(frozen=True, slots=True)
class SourceView:
    name: str
    url: str
    ok: bool
    last_success: datetime | None
    last_error: str | None
    items: int


@dataclass(frozen=True, slots=True)
class StorySummary:
    name: str
    alerts: int
    decisions: int
    last_alert: AlertView | None


_POSTED = {"sent": "posted alone", "digested": "in a digest", "held": "waiting", "pending": "waiting",
           "sending": "being posted"}
_ORIGIN = {"seed-article": "seed", "curated": "curated", "article": "learnt", "feedback": "feedback"}


class Timeline:
    """Read-only queries over one state database (a SQLite path or URL, or a PostgreSQL URL)."""

    def __init__(self, target: str | Path) -> None:
        self._target = target
        self._local = threading.local()  # the page server answers each request in a thread of its own

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """One connection for every query until the block ends: a page's queries share it."""
        if getattr(self._local, "db", None) is not None:
            yield
            return
        db = open_database(self._target, readonly=True)
        self._local.db = db
        try:
            yield
        finally:
            self._local.db = None
            db.close()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Database]:
        with self.session():
            yield self._local.db

    def summaries(self, stories: list[str]) -> list[StorySummary]:
        with self._connect() as db:
            out = []
            for name in stories:
                counts = db.execute("SELECT COUNT(*), COUNT(alert_id) FROM items WHERE story = ?", (name,)).fetchone()
                latest = self._alerts(db, name, None, None, 0, 1)
                out.append(StorySummary(name, counts[1], counts[0], latest[0] if latest else None))
            return out

    def alerts(self, story: str, kind: str | None = None, source: str | None = None,
               page: int = 0) -> tuple[list[AlertView], int]:
        """One page of a story's alerts, newest first, and how many match the filters."""
        with self._connect() as db:
            where, args = _filters(story, kind, source)
            total = db.execute(f"SELECT COUNT(*) FROM items i WHERE {where}", args).fetchone()[0]
            return self._alerts(db, story, kind, source, page * PAGE_SIZE, PAGE_SIZE), int(total)

    def alert(self, story: str, alert_id: str) -> AlertView | None:
        with self._connect() as db:
            found = self._alerts(db, story, None, None, 0, 1, alert_id=f"alert:{alert_id}")
            return found[0] if found else None

    def _alerts(self, db: Database, story: str, kind: str | None, source: str | None, offset: int,
                limit: int, alert_id: str | None = None) -> list[AlertView]:
        where, args = _filters(story, kind, source)
        if alert_id is not None:
            where, args = where + " AND i.alert_id = ?", [*args, alert_id]
        rows = db.execute(
            "SELECT i.*, s.name AS source_name, o.state AS post_state FROM items i "
            "LEFT JOIN sources s ON s.url = i.source_url LEFT JOIN outbox o ON o.dedup_key = i.alert_id "
            f"WHERE {where} ORDER BY i.processed_at DESC, i.id DESC LIMIT ? OFFSET ?",
            [*args, limit, offset]).fetchall()
        feedback = _feedback(db, [r["alert_id"] for r in rows])
        return [_alert_view(r, feedback.get(r["alert_id"], ())) for r in rows]

    def feedback_counts(self, story: str) -> dict[str, int]:
        """How often people answered the story's alerts, by answer."""
        with self._connect() as db:
            return {r["action"]: r["n"] for r in db.execute(
                "SELECT action, COUNT(*) AS n FROM feedback WHERE story = ? GROUP BY action", (story,))}

    def days(self, story: str) -> list[DayCount]:
        """Articles per day by verdict group, oldest day first (the day an article was published, else decided)."""
        with self._connect() as db:
            rows = db.execute(
                f"SELECT COALESCE(substr(published, 1, 10), {_DECIDED_DAY[db.dialect]}) AS day, verdict, "
                "COUNT(*) AS n FROM items WHERE story = ? GROUP BY day, verdict ORDER BY day", (story,)).fetchall()
        group_of = {verdict: i for i, (_, verdicts) in enumerate(CHART_GROUPS) for verdict in verdicts}
        by_day: dict[str, list[int]] = {}
        for row in rows:
            if row["verdict"] in group_of:
                by_day.setdefault(row["day"], [0] * len(CHART_GROUPS))[group_of[row["verdict"]]] += row["n"]
        return [DayCount(day, tuple(counts)) for day, counts in by_day.items()]

    def ledger(self, story: str, seeds: tuple[KnownClaim, ...], limit: int = 300) -> list[LedgerEntry]:
        """What is known: the claims the story was given, then the newest learnt ones."""
        with self._connect() as db:
            rows = db.execute("SELECT text, source, date, origin, corroborations FROM claims WHERE story = ? "
                              "ORDER BY id DESC LIMIT ?", (story, limit)).fetchall()
        given = [LedgerEntry(c.text, _ORIGIN.get(c.origin, c.origin), c.source, c.date, 0) for c in seeds]
        return given + [LedgerEntry(r["text"], _ORIGIN.get(r["origin"], r["origin"]), r["source"], r["date"],
                                    r["corroborations"]) for r in rows]

    def sources(self, urls: list[str]) -> list[SourceView]:
        with self._connect() as db:
            rows = db.execute(f"SELECT * FROM sources WHERE url IN ({','.join('?' * len(urls))}) ORDER BY name",
                              urls).fetchall() if urls else []
        return [SourceView(r["name"], r["url"], not r["error_count"], _moment(r["last_success"]), r["last_error"],
                           r["items_seen"]) for r in rows]


def _filters(story: str, kind: str | None, source: str | None) -> tuple[str, list[Any]]:
    where, args = "i.story = ? AND i.alert_id IS NOT NULL", [story]
    if kind in ("new", "contradiction"):
        where, args = where + " AND i.verdict = ?", [*args, f"alert-{kind}"]
    if source:
        where, args = where + " AND i.source_url = ?", [*args, source]
    return where, args


def _feedback(db: Database, alert_ids: list[str]) -> dict[str, tuple[FeedbackView, ...]]:
    if not alert_ids:
        return {}
    rows = db.execute(f"SELECT alert_id, action, person, given_at FROM feedback WHERE alert_id IN "
                      f"({','.join('?' * len(alert_ids))}) ORDER BY given_at", alert_ids).fetchall()
    out: dict[str, list[FeedbackView]] = {}
    for r in rows:
        out.setdefault(r["alert_id"], []).append(FeedbackView(r["action"], r["person"],
                                                                 _moment(r["given_at"]) or _EPOCH))
    return {k: tuple(v) for k, v in out.items()}


_EPOCH = datetime.fromtimestamp(0, UTC)


def _moment(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def _alert_view(row: Row, feedback: tuple[FeedbackView, ...]) -> AlertView:
    claims = []
    for c in json.loads(row["detail"] or "[]"):
        if c.get("status") not in ("new", "contradiction"):
            continue
        contradiction = c["status"] == "contradiction"
        claims.append(ClaimView(c["text"], c["status"], c.get("matched") if contradiction else None,
                                c.get("matched_source") if contradiction else None,
                                c.get("matched_date") if contradiction else None, c.get("reason", "")))
    published = datetime.fromisoformat(row["published"]) if row["published"] else None
    return AlertView(id=str(row["alert_id"]).removeprefix("alert:"), kind=row["verdict"].removeprefix("alert-"),
                     title=row["title"] or row["url"], url=row["url"], source=row["source_name"] or row["source_url"],
                     published=published, decided=_moment(row["processed_at"]) or _EPOCH, claims=tuple(claims),
                     post=_POSTED.get(row["post_state"] or "", "not posted"), feedback=feedback)


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    group: str
    label: str


def chart(days: list[DayCount], width: float = 720, height: float = 160) -> list[Bar]:
    """Stacked bars, one per day, one segment per verdict group; heights scaled to the busiest day.  Pure."""
    if not days:
        return []
    busiest = max(sum(d.counts) for d in days) or 1
    slot = width / len(days)
    bars = []
    for i, day in enumerate(days):
        top = height
        for (group, _), count in zip(CHART_GROUPS, day.counts, strict=True):
            if not count:
                continue
            h = height * count / busiest
            top -= h
            bars.append(Bar(round(i * slot + slot * 0.1, 2), round(top, 2), round(max(slot * 0.8, 1), 2), round(h, 2),
                            group, f"{day.day}: {count} {group}"))
    return bars
