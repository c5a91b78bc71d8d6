"""Delivering the outbox: every stored message reaches Slack exactly once.

A message is marked ``sending`` before the post and ``sent`` after it.  A
message found in ``sending`` was interrupted by a crash: it may or may not have
arrived, so Slack is asked (by the id in its metadata) before posting again.
With replicas, the replica whose claim (``pending`` to ``sending``) succeeds
posts the message; another takes over a ``sending`` message only once its
claim is older than the lease time, its owner presumably dead.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from monitor import failpoints
from monitor.errors import DeliveryError
from monitor.notify import Notifier, Thread
from monitor.notify.format import digest_message
from monitor.store import OutboxMessage, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    remaining: int
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FloodControl:
    """How many alerts go out alone; the rest of those due go into one digest message."""

    per_cycle: int = 5
    per_window: int | None = None  # `monitor run`: at most this many alone in any rolling window
    window_seconds: float = 600.0


def choose_alone(held: list[OutboxMessage], budget: int) -> tuple[list[OutboxMessage], list[OutboxMessage]]:
    """Which held alerts go out alone (contradictions first, then in the order they were decided) and
    which go into the digest.  Pure."""
    ranked = sorted(held, key=lambda m: (_kind(m) != "contradiction", m.id))
    alone = {m.id for m in ranked[:max(0, budget)]}
    return [m for m in held if m.id in alone], [m for m in held if m.id not in alone]


def _kind(message: OutboxMessage) -> str:
    return str(message.message.get("metadata", {}).get("event_payload", {}).get("kind", "new"))


def release_held(store: Store, control: FloodControl, channels: Mapping[str, str | None] | None = None) -> None:
    """Release the alerts held since the last release, story by story (each story's channel has its own
    caps): the first ones alone, any more in one digest.  ``channels``: each story's channel.  One replica
    at a time: two releasing the same held alerts would put them in two digests."""
    if not store.holds():
        return
    with store.transaction():
        store.exclusive("monitor outbox release")
        _release(store, control, channels)


def _release(store: Store, control: FloodControl, channels: Mapping[str, str | None] | None) -> None:
    by_story: dict[str, list[OutboxMessage]] = {}
    for message in store.held():
        by_story.setdefault(message.story, []).append(message)
    for story, held in by_story.items():
        budget = control.per_cycle
        if control.per_window is not None:
            recent = store.released_alone_since(time.time() - control.window_seconds, story)
            budget = min(budget, control.per_window - recent)
        alone, rest = choose_alone(held, budget)
        digest = None
        if rest:
            key = "digest:" + hashlib.sha256("\n".join(m.dedup_key for m in rest).encode()).hexdigest()[:32]
            digest = (key, digest_message([m.message["metadata"]["event_payload"] for m in rest], key, story))
            log.info("flood control: %d alert(s) alone, %d in one digest", len(alone), len(rest),
                     extra={"story": story})
        channel = (channels or {}).get(story, held[0].channel)
        store.release([m.id for m in alone], digest, [m.id for m in rest], story=story, channel=channel)


def deliver_pending(store: Store, notifier: Notifier, control: FloodControl | None = None,
                    channels: Mapping[str, str | None] | None = None, owner: str = "local",
                    stale_after: float = 60.0) -> DeliveryReport:
    """Release what is held, then post everything pending, oldest first.  ``owner``: this replica;
    ``stale_after``: seconds after which another replica's unfinished post is taken over."""
    release_held(store, control or FloodControl(), channels)
    sent = 0
    for message in store.undelivered():
        thread = None
        if message.parent_key:
            parent = store.posted(message.parent_key)
            if parent is not None:
                thread = Thread(parent[0], bool(message.message.get("broadcast")), parent[1])
            elif store.in_flight(message.parent_key):
                continue  # another replica is posting the alert it follows up: its thread comes next time
            elif message.kind == "corroboration":
                store.mark_skipped(message.id)  # its alert went into a digest: there is no thread to add to
                continue
        try:
            if message.state == "sending":
                if not store.take_over(message.id, owner, time.time() - stale_after):
                    continue  # another replica is posting it
                found = notifier.find_delivered(message.dedup_key, message.created_at, thread, message.channel)
                if found is not None:
                    log.info("interrupted post %s had reached Slack; not posting it again", message.dedup_key)
                    store.mark_sent(message.id, found.ts)
                    continue
            if message.kind == "digest":
                failpoints.hit("before-digest")
            if message.state != "sending" and not store.claim(message.id, owner):
                continue  # another replica claimed it first
            failpoints.hit("before-post")
            delivery = notifier.send(message.message, thread, message.channel)
            failpoints.hit("after-post")
        except DeliveryError as exc:
            # An uncertain outcome stays "sending": the next attempt looks it up before posting again.
            store.mark_unsent(message.id, str(exc), uncertain=exc.uncertain)
            remaining = store.outbox_size()
            log.error("delivery failed, %d message(s) kept in the outbox: %s", remaining, exc)
            return DeliveryReport(sent, remaining, str(exc))
        store.mark_sent(message.id, delivery.ts)
        sent += 1
    return DeliveryReport(sent, store.outbox_size())
