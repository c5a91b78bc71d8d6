"""Replicas on one database, at the store: leases, outbox claims, releases and catching up.  Each test runs
on SQLite and on the session's PostgreSQL; "two replicas" are two stores, each with its own connection.

The notifier here records posts in memory (the Slack Web API stand-in is exercised end to end in
tests/e2e/test_replicas.py); delivery from two threads at once is real."""

from __future__ import annotations

import threading
from typing import Any

from monitor.model import KnownClaim, Source, SourceKind
from monitor.notify import Delivery, Thread
from monitor.outbox import FloodControl, deliver_pending, release_held
from monitor.store import Store

FEED = "http://127.0.0.1:9/feed.xml"
OTHER = "http://127.0.0.1:9/other.xml"


class Recording:
    """A notifier that keeps what it was sent; thread-safe, like Slack."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def send(self, message: dict[str, Any], thread: Thread | None = None, channel: str | None = None) -> Delivery:
        with self.lock:
            self.sent.append(message["key"])
            return Delivery(f"ts-{len(self.sent)}")

    def find_delivered(self, dedup_key: str, since: float, thread: Thread | None = None,
                       channel: str | None = None) -> Delivery | None:
        with self.lock:
            return Delivery("ts-found") if dedup_key in self.sent else None

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        pass


def claim(text: str) -> KnownClaim:
    return KnownClaim(text=text, source="Wire", date="2026-01-02", origin="article")


def two(state_db: str, urls: tuple[str, ...] | list[str] = (FEED, OTHER)) -> tuple[Store, Store]:
    first = Store(state_db)
    first.sync_sources([Source(url=url, name=f"Wire {i}", kind=SourceKind.FEED, every_seconds=60, stories=("s",))
                        for i, url in enumerate(urls)])
    return first, Store(state_db)


def test_a_source_is_polled_by_one_replica_at_a_time(state_db: str) -> None:
    a, b = two(state_db)
    assert a.take_leases([FEED], "a", 60) == {FEED} == a.take_leases([FEED], "a", 60)  # taken, kept by polling
    assert b.take_leases([FEED, OTHER], "b", 60) == {OTHER}
    assert a.leases_held("a") == 1 and b.leases_held("b") == 1
    assert a.release_leases("a") == 1  # a stopping replica hands its sources over at once
    assert b.take_leases([FEED], "b", -1) == {FEED}  # taken, but already run out: as if its holder had died
    assert a.take_leases([FEED, OTHER], "a", 60) == {FEED} and b.take_leases([FEED], "b", 60) == set()


def test_replicas_taking_leases_at_once_get_all_or_none_of_what_is_free(state_db: str) -> None:
    """`monitor once` on two replicas at the same moment: the sources go to one of them together, so the
    analysis sees the cycle's articles in order."""
    urls = [f"http://127.0.0.1:9/{i}.xml" for i in range(300)]
    a, b = two(state_db, urls)
    start = threading.Barrier(2)
    taken: dict[str, set[str]] = {}

    def take(store: Store, owner: str) -> None:
        start.wait()
        taken[owner] = store.take_leases(urls, owner, 60)

    threads = [threading.Thread(target=take, args=(store, owner)) for store, owner in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(t) for t in taken.values()) == [0, 300]


def test_two_replicas_delivering_at_once_post_each_message_once(state_db: str) -> None:
    a, b = two(state_db)
    keys = [f"alert:{i}" for i in range(40)]
    for key in keys:
        a.enqueue(key, "alert", {"key": key})
    slack = Recording()
    start = threading.Barrier(2)

    def deliver(store: Store, owner: str) -> None:
        start.wait()
        deliver_pending(store, slack, owner=owner)

    threads = [threading.Thread(target=deliver, args=(store, owner)) for store, owner in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(slack.sent) == sorted(keys)
    assert a.outbox_size() == 0


def test_a_dead_replicas_post_is_taken_over_only_when_stale_and_never_doubled(state_db: str) -> None:
    a, b = two(state_db)
    slack = Recording()
    for key in ("alert:arrived", "alert:lost"):
        a.enqueue(key, "alert", {"key": key})
        [message] = [m for m in a.undelivered() if m.dedup_key == key]
        assert a.claim(message.id, "a") and not b.claim(message.id, "b")
    slack.send({"key": "alert:arrived"})  # replica a posted this one, then died before marking it sent

    deliver_pending(b, slack, owner="b", stale_after=60)  # a's claims are fresh: a may still be posting
    assert slack.sent == ["alert:arrived"] and b.outbox_size() == 2

    deliver_pending(b, slack, owner="b", stale_after=-1)  # a's claims have outlived the lease time
    assert sorted(slack.sent) == ["alert:arrived", "alert:lost"]  # looked up first: not posted twice
    assert b.outbox_size() == 0


def test_held_alerts_released_by_two_replicas_at_once_go_out_once(state_db: str) -> None:
    a, b = two(state_db)
    for i in range(12):
        payload = {"kind": "new", "url": f"http://127.0.0.1/{i}", "title": f"T{i}", "source": "Wire",
                   "published": "2026-03-02T10:00:00+00:00", "claims": [{"text": f"lead {i}", "status": "new"}]}
        a.enqueue(f"alert:{i}", "alert", {"metadata": {"event_payload": payload}}, held=True, story="s")
    start = threading.Barrier(2)

    def release(store: Store) -> None:
        start.wait()
        release_held(store, FloodControl(per_cycle=5))

    threads = [threading.Thread(target=release, args=(store,)) for store in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    waiting = a.undelivered()
    digests = [m for m in waiting if m.kind == "digest"]
    assert len(digests) == 1 and len(digests[0].message["metadata"]["event_payload"]["items"]) == 7
    assert len([m for m in waiting if m.kind == "alert"]) == 5


def test_a_replica_catches_up_with_what_the_others_stored_after_it_looked(state_db: str) -> None:
    a, b = two(state_db)
    a.add_claims("s", [claim("The pier closed on Monday.")])
    seen = b.high_water("s")
    a.add_claims("s", [claim("The pier reopened on Friday.")])
    a.add_claims("other", [claim("Another story's claim.")])
    a.record_item(story="s", source_url=FEED, item_key="k1", url="http://127.0.0.1/1", canonical_url="c1",
                  title="T", published=None, verdict="alert-new", reason="r", relevance=0.5, duplicate_of=None,
                  detail=[], text="The pier reopened on Friday after repairs.")
    texts, learnt, wrong = b.written_since("s", *seen)
    assert [c.text for c in learnt] == ["The pier reopened on Friday."]
    assert [r["url"] for r in texts] == ["http://127.0.0.1/1"] and wrong == []
    assert b.written_since("s", *b.high_water("s")) == ([], [], [])
