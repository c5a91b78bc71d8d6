"""Replicas: several `monitor run` processes on one PostgreSQL database share the work.

- A source is polled by the replica holding its lease (a row in ``leases``: owner, expiry).  The
  holder renews it with each poll; a replica that dies loses its leases when they expire.
- A story is analysed by one replica at a time, under a PostgreSQL advisory lock per story.  The
  analysers keep what is known in memory, so before analysing, a replica first catches up with what
  the others stored since it last looked (processed articles, learnt claims, wrong-story feedback).
- An outbox message is posted by the replica that claimed it (see ``monitor.outbox``).

With SQLite there is one instance: the same leases and catch-up run, and the story locks cost nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from monitor.analyse import Analyser
from monitor.database import Database, open_database
from monitor.model import Source
from monitor.store import Store

ONE_INSTANCE = "local"  # the replica id with SQLite, the same across restarts: its own claims stay its own


def replica_id(configured: str | None, dialect: str) -> str:
    """Who this process is to the others: as configured, or host and process (PostgreSQL only)."""
    if configured:
        return configured
    if dialect != "postgresql":
        return ONE_INSTANCE
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Watermark:
    """The newest ids of a story's items, claims and feedback that its analyser has taken in."""

    items: int = 0
    claims: int = 0
    feedback: int = 0

    def ids(self) -> tuple[int, int, int]:
        return self.items, self.claims, self.feedback


def catch_up(analyser: Analyser, store: Store, story: str, seen: Watermark) -> int:
    """Teach the analyser what other replicas stored for the story since ``seen``; return how many rows.
    Runs where the analyser runs, under the story's lock."""
    texts, learnt, wrong = store.written_since(story, *seen.ids())
    for row in texts:
        analyser.recall_article(row["url"], row["title"] or "", row["text"],
                                relevant=row["verdict"] not in ("off-topic", "duplicate"))
    for claim in learnt:
        analyser.remember(claim)
    for row in wrong:
        analyser.wrong_story(row["url"], row["title"] or "", row["text"] or "", was_relevant=True)
    return len(texts) + len(learnt) + len(wrong)


class Coordinator:
    """This replica's side of sharing: its id, its leases, and the story locks."""

    def __init__(self, store: Store, url: str, replica: str, lease_seconds: float) -> None:
        self.store = store
        self.replica = replica
        self.lease_seconds = lease_seconds
        self._url = url
        # Story locks are held on a connection of their own (opened when first needed): waiting for one
        # must not stall the store.
        self._locks: Database | None = None

    @property
    def shared(self) -> bool:
        """Whether other replicas may be working on the same database."""
        return self.store.dialect == "postgresql"

    def take(self, sources: list[Source]) -> list[Source]:
        """The sources this replica polls now: those whose lease it holds or gets.  A holder keeps a lease
        by polling: it lasts the longest interval, plus the most jitter can add, plus the lease time."""
        if not sources:
            return []
        seconds = max(s.every_seconds for s in sources) * 1.5 + self.lease_seconds
        taken = self.store.take_leases([s.url for s in sources], self.replica, seconds)
        return [s for s in sources if s.url in taken]

    def release(self) -> int:
        return self.store.release_leases(self.replica)

    def leases(self) -> int:
        return self.store.leases_held(self.replica)

    @contextlib.asynccontextmanager
    async def stories(self, names: Iterable[str]) -> AsyncIterator[None]:
        """Hold the locks of these stories (taken in name order, so two replicas never wait on each other
        in a circle).  Callers hold the pipeline's analysis lock: one holder per process."""
        if not self.shared:
            yield
            return
        locks = self._locks = self._locks or open_database(self._url)
        taken: list[str] = []
        try:
            for name in sorted(set(names)):
                waiting = asyncio.ensure_future(asyncio.to_thread(_lock, locks, name))
                try:
                    await asyncio.shield(waiting)
                except asyncio.CancelledError:  # the thread still gets the lock: give it back then
                    waiting.add_done_callback(functools.partial(_unlock_when_taken, locks, name))
                    raise
                taken.append(name)
            yield
        finally:
            for name in reversed(taken):
                _unlock(locks, name)

    def close(self) -> None:
        if self._locks is not None:
            self._locks.close()


def _lock(db: Database, name: str) -> None:
    db.execute("SELECT pg_advisory_lock(hashtext(?))", (_story_key(name),))


def _unlock(db: Database, name: str) -> None:
    with contextlib.suppress(*db.errors):
        db.execute("SELECT pg_advisory_unlock(hashtext(?))", (_story_key(name),))


def _unlock_when_taken(db: Database, name: str, waiting: asyncio.Future[None]) -> None:
    if not waiting.cancelled() and waiting.exception() is None:
        _unlock(db, name)


def _story_key(name: str) -> str:
    return f"monitor story {name}"
